import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Adds the properties an administrator sets on a field in the Layout Editor (mandatory, for now), kept as
 * JSON beside the field's place in the stored layout so that standard and custom fields share one shape.
 */
export class FieldProperties1764900050000 implements MigrationInterface {
  name = 'FieldProperties1764900050000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'layout_fields',
      new TableColumn({ name: 'properties', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('layout_fields', 'properties');
  }
}
