import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** The id that the profiles migration gave the shipped Administrator profile. */
const ADMINISTRATOR_PROFILE_ID = 1;

/**
 * Adds the two administration areas a profile can grant: user administration (users, user import, roles,
 * profiles and sharing) and layout administration (the Layout Editor). The shipped Administrator profile
 * gets both, on a new install and on an existing one; every other profile, Sales included, gets neither.
 */
export class ProfileAdminAreas1764900005000 implements MigrationInterface {
  name = 'ProfileAdminAreas1764900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('profiles', [
      new TableColumn({ name: 'can_administer_users', type: 'boolean', default: 0 }),
      new TableColumn({ name: 'can_administer_layout', type: 'boolean', default: 0 }),
    ]);
    await queryRunner.query(
      'UPDATE profiles SET can_administer_users = ?, can_administer_layout = ? WHERE id = ?',
      [true, true, ADMINISTRATOR_PROFILE_ID],
    );

    // Until now only the administrator flag opened these pages, so say who gains them through a role.
    const gaining = (await queryRunner.query(
      `SELECT u.username FROM users u
         JOIN role_profiles rp ON rp.role_id = u.role_id
        WHERE rp.profile_id = ? AND u.is_admin = ?
        ORDER BY u.username`,
      [ADMINISTRATOR_PROFILE_ID, false],
    )) as { username: string }[];
    if (gaining.length > 0) {
      new Logger(ProfileAdminAreas1764900005000.name).warn(
        `${gaining.length} users without the administrator flag can now administer users and layouts, ` +
          `because their role has the Administrator profile: ${gaining.map((row) => row.username).join(', ')}. ` +
          'Give their roles another profile under Roles if they should not.',
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('profiles', 'can_administer_layout');
    await queryRunner.dropColumn('profiles', 'can_administer_users');
  }
}
