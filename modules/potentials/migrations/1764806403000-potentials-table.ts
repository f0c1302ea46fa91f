import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

export class PotentialsTable1764806403000 implements MigrationInterface {
  name = 'PotentialsTable1764806403000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const userColumns = ['assigned_user_id', 'created_by_id', 'modified_by_id'];

    await queryRunner.createTable(
      new Table({
        name: 'potentials',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'potential_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'potential_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'amount_cents', type: 'bigint', isNullable: true },
          { name: 'account_id', type: 'integer', isNullable: true },
          { name: 'expected_close_date', type: 'date', isNullable: true },
          { name: 'potential_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'next_step', type: 'varchar', length: '255', isNullable: true },
          { name: 'lead_source', type: 'varchar', length: '255', isNullable: true },
          { name: 'sales_stage', type: 'varchar', length: '255', isNullable: true },
          { name: 'probability', type: 'integer', isNullable: true },
          { name: 'effective_close_date', type: 'date', isNullable: true },
          { name: 'campaign_id', type: 'integer', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          // Covers the pipeline's common filters and its totals (amount, weighted amount) without a table read.
          new TableIndex({
            name: 'ix_potentials_pipeline',
            columnNames: [
              'assigned_user_id',
              'sales_stage',
              'expected_close_date',
              'amount_cents',
              'probability',
            ],
          }),
          new TableIndex({
            name: 'ix_potentials_stage_close',
            columnNames: ['sales_stage', 'expected_close_date', 'amount_cents', 'probability'],
          }),
          new TableIndex({ name: 'ix_potentials_close_date', columnNames: ['expected_close_date'] }),
          new TableIndex({ name: 'ix_potentials_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_potentials_campaign', columnNames: ['campaign_id'] }),
          new TableIndex({ name: 'ix_potentials_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_potentials_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_potentials_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_potentials_campaign_id',
            columnNames: ['campaign_id'],
            referencedTableName: 'campaigns',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          ...userColumns.map(
            (column) =>
              new TableForeignKey({
                name: `fk_potentials_${column}`,
                columnNames: [column],
                referencedTableName: 'users',
                referencedColumnNames: ['id'],
                onDelete: 'RESTRICT',
                onUpdate: 'NO ACTION',
              }),
          ),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('potentials');
  }
}
