import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { quotesManifest } from './quotes.manifest.js';

export const quoteEntity = entitySchemaFor(quotesManifest, [
  { name: 'ix_quotes_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_quotes_subject', columns: ['subject'] },
  { name: 'ix_quotes_account', columns: ['account_id'] },
  { name: 'ix_quotes_potential', columns: ['potential_id'] },
  { name: 'ix_quotes_contact', columns: ['contact_id'] },
  { name: 'ix_quotes_created_by', columns: ['created_by_id'] },
  { name: 'ix_quotes_modified_by', columns: ['modified_by_id'] },
]);
