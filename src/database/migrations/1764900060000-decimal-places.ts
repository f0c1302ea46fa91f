import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Adds the number of decimal places that a decimal custom field keeps. */
export class DecimalPlaces1764900060000 implements MigrationInterface {
  name = 'DecimalPlaces1764900060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'custom_fields',
      new TableColumn({ name: 'decimal_places', type: 'integer', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('custom_fields', 'decimal_places');
  }
}
