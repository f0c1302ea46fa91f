import { BusinessModule } from '../../src/records/business-module.js';
import { leadEntity } from './lead.entity.js';
import { leadsManifest } from './leads.manifest.js';
import { LeadsModule } from './leads.module.js';
import { LeadsEmailKey1765000040000 } from './migrations/1765000040000-leads-email-key.js';
import { LeadsTable1765000002000 } from './migrations/1765000002000-leads-table.js';

export const leadsModule: BusinessModule = {
  manifest: leadsManifest,
  entity: leadEntity,
  migrations: [LeadsTable1765000002000, LeadsEmailKey1765000040000],
  nestModule: LeadsModule,
};
