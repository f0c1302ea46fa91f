import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const ADDRESS_PARTS = ['street', 'po_box', 'city', 'state', 'code', 'country'];

const TOTALS = [
  'net_total',
  'overall_discount',
  'taxes_total',
  'shipping_handling',
  'adjustment',
  'grand_total',
];

/** Returns a foreign key of the quotes table, named as the record engine's entity names it. */
function quoteKey(column: string, table: string, onDelete: 'RESTRICT' | 'SET NULL'): TableForeignKey {
  return new TableForeignKey({
    name: `fk_quotes_${column}`,
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete,
    onUpdate: 'NO ACTION',
  });
}

/**
 * Creates the quotes, their product lines and what their totals were computed from. The totals are stored in
 * cents on the quote, so that lists and sums read them without pricing the lines again.
 */
export class QuotesTables1765100020000 implements MigrationInterface {
  name = 'QuotesTables1765100020000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'quotes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'subject', type: 'varchar', length: '255', isNullable: true },
          { name: 'quote_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'potential_id', type: 'integer', isNullable: true },
          { name: 'account_id', type: 'integer', isNullable: true },
          { name: 'contact_id', type: 'integer', isNullable: true },
          { name: 'quote_stage', type: 'varchar', length: '255', isNullable: true },
          { name: 'valid_until', type: 'date', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'tax_mode', type: 'varchar', length: '255', isNullable: true },
          ...TOTALS.map((name) => ({ name: `${name}_cents`, type: 'bigint', isNullable: true })),
          ...['bill', 'ship'].flatMap((side) =>
            ADDRESS_PARTS.map((part) =>
              part === 'street'
                ? { name: `${side}_${part}`, type: 'text', isNullable: true }
                : { name: `${side}_${part}`, type: 'varchar', length: '255', isNullable: true },
            ),
          ),
          { name: 'terms_conditions', type: 'text', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_quotes_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_quotes_assigned_group_id', columnNames: ['assigned_group_id'] }),
          new TableIndex({ name: 'ix_quotes_subject', columnNames: ['subject'] }),
          new TableIndex({ name: 'ix_quotes_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_quotes_potential', columnNames: ['potential_id'] }),
          new TableIndex({ name: 'ix_quotes_contact', columnNames: ['contact_id'] }),
          new TableIndex({ name: 'ix_quotes_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_quotes_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: [
          quoteKey('potential_id', 'potentials', 'SET NULL'),
          quoteKey('account_id', 'accounts', 'SET NULL'),
          quoteKey('contact_id', 'contacts', 'SET NULL'),
          quoteKey('assigned_user_id', 'users', 'RESTRICT'),
          quoteKey('assigned_group_id', 'user_groups', 'RESTRICT'),
          quoteKey('created_by_id', 'users', 'RESTRICT'),
          quoteKey('modified_by_id', 'users', 'RESTRICT'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'quote_lines',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'quote_id', type: 'integer' },
          { name: 'position', type: 'integer' },
          { name: 'product_id', type: 'integer', isNullable: true },
          { name: 'product_name', type: 'varchar', length: '255' },
          { name: 'quantity', type: 'varchar', length: '40' },
          { name: 'unit_price_cents', type: 'bigint' },
          { name: 'discount_kind', type: 'varchar', length: '20' },
          { name: 'discount_text', type: 'varchar', length: '100', isNullable: true },
          { name: 'comment', type: 'text', isNullable: true },
          { name: 'gross_cents', type: 'bigint' },
          { name: 'discount_cents', type: 'bigint' },
          { name: 'net_cents', type: 'bigint' },
          { name: 'tax_cents', type: 'bigint' },
          { name: 'tax_rates', type: 'text' },
        ],
        indices: [
          new TableIndex({
            name: 'uq_quote_lines_position',
            columnNames: ['quote_id', 'position'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_quote_lines_product', columnNames: ['product_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_quote_lines_quote_id',
            columnNames: ['quote_id'],
            referencedTableName: 'quotes',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_quote_lines_product_id',
            columnNames: ['product_id'],
            referencedTableName: 'products',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'quote_pricing',
        columns: [
          { name: 'quote_id', type: 'integer', isPrimary: true },
          { name: 'overall_discount_kind', type: 'varchar', length: '20' },
          { name: 'overall_discount_text', type: 'varchar', length: '100', isNullable: true },
          { name: 'group_taxes', type: 'text' },
          { name: 'shipping_taxes', type: 'text' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_quote_pricing_quote_id',
            columnNames: ['quote_id'],
            referencedTableName: 'quotes',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('quote_pricing');
    await queryRunner.dropTable('quote_lines');
    await queryRunner.dropTable('quotes');
  }
}
