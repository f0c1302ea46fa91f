import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds the list columns each user chooses per module, stored on the server so that they follow the user
 * to every browser and every app instance. A deleted user's choices go with them.
 */
export class ListColumnChoices1764900090000 implements MigrationInterface {
  name = 'ListColumnChoices1764900090000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'list_column_choices',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer' },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'fields', type: 'text' },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({
            name: 'uq_list_column_choices_user',
            columnNames: ['user_id', 'module'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_list_column_choices_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('list_column_choices');
  }
}
