import { Module } from '@nestjs/common';
import { RecycleBinController } from './recycle-bin.controller.js';
import { RecycleBinService } from './recycle-bin.service.js';

/** The recycle bin's pages and service. The core's services come from the global core module. */
@Module({ controllers: [RecycleBinController], providers: [RecycleBinService] })
export class RecycleBinModule {}
