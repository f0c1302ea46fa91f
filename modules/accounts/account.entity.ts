import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { accountsManifest } from './accounts.manifest.js';

export const accountEntity = entitySchemaFor(accountsManifest, [
  { name: 'ix_accounts_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_accounts_created_by', columns: ['created_by_id'] },
  { name: 'ix_accounts_modified_by', columns: ['modified_by_id'] },
]);
