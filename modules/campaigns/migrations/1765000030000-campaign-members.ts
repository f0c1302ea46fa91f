import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Adds the leads and contacts each campaign reached, with the status of the contact. */
export class CampaignMembers1765000030000 implements MigrationInterface {
  name = 'CampaignMembers1765000030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'campaign_members',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'campaign_id', type: 'integer' },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'record_id', type: 'integer' },
          { name: 'status', type: 'varchar', length: '50', isNullable: true },
          { name: 'added_at', type: 'datetime' },
          { name: 'added_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_campaign_members_member',
            columnNames: ['campaign_id', 'module', 'record_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_campaign_members_record', columnNames: ['module', 'record_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_campaign_members_campaign_id',
            columnNames: ['campaign_id'],
            referencedTableName: 'campaigns',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_campaign_members_added_by_id',
            columnNames: ['added_by_id'],
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
    await queryRunner.dropTable('campaign_members');
  }
}
