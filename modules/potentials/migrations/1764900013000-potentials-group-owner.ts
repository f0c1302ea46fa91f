import { MigrationInterface, QueryRunner } from 'typeorm';
import { addGroupOwnerColumn, dropGroupOwnerColumn } from '../../../src/records/owner-migration.js';

/** Lets a potential be assigned to a group of users. */
export class PotentialsGroupOwner1764900013000 implements MigrationInterface {
  name = 'PotentialsGroupOwner1764900013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addGroupOwnerColumn(queryRunner, 'potentials');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropGroupOwnerColumn(queryRunner, 'potentials');
  }
}
