import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Adds one row per picklist, written when its values are first seeded. Start-up seeds only picklists
 * without a row, so a picklist whose values an administrator removed, renamed or reordered keeps them
 * as edited. Picklists seeded before this migration get their row from the values they already have.
 */
export class Picklists1764900014000 implements MigrationInterface {
  name = 'Picklists1764900014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'picklists',
        columns: [
          { name: 'module', type: 'varchar', length: '50', isPrimary: true },
          { name: 'field', type: 'varchar', length: '64', isPrimary: true },
          { name: 'version', type: 'integer' },
        ],
      }),
    );
    await queryRunner.query(
      'INSERT INTO picklists (module, field, version) SELECT DISTINCT module, field, 1 FROM picklist_values',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('picklists');
  }
}
