import { Module } from '@nestjs/common';
import { LeadFieldMappingController } from './lead-field-mapping.controller.js';
import { LeadFieldMappingPages } from './lead-field-mapping.pages.js';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { LeadsController } from './leads.controller.js';

@Module({
  controllers: [LeadsController, LeadFieldMappingController],
  providers: [LeadFieldMappingService, LeadFieldMappingPages],
  exports: [LeadFieldMappingService],
})
export class LeadsModule {}
