import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds profiles (what a role may do per module, and which fields it may not see or change), seeded with
 * Administrator for the Organisation role and Sales for the other two shipped roles. Both seeded profiles
 * have no permission rows, because a module without a row counts as fully allowed.
 */
export class Profiles1764900004000 implements MigrationInterface {
  name = 'Profiles1764900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'profiles',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'description', type: 'varchar', length: '255', default: "''" },
        ],
        indices: [new TableIndex({ name: 'uq_profiles_name', columnNames: ['name'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'role_profiles',
        columns: [
          { name: 'role_id', type: 'integer', isPrimary: true },
          { name: 'profile_id', type: 'integer', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'ix_role_profiles_profile', columnNames: ['profile_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_role_profiles_role_id',
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_role_profiles_profile_id',
            columnNames: ['profile_id'],
            referencedTableName: 'profiles',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'profile_module_permissions',
        columns: [
          { name: 'profile_id', type: 'integer', isPrimary: true },
          { name: 'module', type: 'varchar', length: '50', isPrimary: true },
          { name: 'can_view', type: 'boolean' },
          { name: 'can_create', type: 'boolean' },
          { name: 'can_edit', type: 'boolean' },
          { name: 'can_delete', type: 'boolean' },
          { name: 'can_import', type: 'boolean' },
          { name: 'can_export', type: 'boolean' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_profile_module_permissions_profile_id',
            columnNames: ['profile_id'],
            referencedTableName: 'profiles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'profile_field_permissions',
        columns: [
          { name: 'profile_id', type: 'integer', isPrimary: true },
          { name: 'module', type: 'varchar', length: '50', isPrimary: true },
          { name: 'field', type: 'varchar', length: '64', isPrimary: true },
          { name: 'access', type: 'varchar', length: '20' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_profile_field_permissions_profile_id',
            columnNames: ['profile_id'],
            referencedTableName: 'profiles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );

    const seed: [number, string, string][] = [
      [1, 'Administrator', 'Every action on every module, and the administration of users and layouts.'],
      [2, 'Sales', 'Every action on every module, but no user or layout administration.'],
    ];
    for (const [id, name, description] of seed) {
      await queryRunner.query('INSERT INTO profiles (id, name, description) VALUES (?, ?, ?)', [
        id,
        name,
        description,
      ]);
    }
    // Roles an administrator added before this migration get Sales, as the shipped non-root roles do.
    await queryRunner.query(
      'INSERT INTO role_profiles (role_id, profile_id) SELECT id, CASE WHEN parent_id IS NULL THEN 1 ELSE 2 END FROM roles',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('profile_field_permissions');
    await queryRunner.dropTable('profile_module_permissions');
    await queryRunner.dropTable('role_profiles');
    await queryRunner.dropTable('profiles');
  }
}
