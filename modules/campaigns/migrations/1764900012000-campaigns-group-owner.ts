import { MigrationInterface, QueryRunner } from 'typeorm';
import { addGroupOwnerColumn, dropGroupOwnerColumn } from '../../../src/records/owner-migration.js';

/** Lets a campaign be assigned to a group of users. */
export class CampaignsGroupOwner1764900012000 implements MigrationInterface {
  name = 'CampaignsGroupOwner1764900012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addGroupOwnerColumn(queryRunner, 'campaigns');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropGroupOwnerColumn(queryRunner, 'campaigns');
  }
}
