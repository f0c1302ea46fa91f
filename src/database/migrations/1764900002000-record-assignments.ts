import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Adds the history of record reassignments. */
export class RecordAssignments1764900002000 implements MigrationInterface {
  name = 'RecordAssignments1764900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'record_assignments',
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
          { name: 'from_user_id', type: 'integer', isNullable: true },
          { name: 'to_user_id', type: 'integer', isNullable: true },
          { name: 'changed_by_id', type: 'integer' },
          { name: 'changed_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'ix_record_assignments_record', columnNames: ['module', 'record_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('record_assignments');
  }
}
