import { DataSource, Table, TableColumn } from 'typeorm';
import { columnOptions } from '../records/entity-schema.js';
import { columnOf, customFieldTable, FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { checkCustomFieldName, checkTableName } from './custom-fields.js';

/**
 * Returns the columns of the module's custom-field table, or none when the module has no custom field yet.
 */
export async function customFieldColumns(
  dataSource: DataSource,
  manifest: ModuleManifest,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const table = await runner.getTable(checkTableName(customFieldTable(manifest)));
    return table ? table.columns.map((column) => column.name) : [];
  } finally {
    await runner.release();
  }
}

/**
 * Adds the typed column of a custom field to the module's custom-field table, creating the table first for
 * the module's first custom field. DDL commits on its own on MariaDB, so this runs outside any transaction.
 * NOTE: on SQLite, TypeORM's addColumn copies the whole custom-field table into a new one, so adding a
 * field takes time in proportion to the module's records there.
 */
export async function addCustomFieldColumn(
  dataSource: DataSource,
  manifest: ModuleManifest,
  field: FieldDefinition,
): Promise<void> {
  const tableName = checkTableName(customFieldTable(manifest));
  checkCustomFieldName(field.name);
  const options = columnOptions(field);
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(tableName))) {
      await runner.createTable(
        new Table({
          name: tableName,
          columns: [{ name: 'id', type: 'integer', isPrimary: true }],
          foreignKeys: [
            {
              name: `fk_${tableName}_id`,
              columnNames: ['id'],
              referencedTableName: checkTableName(manifest.table),
              referencedColumnNames: ['id'],
              onDelete: 'CASCADE',
            },
          ],
        }),
      );
    }
    await runner.addColumn(
      tableName,
      new TableColumn({
        name: columnOf(field),
        type: String(options.type),
        length: options.length === undefined ? undefined : String(options.length),
        isNullable: true,
      }),
    );
  } finally {
    await runner.release();
  }
}

/**
 * Drops the column of a custom field from the module's custom-field table, with the values in it. The table
 * stays, even without custom columns. A column that is already gone, as after an interrupted purge, is
 * left alone. DDL commits on its own on MariaDB, so this runs outside any transaction.
 * NOTE: on SQLite, TypeORM's dropColumn copies the whole custom-field table into a new one.
 */
export async function dropCustomFieldColumn(
  dataSource: DataSource,
  manifest: ModuleManifest,
  field: FieldDefinition,
): Promise<void> {
  const tableName = checkTableName(customFieldTable(manifest));
  checkCustomFieldName(field.name);
  const runner = dataSource.createQueryRunner();
  try {
    const table = await runner.getTable(tableName);
    if (table?.findColumnByName(columnOf(field))) await runner.dropColumn(table, columnOf(field));
  } finally {
    await runner.release();
  }
}
