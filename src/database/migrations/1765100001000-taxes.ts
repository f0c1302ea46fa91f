import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** The taxes a fresh install starts with: the Italian VAT rates, which an administrator may change. */
const PRESETS = [
  { name: 'VAT 22 %', rateThousandths: 22000 },
  { name: 'VAT 10 %', rateThousandths: 10000 },
  { name: 'VAT 4 %', rateThousandths: 4000 },
];

/** Adds the taxes that products and quotes share, with the presets. */
export class Taxes1765100001000 implements MigrationInterface {
  name = 'Taxes1765100001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'taxes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'name_key', type: 'varchar', length: '100' },
          { name: 'rate_thousandths', type: 'integer' },
          { name: 'is_active', type: 'boolean' },
          { name: 'sort_order', type: 'integer' },
        ],
        indices: [new TableIndex({ name: 'uq_taxes_name_key', columnNames: ['name_key'], isUnique: true })],
      }),
    );
    for (const [index, preset] of PRESETS.entries())
      await queryRunner.query(
        'INSERT INTO taxes (name, name_key, rate_thousandths, is_active, sort_order) VALUES (?, ?, ?, ?, ?)',
        [preset.name, preset.name.toLowerCase(), preset.rateThousandths, 1, index + 1],
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('taxes');
  }
}
