import { BusinessModule } from '../../src/records/business-module.js';
import { leadEntity } from './lead.entity.js';
import { LeadFieldMappingEntity } from './lead-field-mapping.entity.js';
import { leadsManifest } from './leads.manifest.js';
import { LeadsModule } from './leads.module.js';
import { LeadsEmailKey1765000040000 } from './migrations/1765000040000-leads-email-key.js';
import { LeadsTable1765000002000 } from './migrations/1765000002000-leads-table.js';
import { LeadFieldMappings1765000020000 } from './migrations/1765000020000-lead-field-mappings.js';
import { LeadsRecordVersion1765400053000 } from './migrations/1765400053000-leads-record-version.js';

export const leadsModule: BusinessModule = {
  manifest: leadsManifest,
  entity: leadEntity,
  otherEntities: [LeadFieldMappingEntity],
  migrations: [
    LeadsTable1765000002000,
    LeadFieldMappings1765000020000,
    LeadsEmailKey1765000040000,
    LeadsRecordVersion1765400053000,
  ],
  nestModule: LeadsModule,
};
