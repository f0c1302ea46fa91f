import { QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { OWNER_GROUP_COLUMN } from './manifest.js';

/**
 * Adds to a module's table the column that assigns a record to a group instead of a user. Each module with
 * an owner field calls it from a migration of its own, which runs after the core migration creating groups.
 */
export async function addGroupOwnerColumn(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.addColumn(
    table,
    new TableColumn({ name: OWNER_GROUP_COLUMN, type: 'integer', isNullable: true }),
  );
  await queryRunner.createIndex(
    table,
    new TableIndex({ name: `ix_${table}_${OWNER_GROUP_COLUMN}`, columnNames: [OWNER_GROUP_COLUMN] }),
  );
  await queryRunner.createForeignKey(
    table,
    new TableForeignKey({
      name: `fk_${table}_${OWNER_GROUP_COLUMN}`,
      columnNames: [OWNER_GROUP_COLUMN],
      referencedTableName: 'user_groups',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
      onUpdate: 'NO ACTION',
    }),
  );
}

export async function dropGroupOwnerColumn(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.dropForeignKey(table, `fk_${table}_${OWNER_GROUP_COLUMN}`);
  await queryRunner.dropIndex(table, `ix_${table}_${OWNER_GROUP_COLUMN}`);
  await queryRunner.dropColumn(table, OWNER_GROUP_COLUMN);
}
