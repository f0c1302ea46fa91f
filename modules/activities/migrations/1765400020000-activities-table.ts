import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import {
  recordTableForeignKeys,
  recordTableIndices,
  recordTableTrailingColumns,
} from '../../../src/records/record-table-migration.js';

/**
 * Creates the activities: calls, meetings and tasks with their date, time, duration, status and assigned user.
 * The records they concern are linked through record_relations, so this table has no link column.
 */
export class ActivitiesTable1765400020000 implements MigrationInterface {
  name = 'ActivitiesTable1765400020000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'activities',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'subject', type: 'varchar', length: '255', isNullable: true },
          { name: 'activity_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'status', type: 'varchar', length: '255', isNullable: true },
          { name: 'start_date', type: 'date', isNullable: true },
          { name: 'start_time', type: 'varchar', length: '5', isNullable: true },
          { name: 'duration_minutes', type: 'integer', isNullable: true },
          { name: 'due_date', type: 'date', isNullable: true },
          { name: 'priority', type: 'varchar', length: '255', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          ...recordTableTrailingColumns(),
        ],
        indices: [
          new TableIndex({ name: 'ix_activities_subject', columnNames: ['subject'] }),
          new TableIndex({ name: 'ix_activities_start_date', columnNames: ['start_date'] }),
          new TableIndex({ name: 'ix_activities_due_date', columnNames: ['due_date'] }),
          ...recordTableIndices('activities'),
        ],
        foreignKeys: recordTableForeignKeys('activities'),
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('activities');
  }
}
