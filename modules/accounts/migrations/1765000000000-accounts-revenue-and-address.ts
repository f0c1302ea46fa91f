import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Adds the annual revenue, employees and the rest of the billing address, which a converted lead fills. */
export class AccountsRevenueAndAddress1765000000000 implements MigrationInterface {
  name = 'AccountsRevenueAndAddress1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('accounts', [
      new TableColumn({ name: 'annual_revenue_cents', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'employees', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'billing_street', type: 'text', isNullable: true }),
      new TableColumn({ name: 'billing_po_box', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'billing_state', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'billing_code', type: 'varchar', length: '255', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'billing_code',
      'billing_state',
      'billing_po_box',
      'billing_street',
      'employees',
      'annual_revenue_cents',
    ])
      await queryRunner.dropColumn('accounts', column);
  }
}
