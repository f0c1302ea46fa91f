import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** The indexes that cover the potentials' list totals, pipeline board and Budget figures, as they were. */
const COVERING_INDEXES: Record<string, string[]> = {
  ix_potentials_pipeline: [
    'assigned_user_id',
    'sales_stage',
    'expected_close_date',
    'amount_cents',
    'probability',
  ],
  ix_potentials_stage_close: ['sales_stage', 'expected_close_date', 'amount_cents', 'probability'],
  ix_potentials_effective_close: ['effective_close_date', 'sales_stage', 'assigned_user_id', 'amount_cents'],
  ix_potentials_budget_pipeline: [
    'expected_close_date',
    'sales_stage',
    'probability',
    'amount_cents',
    'product_line',
    'assigned_user_id',
    'assigned_group_id',
  ],
};

/**
 * Adds `deleted_at` at the end of the indexes that cover the potentials' totals. Every query of the access
 * scope now leaves out the recycle bin with `deleted_at IS NULL`, which an index without that column cannot
 * check, so the database would read each counted row. At the end, the column changes no index's prefix.
 */
export class PotentialsBinInCoveringIndexes1765400041000 implements MigrationInterface {
  name = 'PotentialsBinInCoveringIndexes1765400041000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, columns] of Object.entries(COVERING_INDEXES))
      await this.replace(queryRunner, name, [...columns, 'deleted_at']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name, columns] of Object.entries(COVERING_INDEXES))
      await this.replace(queryRunner, name, columns);
  }

  private async replace(queryRunner: QueryRunner, name: string, columnNames: string[]): Promise<void> {
    // MariaDB refuses to drop an index that a foreign key needs (ix_potentials_pipeline serves the assigned
    // user's), unless the same statement adds the index that replaces it.
    if (queryRunner.connection.options.type !== 'better-sqlite3') {
      const columns = columnNames.map((column) => `\`${column}\``).join(', ');
      await queryRunner.query(
        `ALTER TABLE \`potentials\` DROP INDEX \`${name}\`, ADD INDEX \`${name}\` (${columns})`,
      );
      return;
    }
    await queryRunner.dropIndex('potentials', name);
    await queryRunner.createIndex('potentials', new TableIndex({ name, columnNames }));
  }
}
