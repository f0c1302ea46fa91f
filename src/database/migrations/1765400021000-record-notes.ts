import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds the notes that users write on records of any module. The index serves a record's timeline, which reads
 * its notes newest first.
 */
export class RecordNotes1765400021000 implements MigrationInterface {
  name = 'RecordNotes1765400021000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'record_notes',
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
          { name: 'body', type: 'text' },
          { name: 'author_id', type: 'integer', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'edited_at', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ix_record_notes_record',
            columnNames: ['module', 'record_id', 'created_at'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_record_notes_author_id',
            columnNames: ['author_id'],
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
    await queryRunner.dropTable('record_notes');
  }
}
