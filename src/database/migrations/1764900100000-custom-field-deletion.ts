import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Records who deleted a custom field and when, so that its column and values are kept for a grace period
 * and dropped afterwards, and when that happened.
 */
export class CustomFieldDeletion1764900100000 implements MigrationInterface {
  name = 'CustomFieldDeletion1764900100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('custom_fields', [
      new TableColumn({ name: 'deleted_by_id', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'deleted_at', type: 'datetime', isNullable: true }),
      new TableColumn({ name: 'purged_at', type: 'datetime', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('custom_fields', ['deleted_by_id', 'deleted_at', 'purged_at']);
  }
}
