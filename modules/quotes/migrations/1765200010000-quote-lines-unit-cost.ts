import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Adds the product's unit cost as a quote line stored it, so that a deal's margin stays as quoted when the
 * product's cost changes later. Lines stored before stay empty: their cost at the time is not known.
 */
export class QuoteLinesUnitCost1765200010000 implements MigrationInterface {
  name = 'QuoteLinesUnitCost1765200010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'quote_lines',
      new TableColumn({ name: 'unit_cost_cents', type: 'bigint', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('quote_lines', 'unit_cost_cents');
  }
}
