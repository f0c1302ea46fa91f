import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of accounts is checked against when it is saved. */
export class AccountsRecordVersion1765400050000 implements MigrationInterface {
  name = 'AccountsRecordVersion1765400050000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'accounts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'accounts');
  }
}
