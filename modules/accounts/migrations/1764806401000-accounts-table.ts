import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

export class AccountsTable1764806401000 implements MigrationInterface {
  name = 'AccountsTable1764806401000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'account_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'account_name_key', type: 'varchar', length: '255', isNullable: true },
          { name: 'account_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'website', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone', type: 'varchar', length: '255', isNullable: true },
          { name: 'email', type: 'varchar', length: '255', isNullable: true },
          { name: 'industry', type: 'varchar', length: '255', isNullable: true },
          { name: 'account_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'billing_city', type: 'varchar', length: '255', isNullable: true },
          { name: 'billing_country', type: 'varchar', length: '255', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_accounts_account_name',
            columnNames: ['account_name_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_accounts_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_accounts_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_accounts_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: ['assigned_user_id', 'created_by_id', 'modified_by_id'].map(
          (column) =>
            new TableForeignKey({
              name: `fk_accounts_${column}`,
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
    await queryRunner.dropTable('accounts');
  }
}
