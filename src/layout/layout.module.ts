import { Module } from '@nestjs/common';
import { PicklistEditorService } from './picklist-editor.service.js';
import { PicklistsController } from './picklists.controller.js';

/** The Layout Editor: administration pages that reshape each module, so far its picklists. */
@Module({
  controllers: [PicklistsController],
  providers: [PicklistEditorService],
})
export class LayoutModule {}
