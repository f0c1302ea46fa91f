import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Records whether a custom field's column has an index, which the administrator chooses when adding the
 * field. Existing custom fields have none.
 */
export class CustomFieldIndexes1764900120000 implements MigrationInterface {
  name = 'CustomFieldIndexes1764900120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'custom_fields',
      new TableColumn({ name: 'is_indexed', type: 'boolean', default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('custom_fields', 'is_indexed');
  }
}
