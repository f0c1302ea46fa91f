import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds groups of users, lets sharing rules name a group on either side, and lets the reassignment history
 * name a group. Each module's own migration adds the column that assigns its records to a group.
 */
export class Groups1764900010000 implements MigrationInterface {
  name = 'Groups1764900010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'user_groups',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'name_key', type: 'varchar', length: '100' },
          { name: 'description', type: 'varchar', length: '255', default: "''" },
          { name: 'created_at', type: 'datetime' },
          { name: 'updated_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'uq_user_groups_name_key', columnNames: ['name_key'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'group_members',
        columns: [
          { name: 'group_id', type: 'integer', isPrimary: true },
          { name: 'user_id', type: 'integer', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'ix_group_members_user', columnNames: ['user_id', 'group_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_group_members_group_id',
            columnNames: ['group_id'],
            referencedTableName: 'user_groups',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_group_members_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );

    // A rule's side is a role or a group, so each side has a nullable role and a nullable group.
    for (const side of ['source', 'target']) {
      await queryRunner.changeColumn(
        'sharing_rules',
        `${side}_role_id`,
        new TableColumn({ name: `${side}_role_id`, type: 'integer', isNullable: true }),
      );
      await queryRunner.addColumn(
        'sharing_rules',
        new TableColumn({ name: `${side}_group_id`, type: 'integer', isNullable: true }),
      );
    }
    // The history keeps a deleted group's name, because the row it named is gone.
    for (const side of ['from', 'to']) {
      await queryRunner.addColumn(
        'record_assignments',
        new TableColumn({ name: `${side}_group_id`, type: 'integer', isNullable: true }),
      );
      await queryRunner.addColumn(
        'record_assignments',
        new TableColumn({ name: `${side}_group_name`, type: 'varchar', length: '100', isNullable: true }),
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const side of ['from', 'to']) {
      await queryRunner.dropColumn('record_assignments', `${side}_group_id`);
      await queryRunner.dropColumn('record_assignments', `${side}_group_name`);
    }
    await queryRunner.query(
      `DELETE FROM sharing_rules WHERE source_role_id IS NULL OR target_role_id IS NULL`,
    );
    for (const side of ['source', 'target']) {
      await queryRunner.dropColumn('sharing_rules', `${side}_group_id`);
      await queryRunner.changeColumn(
        'sharing_rules',
        `${side}_role_id`,
        new TableColumn({ name: `${side}_role_id`, type: 'integer' }),
      );
    }
    await queryRunner.dropTable('group_members');
    await queryRunner.dropTable('user_groups');
  }
}
