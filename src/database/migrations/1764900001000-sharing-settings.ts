import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Adds the organisation-wide sharing level of each module; a module without a row is fully public. */
export class SharingSettings1764900001000 implements MigrationInterface {
  name = 'SharingSettings1764900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sharing_settings',
        columns: [
          { name: 'module', type: 'varchar', length: '50', isPrimary: true },
          { name: 'level', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sharing_settings');
  }
}
