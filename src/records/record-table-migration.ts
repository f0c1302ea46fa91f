import { TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Returns the columns every module table ends with, after its fields: the audit columns, the version that a
 * stale save is detected with, and the recycle bin's columns. A migration that creates a module table lists them last.
 */
export function recordTableTrailingColumns(): TableColumnOptions[] {
  return [
    { name: 'created_at', type: 'datetime', isNullable: true },
    { name: 'updated_at', type: 'datetime', isNullable: true },
    { name: 'created_by_id', type: 'integer', isNullable: true },
    { name: 'modified_by_id', type: 'integer', isNullable: true },
    { name: 'version', type: 'integer', isNullable: false, default: 1 },
    { name: 'deleted_at', type: 'datetime', isNullable: true },
    { name: 'deleted_by_id', type: 'integer', isNullable: true },
  ];
}

/** Returns the indexes of a module table's assignee, audit and recycle bin columns. */
export function recordTableIndices(table: string): TableIndex[] {
  return [
    new TableIndex({ name: `ix_${table}_assigned_user`, columnNames: ['assigned_user_id'] }),
    new TableIndex({ name: `ix_${table}_assigned_group_id`, columnNames: ['assigned_group_id'] }),
    new TableIndex({ name: `ix_${table}_created_by`, columnNames: ['created_by_id'] }),
    new TableIndex({ name: `ix_${table}_modified_by`, columnNames: ['modified_by_id'] }),
    new TableIndex({ name: `ix_${table}_deleted_at`, columnNames: ['deleted_at'] }),
  ];
}

/** Returns the foreign keys of a module table's assignee (a user or a group) and of its audit users. */
export function recordTableForeignKeys(table: string): TableForeignKey[] {
  const reference = (column: string, referencedTableName: string) =>
    new TableForeignKey({
      name: `fk_${table}_${column}`,
      columnNames: [column],
      referencedTableName,
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
      onUpdate: 'NO ACTION',
    });
  return [
    ...['assigned_user_id', 'created_by_id', 'modified_by_id', 'deleted_by_id'].map((column) =>
      reference(column, 'users'),
    ),
    reference('assigned_group_id', 'user_groups'),
  ];
}
