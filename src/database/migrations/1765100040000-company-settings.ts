import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Adds the single-row table of company details, with its row already in place and every value empty, so that
 * saving is always an UPDATE and two instances saving at once cannot both insert.
 */
export class CompanySettings1765100040000 implements MigrationInterface {
  name = 'CompanySettings1765100040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'company_settings',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'street', type: 'text' },
          { name: 'postal_code', type: 'varchar', length: '20' },
          { name: 'city', type: 'varchar', length: '100' },
          { name: 'province', type: 'varchar', length: '100' },
          { name: 'country', type: 'varchar', length: '100' },
          { name: 'vat_number', type: 'varchar', length: '30' },
          { name: 'tax_code', type: 'varchar', length: '30' },
          { name: 'phone', type: 'varchar', length: '50' },
          { name: 'email', type: 'varchar', length: '255' },
          { name: 'website', type: 'varchar', length: '255' },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO company_settings
         (id, name, street, postal_code, city, province, country, vat_number, tax_code, phone, email, website)
       VALUES (1, '', '', '', '', '', '', '', '', '', '', '')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('company_settings');
  }
}
