import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { contactsManifest } from './contacts.manifest.js';

export const contactEntity = entitySchemaFor(contactsManifest, [
  { name: 'ix_contacts_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_contacts_account', columns: ['account_id'] },
  { name: 'ix_contacts_email', columns: ['email'] },
  { name: 'ix_contacts_last_name', columns: ['last_name'] },
  { name: 'ix_contacts_created_by', columns: ['created_by_id'] },
  { name: 'ix_contacts_modified_by', columns: ['modified_by_id'] },
]);
