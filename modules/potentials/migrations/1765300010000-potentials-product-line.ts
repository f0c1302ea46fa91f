import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Gives a potential a product line, so that the budget can count it per product line, and indexes the
 * effective close date, which the budget's closed won figures filter on.
 */
export class PotentialsProductLine1765300010000 implements MigrationInterface {
  name = 'PotentialsProductLine1765300010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'potentials',
      new TableColumn({ name: 'product_line', type: 'varchar', length: '255', isNullable: true }),
    );
    await queryRunner.createIndex(
      'potentials',
      new TableIndex({ name: 'ix_potentials_product_line', columnNames: ['product_line'] }),
    );
    await queryRunner.createIndex(
      'potentials',
      new TableIndex({
        name: 'ix_potentials_effective_close',
        columnNames: ['effective_close_date', 'sales_stage', 'assigned_user_id', 'amount_cents'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('potentials', 'ix_potentials_effective_close');
    await queryRunner.dropIndex('potentials', 'ix_potentials_product_line');
    await queryRunner.dropColumn('potentials', 'product_line');
  }
}
