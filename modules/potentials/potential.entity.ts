import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { potentialsManifest } from './potentials.manifest.js';

export const potentialEntity = entitySchemaFor(potentialsManifest, [
  {
    name: 'ix_potentials_pipeline',
    columns: ['assigned_user_id', 'sales_stage', 'expected_close_date', 'amount_cents', 'probability'],
  },
  {
    name: 'ix_potentials_stage_close',
    columns: ['sales_stage', 'expected_close_date', 'amount_cents', 'probability'],
  },
  { name: 'ix_potentials_close_date', columns: ['expected_close_date'] },
  { name: 'ix_potentials_account', columns: ['account_id'] },
  { name: 'ix_potentials_campaign', columns: ['campaign_id'] },
  { name: 'ix_potentials_contact', columns: ['contact_id'] },
  { name: 'ix_potentials_created_by', columns: ['created_by_id'] },
  { name: 'ix_potentials_modified_by', columns: ['modified_by_id'] },
]);
