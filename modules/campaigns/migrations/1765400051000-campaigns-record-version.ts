import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of campaigns is checked against when it is saved. */
export class CampaignsRecordVersion1765400051000 implements MigrationInterface {
  name = 'CampaignsRecordVersion1765400051000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'campaigns');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'campaigns');
  }
}
