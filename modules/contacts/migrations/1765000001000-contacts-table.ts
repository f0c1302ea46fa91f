import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Creates the contacts: the people of the customer companies. */
export class ContactsTable1765000001000 implements MigrationInterface {
  name = 'ContactsTable1765000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'contacts',
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
          { name: 'contact_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'account_id', type: 'integer', isNullable: true },
          { name: 'title', type: 'varchar', length: '255', isNullable: true },
          { name: 'department', type: 'varchar', length: '255', isNullable: true },
          { name: 'email', type: 'varchar', length: '255', isNullable: true },
          { name: 'phone', type: 'varchar', length: '255', isNullable: true },
          { name: 'mobile', type: 'varchar', length: '255', isNullable: true },
          { name: 'home_phone', type: 'varchar', length: '255', isNullable: true },
          { name: 'lead_source', type: 'varchar', length: '255', isNullable: true },
          { name: 'birthdate', type: 'date', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'mailing_street', type: 'text', isNullable: true },
          { name: 'mailing_po_box', type: 'varchar', length: '255', isNullable: true },
          { name: 'mailing_city', type: 'varchar', length: '255', isNullable: true },
          { name: 'mailing_state', type: 'varchar', length: '255', isNullable: true },
          { name: 'mailing_zip', type: 'varchar', length: '255', isNullable: true },
          { name: 'mailing_country', type: 'varchar', length: '255', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_contacts_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_contacts_assigned_group_id', columnNames: ['assigned_group_id'] }),
          new TableIndex({ name: 'ix_contacts_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_contacts_email', columnNames: ['email'] }),
          new TableIndex({ name: 'ix_contacts_last_name', columnNames: ['last_name'] }),
          new TableIndex({ name: 'ix_contacts_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_contacts_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_contacts_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_contacts_assigned_user_id',
            columnNames: ['assigned_user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_contacts_created_by_id',
            columnNames: ['created_by_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_contacts_modified_by_id',
            columnNames: ['modified_by_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_contacts_assigned_group_id',
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
    await queryRunner.dropTable('contacts');
  }
}
