import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionColumn, dropVersionColumn } from '../../../src/records/version-migration.js';

/** Adds the version that an edit form of products is checked against when it is saved. */
export class ProductsRecordVersion1765400055000 implements MigrationInterface {
  name = 'ProductsRecordVersion1765400055000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionColumn(queryRunner, 'products');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionColumn(queryRunner, 'products');
  }
}
