import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * The tables of the business modules shipped when the recycle bin came. A module added later creates its
 * table with the bin's columns in its own migration. A table of a module that is not enabled is skipped.
 */
const MODULE_TABLES = ['leads', 'accounts', 'contacts', 'potentials', 'products', 'quotes', 'campaigns'];

/**
 * Adds to every module table the columns that put a record in the recycle bin instead of deleting its row:
 * when it was deleted and by whom. Lists leave out the rows whose `deleted_at` is set.
 */
export class RecycleBin1765400040000 implements MigrationInterface {
  name = 'RecycleBin1765400040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of MODULE_TABLES) {
      if (!(await queryRunner.hasTable(table))) continue;

      await queryRunner.addColumns(table, [
        new TableColumn({ name: 'deleted_at', type: 'datetime', isNullable: true }),
        new TableColumn({ name: 'deleted_by_id', type: 'integer', isNullable: true }),
      ]);
      await queryRunner.createIndex(
        table,
        new TableIndex({ name: `ix_${table}_deleted_at`, columnNames: ['deleted_at'] }),
      );
      await queryRunner.createForeignKey(
        table,
        new TableForeignKey({
          name: `fk_${table}_deleted_by_id`,
          columnNames: ['deleted_by_id'],
          referencedTableName: 'users',
          referencedColumnNames: ['id'],
          onDelete: 'RESTRICT',
          onUpdate: 'NO ACTION',
        }),
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of MODULE_TABLES) {
      if (!(await queryRunner.hasTable(table))) continue;

      await queryRunner.dropForeignKey(table, `fk_${table}_deleted_by_id`);
      await queryRunner.dropIndex(table, `ix_${table}_deleted_at`);
      await queryRunner.dropColumns(table, ['deleted_by_id', 'deleted_at']);
    }
  }
}
