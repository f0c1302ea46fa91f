import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of quotes is checked against when it is saved. */
export class QuotesRecordVersion1765400056000 implements MigrationInterface {
  name = 'QuotesRecordVersion1765400056000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'quotes');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'quotes');
  }
}
