import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Keeps the history of a potential's sales stage: every change, from which stage to which, who made it and
 * when, by which path, with the amount and probability at that moment and, on entering a closed stage, the
 * effective close date.
 */
export class PotentialsStageHistory1765200060000 implements MigrationInterface {
  name = 'PotentialsStageHistory1765200060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'potential_stage_changes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'potential_id', type: 'integer' },
          { name: 'changed_at', type: 'datetime' },
          { name: 'from_stage', type: 'varchar', length: '255', isNullable: true },
          { name: 'to_stage', type: 'varchar', length: '255' },
          { name: 'amount_cents', type: 'bigint', isNullable: true },
          { name: 'probability', type: 'integer', isNullable: true },
          { name: 'effective_close_date', type: 'date', isNullable: true },
          { name: 'source', type: 'varchar', length: '10' },
          { name: 'user_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ix_potential_stage_changes_potential',
            columnNames: ['potential_id', 'changed_at'],
          }),
          new TableIndex({
            name: 'ix_potential_stage_changes_stage',
            columnNames: ['to_stage', 'potential_id'],
          }),
          new TableIndex({ name: 'ix_potential_stage_changes_user', columnNames: ['user_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_potential_stage_changes_potential_id',
            columnNames: ['potential_id'],
            referencedTableName: 'potentials',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_potential_stage_changes_user_id',
            columnNames: ['user_id'],
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
    await queryRunner.dropTable('potential_stage_changes');
  }
}
