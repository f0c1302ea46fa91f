import { Module } from '@nestjs/common';
import { PicklistEditorService } from './picklist-editor.service.js';
import { LayoutEditorController } from './layout-editor.controller.js';
import { PicklistsController } from './picklists.controller.js';
import { CustomFieldsService } from './custom-fields.service.js';
import { FieldPropertiesService } from './field-properties.service.js';
import { CustomFieldDeletionService } from './custom-field-deletion.service.js';
import { Clock } from './clock.js';
import { FieldPropertiesPages } from './field-properties.pages.js';

/** The Layout Editor: administration pages that arrange, relabel and reshape each module and its picklists. */
@Module({
  controllers: [LayoutEditorController, PicklistsController],
  providers: [
    PicklistEditorService,
    CustomFieldsService,
    FieldPropertiesService,
    FieldPropertiesPages,
    CustomFieldDeletionService,
    Clock,
  ],
})
export class LayoutModule {}
