import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { campaignsManifest } from './campaigns.manifest.js';

export const campaignEntity = entitySchemaFor(campaignsManifest, [
  { name: 'ix_campaigns_name', columns: ['campaign_name'] },
  { name: 'ix_campaigns_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_campaigns_created_by', columns: ['created_by_id'] },
  { name: 'ix_campaigns_modified_by', columns: ['modified_by_id'] },
]);
