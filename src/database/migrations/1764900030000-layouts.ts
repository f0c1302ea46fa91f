import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Adds the layouts administrators make in the Layout Editor (blocks, where each field goes, labels), the
 * history of their changes, and the version stamp that tells every app instance to reload them.
 */
export class Layouts1764900030000 implements MigrationInterface {
  name = 'Layouts1764900030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    } as const;
    await queryRunner.createTable(
      new Table({
        name: 'layout_blocks',
        columns: [
          id,
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'position', type: 'integer' },
          { name: 'labels', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_layout_blocks_name', columnNames: ['module', 'name'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'layout_fields',
        columns: [
          id,
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'field', type: 'varchar', length: '64' },
          { name: 'block', type: 'varchar', length: '64' },
          { name: 'position', type: 'integer' },
          { name: 'labels', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_layout_fields_field',
            columnNames: ['module', 'field'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'layout_changes',
        columns: [
          id,
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'action', type: 'varchar', length: '30' },
          { name: 'details', type: 'text' },
          { name: 'changed_by_id', type: 'integer' },
          { name: 'changed_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'ix_layout_changes_module', columnNames: ['module', 'id'] })],
      }),
    );
    await queryRunner.query(`INSERT INTO app_settings (name, value) VALUES ('layout_version', '0')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM app_settings WHERE name = 'layout_version'`);
    await queryRunner.dropTable('layout_changes');
    await queryRunner.dropTable('layout_fields');
    await queryRunner.dropTable('layout_blocks');
  }
}
