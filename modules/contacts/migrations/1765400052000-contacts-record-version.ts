import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of contacts is checked against when it is saved. */
export class ContactsRecordVersion1765400052000 implements MigrationInterface {
  name = 'ContactsRecordVersion1765400052000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'contacts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'contacts');
  }
}
