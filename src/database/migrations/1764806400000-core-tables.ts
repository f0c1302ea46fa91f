import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class CoreTables1764806400000 implements MigrationInterface {
  name = 'CoreTables1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The session store's DeleteDateColumn is datetime(6) on MariaDB/MySQL, while SQLite keeps no precision.
    const sessionTimePrecision =
      queryRunner.dataSource.driver.options.type === 'better-sqlite3' ? undefined : 6;

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'username', type: 'varchar', length: '60' },
          { name: 'full_name', type: 'varchar', length: '120' },
          { name: 'email', type: 'varchar', length: '255', isNullable: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'is_active', type: 'boolean', default: 1 },
          { name: 'is_admin', type: 'boolean', default: 0 },
          { name: 'locale', type: 'varchar', length: '5', default: "'en'" },
          { name: 'created_at', type: 'datetime' },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'uq_users_username', columnNames: ['username'], isUnique: true })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'expiredAt', type: 'bigint' },
          { name: 'json', type: 'text' },
          { name: 'destroyedAt', type: 'datetime', precision: sessionTimePrecision, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_sessions_expired_at', columnNames: ['expiredAt'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'app_settings',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'value', type: 'text' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'record_sequences',
        columns: [
          { name: 'module', type: 'varchar', length: '50', isPrimary: true },
          { name: 'next_value', type: 'integer' },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'picklist_values',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'field', type: 'varchar', length: '64' },
          { name: 'value', type: 'varchar', length: '255' },
          { name: 'sort_order', type: 'integer' },
          { name: 'probability', type: 'integer', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '10', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_picklist_values',
            columnNames: ['module', 'field', 'value'],
            isUnique: true,
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'import_jobs',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'user_id', type: 'integer' },
          { name: 'file_name', type: 'varchar', length: '255' },
          { name: 'stored_name', type: 'varchar', length: '100' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'settings', type: 'text' },
          { name: 'result', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'import_jobs',
      'picklist_values',
      'record_sequences',
      'app_settings',
      'sessions',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
