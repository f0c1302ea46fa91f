import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of potentials is checked against when it is saved. */
export class PotentialsRecordVersion1765400054000 implements MigrationInterface {
  name = 'PotentialsRecordVersion1765400054000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'potentials');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'potentials');
  }
}
