import { EntitySchema } from 'typeorm';
import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { quotesManifest } from './quotes.manifest.js';

const manifestEntity = entitySchemaFor(quotesManifest, [
  { name: 'ix_quotes_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_quotes_subject', columns: ['subject'] },
  { name: 'ix_quotes_account', columns: ['account_id'] },
  { name: 'ix_quotes_potential', columns: ['potential_id'] },
  { name: 'ix_quotes_contact', columns: ['contact_id'] },
  { name: 'ix_quotes_created_by', columns: ['created_by_id'] },
  { name: 'ix_quotes_modified_by', columns: ['modified_by_id'] },
  { name: 'uq_quotes_revision', columns: ['base_quote_id', 'revision_no'], unique: true },
]);

/**
 * The quotes table: the manifest's fields, and the revision columns. `base_quote_id` and `revision_no` link a
 * revision to its original quote, and the original's `revision_count` numbers its next revision. They are no
 * manifest fields, so no form, import or export writes them; only QuoteRevisionsService does.
 */
export const quoteEntity = new EntitySchema({
  ...manifestEntity.options,
  columns: {
    ...manifestEntity.options.columns,
    base_quote_id: { type: 'int', nullable: true },
    revision_no: { type: 'int', nullable: true },
    revision_count: { type: 'int', default: 0 },
  },
  relations: {
    ...manifestEntity.options.relations,
    base_quote_id_ref: {
      type: 'many-to-one',
      target: 'quotes',
      joinColumn: { name: 'base_quote_id', foreignKeyConstraintName: 'fk_quotes_base_quote_id' },
      onDelete: 'SET NULL',
      createForeignKeyConstraints: true,
    },
  },
});
