import { Module } from '@nestjs/common';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { LeadsController } from './leads.controller.js';

@Module({ controllers: [LeadsController], providers: [LeadFieldMappingService] })
export class LeadsModule {}
