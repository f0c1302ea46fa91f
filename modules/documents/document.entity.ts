import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { documentsManifest } from './documents.manifest.js';

export const documentEntity = entitySchemaFor(documentsManifest, [
  { name: 'ix_documents_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_documents_title', columns: ['title'] },
  { name: 'ix_documents_created_by', columns: ['created_by_id'] },
  { name: 'ix_documents_modified_by', columns: ['modified_by_id'] },
]);
