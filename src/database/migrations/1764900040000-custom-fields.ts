import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Adds the definitions of the custom fields administrators add in the Layout Editor. Their values live in
 * a `<table>_cf` table per module, which the first custom field of the module creates.
 */
export class CustomFields1764900040000 implements MigrationInterface {
  name = 'CustomFields1764900040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'custom_fields',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'type', type: 'varchar', length: '20' },
          { name: 'max_length', type: 'integer', isNullable: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'created_by_id', type: 'integer' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_custom_fields_name', columnNames: ['module', 'name'], isUnique: true }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('custom_fields');
  }
}
