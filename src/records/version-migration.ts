import { QueryRunner, TableColumn } from 'typeorm';
import { VERSION_COLUMN } from './manifest.js';

/**
 * Adds the version column that a stale save is detected with to a module's table. Records already saved
 * start at version 1. Each module calls it from a migration of its own.
 */
export async function addVersionColumn(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.addColumn(
    table,
    new TableColumn({ name: VERSION_COLUMN, type: 'integer', isNullable: false, default: 1 }),
  );
}

export async function dropVersionColumn(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.dropColumn(table, VERSION_COLUMN);
}
