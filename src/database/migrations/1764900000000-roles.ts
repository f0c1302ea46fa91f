import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/** Adds the role tree, seeded with Organisation → Sales Manager → Salesperson, and a role for every user. */
export class Roles1764900000000 implements MigrationInterface {
  name = 'Roles1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'roles',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'parent_id', type: 'integer', isNullable: true },
          { name: 'path', type: 'varchar', length: '255' },
          { name: 'assign_scope', type: 'varchar', length: '20', default: "'all'" },
          { name: 'created_at', type: 'datetime' },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'ix_roles_parent', columnNames: ['parent_id'] }),
          new TableIndex({ name: 'ix_roles_path', columnNames: ['path'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_roles_parent_id',
            columnNames: ['parent_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );

    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    const seed: [number, string, number | null, string][] = [
      [1, 'Organisation', null, '/1/'],
      [2, 'Sales Manager', 1, '/1/2/'],
      [3, 'Salesperson', 2, '/1/2/3/'],
    ];
    for (const [id, name, parentId, path] of seed) {
      await queryRunner.query(
        'INSERT INTO roles (id, name, parent_id, path, assign_scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [id, name, parentId, path, 'all', now, now],
      );
    }

    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'role_id', type: 'integer', isNullable: true }),
    );
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'ix_users_role', columnNames: ['role_id'] }),
    );
    await queryRunner.createForeignKey(
      'users',
      new TableForeignKey({
        name: 'fk_users_role_id',
        columnNames: ['role_id'],
        referencedTableName: 'roles',
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
        onUpdate: 'NO ACTION',
      }),
    );
    // Administrators head the organisation; everyone else starts as a salesperson.
    await queryRunner.query('UPDATE users SET role_id = CASE WHEN is_admin = ? THEN 1 ELSE 3 END', [true]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('users', 'fk_users_role_id');
    await queryRunner.dropIndex('users', 'ix_users_role');
    await queryRunner.dropColumn('users', 'role_id');
    await queryRunner.dropTable('roles');
  }
}
