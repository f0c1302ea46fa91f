import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds the history of records: one row a save, import, conversion or link change in `record_changes`, and
 * one row a changed field in `record_change_fields`. Every module writes to the same two tables.
 */
export class RecordChanges1765400030000 implements MigrationInterface {
  name = 'RecordChanges1765400030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'record_changes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'record_id', type: 'integer' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'source', type: 'varchar', length: '20' },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'changed_at', type: 'datetime' },
          { name: 'relation', type: 'varchar', length: '120', isNullable: true },
          { name: 'related_module', type: 'varchar', length: '50', isNullable: true },
          { name: 'related_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_record_changes_record', columnNames: ['module', 'record_id', 'id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_record_changes_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'record_change_fields',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'change_id', type: 'integer' },
          { name: 'field', type: 'varchar', length: '100' },
          // TEXT, as a textarea's own column, so that every value a record column accepts fits.
          { name: 'old_value', type: 'text', isNullable: true },
          { name: 'new_value', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_record_change_fields_change', columnNames: ['change_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_record_change_fields_change_id',
            columnNames: ['change_id'],
            referencedTableName: 'record_changes',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('record_change_fields');
    await queryRunner.dropTable('record_changes');
  }
}
