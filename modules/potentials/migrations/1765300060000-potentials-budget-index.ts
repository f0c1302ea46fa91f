import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes the columns that the Budget page's pipeline, best case and commit figures filter on, sum and group
 * by, so that MariaDB reads one year's range of the index alone. Without it MariaDB scans the product line
 * index over the whole table to avoid sorting the groups (measured with scripts/bench-budget.ts).
 */
export class PotentialsBudgetIndex1765300060000 implements MigrationInterface {
  name = 'PotentialsBudgetIndex1765300060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'potentials',
      new TableIndex({
        name: 'ix_potentials_budget_pipeline',
        columnNames: BUDGET_PIPELINE_COLUMNS,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('potentials', 'ix_potentials_budget_pipeline');
  }
}

const BUDGET_PIPELINE_COLUMNS = [
  'expected_close_date',
  'sales_stage',
  'probability',
  'amount_cents',
  'product_line',
  'assigned_user_id',
  'assigned_group_id',
];
