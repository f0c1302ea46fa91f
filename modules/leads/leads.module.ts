import { Module } from '@nestjs/common';
import { LeadFieldMappingController } from './lead-field-mapping.controller.js';
import { LeadFieldMappingPages } from './lead-field-mapping.pages.js';
import { LeadConversionPage } from './lead-conversion.page.js';
import { LeadConversionService } from './lead-conversion.service.js';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { LeadsController } from './leads.controller.js';

@Module({
  controllers: [LeadsController, LeadFieldMappingController],
  providers: [LeadFieldMappingService, LeadFieldMappingPages, LeadConversionService, LeadConversionPage],
  exports: [LeadFieldMappingService],
})
export class LeadsModule {}
