import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { leadsManifest } from './leads.manifest.js';

export const leadEntity = entitySchemaFor(leadsManifest, [
  { name: 'ix_leads_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_leads_email', columns: ['email'] },
  { name: 'ix_leads_last_name', columns: ['last_name'] },
  { name: 'ix_leads_campaign', columns: ['campaign_id'] },
  { name: 'ix_leads_converted_potential', columns: ['converted_potential_id'] },
  { name: 'ix_leads_created_by', columns: ['created_by_id'] },
  { name: 'ix_leads_modified_by', columns: ['modified_by_id'] },
]);
