import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Adds the targets of the Budget module: one row per scope and month, with the amount in cents. */
export class BudgetTargets1765200050000 implements MigrationInterface {
  name = 'BudgetTargets1765200050000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'budget_targets',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'scope_kind', type: 'varchar', length: '20' },
          { name: 'scope_key', type: 'varchar', length: '255' },
          { name: 'year', type: 'integer' },
          { name: 'month', type: 'integer' },
          { name: 'amount_cents', type: 'bigint' },
          { name: 'updated_at', type: 'datetime' },
          { name: 'updated_by', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_budget_targets_scope_month',
            columnNames: ['scope_kind', 'scope_key', 'year', 'month'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_budget_targets_year', columnNames: ['year', 'scope_kind'] }),
          new TableIndex({ name: 'ix_budget_targets_updated_by', columnNames: ['updated_by'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_budget_targets_updated_by',
            columnNames: ['updated_by'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('budget_targets');
  }
}
