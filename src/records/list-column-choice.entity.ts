import { EntitySchema } from 'typeorm';

/** The list columns a user chose for a module, in order. A user without a row gets the default columns. */
export interface ListColumnChoice {
  id: number;
  userId: number;
  module: string;
  /** JSON array of field names in column order. Names the registry no longer has are ignored. */
  fields: string;
  updatedAt: string;
  /** Declared so that the foreign key exists. Never loaded. */
  user?: unknown;
}

export const ListColumnChoiceEntity = new EntitySchema<ListColumnChoice>({
  name: 'ListColumnChoice',
  tableName: 'list_column_choices',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    userId: { name: 'user_id', type: 'int' },
    module: { type: 'varchar', length: 50 },
    fields: { type: 'text' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
  relations: {
    user: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'fk_list_column_choices_user_id' },
      onDelete: 'CASCADE',
    },
  },
  indices: [{ name: 'uq_list_column_choices_user', columns: ['userId', 'module'], unique: true }],
});
