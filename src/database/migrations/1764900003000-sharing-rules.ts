import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Adds sharing rules, which open one role's records of a module to another role. */
export class SharingRules1764900003000 implements MigrationInterface {
  name = 'SharingRules1764900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sharing_rules',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'module', type: 'varchar', length: '50' },
          { name: 'source_kind', type: 'varchar', length: '30' },
          { name: 'source_role_id', type: 'integer' },
          { name: 'target_kind', type: 'varchar', length: '30' },
          { name: 'target_role_id', type: 'integer' },
          { name: 'access', type: 'varchar', length: '20' },
          { name: 'created_at', type: 'datetime' },
        ],
        indices: [new TableIndex({ name: 'ix_sharing_rules_module', columnNames: ['module'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sharing_rules');
  }
}
