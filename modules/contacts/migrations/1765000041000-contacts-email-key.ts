import { MigrationInterface, QueryRunner } from 'typeorm';
import { addKeyColumn, dropKeyColumn } from '../../../src/records/key-column-migration.js';

/** Adds the email key that the duplicate check of leads and contacts looks up. */
export class ContactsEmailKey1765000041000 implements MigrationInterface {
  name = 'ContactsEmailKey1765000041000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addKeyColumn(queryRunner, 'contacts', 'email');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropKeyColumn(queryRunner, 'contacts', 'email');
  }
}
