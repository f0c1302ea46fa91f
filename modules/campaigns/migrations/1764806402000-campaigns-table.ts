import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

export class CampaignsTable1764806402000 implements MigrationInterface {
  name = 'CampaignsTable1764806402000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'campaign_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'campaign_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'campaign_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'campaign_status', type: 'varchar', length: '255', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'expected_revenue_cents', type: 'bigint', isNullable: true },
          { name: 'expected_close_date', type: 'date', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_campaigns_name', columnNames: ['campaign_name'] }),
          new TableIndex({ name: 'ix_campaigns_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_campaigns_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_campaigns_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: ['assigned_user_id', 'created_by_id', 'modified_by_id'].map(
          (column) =>
            new TableForeignKey({
              name: `fk_campaigns_${column}`,
              columnNames: [column],
              referencedTableName: 'users',
              referencedColumnNames: ['id'],
              onDelete: 'RESTRICT',
              onUpdate: 'NO ACTION',
            }),
        ),
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaigns');
  }
}
