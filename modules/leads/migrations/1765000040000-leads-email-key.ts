import { MigrationInterface, QueryRunner } from 'typeorm';
import { addKeyColumn, dropKeyColumn } from '../../../src/records/key-column-migration.js';

/** Adds the email key that the duplicate check of leads and contacts looks up. */
export class LeadsEmailKey1765000040000 implements MigrationInterface {
  name = 'LeadsEmailKey1765000040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addKeyColumn(queryRunner, 'leads', 'email');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropKeyColumn(queryRunner, 'leads', 'email');
  }
}
