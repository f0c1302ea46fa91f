import { EntitySchema } from 'typeorm';
import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { potentialsManifest } from './potentials.manifest.js';

const manifestEntity = entitySchemaFor(potentialsManifest, [
  {
    name: 'ix_potentials_pipeline',
    columns: [
      'assigned_user_id',
      'sales_stage',
      'expected_close_date',
      'amount_cents',
      'probability',
      'deleted_at',
    ],
  },
  {
    name: 'ix_potentials_stage_close',
    columns: ['sales_stage', 'expected_close_date', 'amount_cents', 'probability', 'deleted_at'],
  },
  { name: 'ix_potentials_close_date', columns: ['expected_close_date'] },
  { name: 'ix_potentials_account', columns: ['account_id'] },
  { name: 'ix_potentials_campaign', columns: ['campaign_id'] },
  { name: 'ix_potentials_contact', columns: ['contact_id'] },
  { name: 'ix_potentials_created_by', columns: ['created_by_id'] },
  { name: 'ix_potentials_modified_by', columns: ['modified_by_id'] },
  { name: 'ix_potentials_amount_quote', columns: ['amount_quote_id'] },
  { name: 'ix_potentials_product_line', columns: ['product_line'] },
  {
    name: 'ix_potentials_effective_close',
    columns: ['effective_close_date', 'sales_stage', 'assigned_user_id', 'amount_cents', 'deleted_at'],
  },
  {
    name: 'ix_potentials_budget_pipeline',
    columns: [
      'expected_close_date',
      'sales_stage',
      'probability',
      'amount_cents',
      'product_line',
      'assigned_user_id',
      'assigned_group_id',
      'deleted_at',
    ],
  },
]);

/**
 * The potentials table: the manifest's fields, and `amount_quote_id`, the quote whose total set the amount.
 * That column is no manifest field, so no form, import, export, filter or list shows it. Only the potentials
 * module writes it, when a quote sets the amount or a user changes it.
 */
export const potentialEntity = new EntitySchema({
  ...manifestEntity.options,
  columns: {
    ...manifestEntity.options.columns,
    amount_quote_id: { type: 'int', nullable: true },
  },
  relations: {
    ...manifestEntity.options.relations,
    amount_quote_id_ref: {
      type: 'many-to-one',
      target: 'quotes',
      joinColumn: { name: 'amount_quote_id', foreignKeyConstraintName: 'fk_potentials_amount_quote_id' },
      onDelete: 'SET NULL',
      createForeignKeyConstraints: true,
    },
  },
});
