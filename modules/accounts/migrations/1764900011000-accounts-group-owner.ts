import { MigrationInterface, QueryRunner } from 'typeorm';
import { addGroupOwnerColumn, dropGroupOwnerColumn } from '../../../src/records/owner-migration.js';

/** Lets a account be assigned to a group of users. */
export class AccountsGroupOwner1764900011000 implements MigrationInterface {
  name = 'AccountsGroupOwner1764900011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addGroupOwnerColumn(queryRunner, 'accounts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropGroupOwnerColumn(queryRunner, 'accounts');
  }
}
