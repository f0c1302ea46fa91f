import { Module } from '@nestjs/common';
import { DocumentFiles } from './document-files.js';
import { DocumentTimeline } from './document-timeline.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';

@Module({
  controllers: [DocumentsController],
  providers: [DocumentFiles, DocumentsService, DocumentTimeline],
})
export class DocumentsModule {}
