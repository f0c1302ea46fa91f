import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Creates the leads, with the links that record what a converted lead became. */
export class LeadsTable1765000002000 implements MigrationInterface {
  name = 'LeadsTable1765000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'leads',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'salutation', type: 'varchar', length: '255', isNullable: true },
          { name: 'first_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'last_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'lead_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'company', type: 'varchar', length: '255', isNullable: true },
          { name: 'title', type: 'varchar', length: '255', isNullable: true },
          { name: 'email', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone', type: 'varchar', length: '255', isNullable: true },
          { name: 'mobile', type: 'varchar', length: '255', isNullable: true },
          { name: 'website', type: 'varchar', length: '255', isNullable: true },
          { name: 'lead_source', type: 'varchar', length: '255', isNullable: true },
          { name: 'lead_status', type: 'varchar', length: '255', isNullable: true },
          { name: 'industry', type: 'varchar', length: '255', isNullable: true },
          { name: 'annual_revenue_cents', type: 'bigint', isNullable: true },
          { name: 'rating', type: 'varchar', length: '255', isNullable: true },
          { name: 'employees', type: 'integer', isNullable: true },
          { name: 'campaign_id', type: 'integer', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'street', type: 'text', isNullable: true },
          { name: 'po_box', type: 'varchar', length: '255', isNullable: true },
          { name: 'city', type: 'varchar', length: '255', isNullable: true },
          { name: 'state', type: 'varchar', length: '255', isNullable: true },
          { name: 'postal_code', type: 'varchar', length: '255', isNullable: true },
          { name: 'country', type: 'varchar', length: '255', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'converted_at', type: 'datetime', isNullable: true },
          { name: 'converted_account_id', type: 'integer', isNullable: true },
          { name: 'converted_contact_id', type: 'integer', isNullable: true },
          { name: 'converted_potential_id', type: 'integer', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_leads_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_leads_assigned_group_id', columnNames: ['assigned_group_id'] }),
          new TableIndex({ name: 'ix_leads_email', columnNames: ['email'] }),
          new TableIndex({ name: 'ix_leads_last_name', columnNames: ['last_name'] }),
          new TableIndex({ name: 'ix_leads_campaign', columnNames: ['campaign_id'] }),
          new TableIndex({ name: 'ix_leads_converted_potential', columnNames: ['converted_potential_id'] }),
          new TableIndex({ name: 'ix_leads_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_leads_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_leads_campaign_id',
            columnNames: ['campaign_id'],
            referencedTableName: 'campaigns',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_converted_account_id',
            columnNames: ['converted_account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_converted_contact_id',
            columnNames: ['converted_contact_id'],
            referencedTableName: 'contacts',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_converted_potential_id',
            columnNames: ['converted_potential_id'],
            referencedTableName: 'potentials',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_assigned_user_id',
            columnNames: ['assigned_user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_created_by_id',
            columnNames: ['created_by_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_modified_by_id',
            columnNames: ['modified_by_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_leads_assigned_group_id',
            columnNames: ['assigned_group_id'],
            referencedTableName: 'user_groups',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('leads');
  }
}
