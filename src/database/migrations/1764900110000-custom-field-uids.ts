import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Gives every custom field a random uid that a layout file carries to another installation, where the
 * generated `cf_<n>` name may belong to another field. Fields defined before this migration get one here.
 */
export class CustomFieldUids1764900110000 implements MigrationInterface {
  name = 'CustomFieldUids1764900110000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'custom_fields',
      new TableColumn({ name: 'uid', type: 'varchar', length: '36', isNullable: true }),
    );
    const rows = (await queryRunner.query('SELECT id FROM custom_fields')) as { id: number }[];
    for (const row of rows)
      await queryRunner.query('UPDATE custom_fields SET uid = ? WHERE id = ?', [randomUUID(), row.id]);
    await queryRunner.createIndex(
      'custom_fields',
      new TableIndex({ name: 'uq_custom_fields_uid', columnNames: ['uid'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('custom_fields', 'uq_custom_fields_uid');
    await queryRunner.dropColumn('custom_fields', 'uid');
  }
}
