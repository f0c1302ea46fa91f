import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

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
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
          { name: 'version', type: 'integer', isNullable: false, default: 1 },
          { name: 'deleted_at', type: 'datetime', isNullable: true },
          { name: 'deleted_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_activities_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_activities_assigned_group_id', columnNames: ['assigned_group_id'] }),
          new TableIndex({ name: 'ix_activities_subject', columnNames: ['subject'] }),
          new TableIndex({ name: 'ix_activities_start_date', columnNames: ['start_date'] }),
          new TableIndex({ name: 'ix_activities_due_date', columnNames: ['due_date'] }),
          new TableIndex({ name: 'ix_activities_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_activities_modified_by', columnNames: ['modified_by_id'] }),
          new TableIndex({ name: 'ix_activities_deleted_at', columnNames: ['deleted_at'] }),
        ],
        foreignKeys: [
          ...['assigned_user_id', 'created_by_id', 'modified_by_id', 'deleted_by_id'].map(
            (column) =>
              new TableForeignKey({
                name: `fk_activities_${column}`,
                columnNames: [column],
                referencedTableName: 'users',
                referencedColumnNames: ['id'],
                onDelete: 'RESTRICT',
                onUpdate: 'NO ACTION',
              }),
          ),
          new TableForeignKey({
            name: 'fk_activities_assigned_group_id',
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
    await queryRunner.dropTable('activities');
  }
}
