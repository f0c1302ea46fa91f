import { Module } from '@nestjs/common';
import { LeadConversionPage } from './lead-conversion.page.js';
import { LeadConversionService } from './lead-conversion.service.js';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { LeadsController } from './leads.controller.js';

@Module({
  controllers: [LeadsController],
  providers: [LeadFieldMappingService, LeadConversionService, LeadConversionPage],
})
export class LeadsModule {}
