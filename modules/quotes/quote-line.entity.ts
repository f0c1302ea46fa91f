import { EntitySchema } from 'typeorm';

/**
 * One product line of a quote, as the form submitted it (quantity, discount text) and as computeQuoteTotals
 * priced it (the cents figures). The product's name and tax rates are copied, so that a later change to the
 * product or the tax leaves the quote as it was sent.
 */
export interface QuoteLineRow {
  id: number;
  quoteId: number;
  /** From 1, in the order of the form. */
  position: number;
  /** Null once the product is deleted; the name snapshot still names it. */
  productId: number | null;
  productName: string;
  /** Exact decimal text with a dot, such as "2.5". */
  quantity: string;
  unitPriceCents: string;
  /**
   * The product's unit cost when the line was stored, or null: the product had no cost, or the line was
   * stored before quotes kept costs.
   */
  unitCostCents: string | null;
  discountKind: 'none' | 'percent' | 'cascade' | 'amount';
  /** The discount as typed (10, 10+5 or an amount), in the dot format. */
  discountText: string | null;
  comment: string | null;
  grossCents: string;
  discountCents: string;
  netCents: string;
  taxCents: string;
  /** JSON array of { name, rate } with the rate as exact decimal text. */
  taxRates: string;
  /** Declared so that the foreign keys exist. Never loaded. */
  quote?: unknown;
  product?: unknown;
}

export const QuoteLineEntity = new EntitySchema<QuoteLineRow>({
  name: 'QuoteLine',
  tableName: 'quote_lines',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    quoteId: { name: 'quote_id', type: 'int' },
    position: { type: 'int' },
    productId: { name: 'product_id', type: 'int', nullable: true },
    productName: { name: 'product_name', type: 'varchar', length: 255 },
    quantity: { type: 'varchar', length: 40 },
    unitPriceCents: { name: 'unit_price_cents', type: 'bigint' },
    unitCostCents: { name: 'unit_cost_cents', type: 'bigint', nullable: true },
    discountKind: { name: 'discount_kind', type: 'varchar', length: 20 },
    discountText: { name: 'discount_text', type: 'varchar', length: 100, nullable: true },
    comment: { type: 'text', nullable: true },
    grossCents: { name: 'gross_cents', type: 'bigint' },
    discountCents: { name: 'discount_cents', type: 'bigint' },
    netCents: { name: 'net_cents', type: 'bigint' },
    taxCents: { name: 'tax_cents', type: 'bigint' },
    taxRates: { name: 'tax_rates', type: 'text' },
  },
  relations: {
    quote: {
      type: 'many-to-one',
      target: 'quotes',
      joinColumn: { name: 'quote_id', foreignKeyConstraintName: 'fk_quote_lines_quote_id' },
      onDelete: 'CASCADE',
    },
    product: {
      type: 'many-to-one',
      target: 'products',
      joinColumn: { name: 'product_id', foreignKeyConstraintName: 'fk_quote_lines_product_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    { name: 'uq_quote_lines_position', columns: ['quoteId', 'position'], unique: true },
    { name: 'ix_quote_lines_product', columns: ['productId'] },
  ],
});

/**
 * The inputs of a quote's totals besides its lines: the overall discount as typed and the taxes
 * applied to the whole quote (group mode) and to shipping and handling, with their rates copied.
 */
export interface QuotePricingRow {
  quoteId: number;
  overallDiscountKind: 'none' | 'percent' | 'cascade' | 'amount';
  overallDiscountText: string | null;
  /** JSON array of { name, rate }: the group taxes, applied in group tax mode only. */
  groupTaxes: string;
  /** JSON array of { name, rate }: the taxes on shipping and handling. */
  shippingTaxes: string;
  /** Declared so that the foreign key exists. Never loaded. */
  quote?: unknown;
}

export const QuotePricingEntity = new EntitySchema<QuotePricingRow>({
  name: 'QuotePricing',
  tableName: 'quote_pricing',
  columns: {
    quoteId: { name: 'quote_id', type: 'int', primary: true },
    overallDiscountKind: { name: 'overall_discount_kind', type: 'varchar', length: 20 },
    overallDiscountText: { name: 'overall_discount_text', type: 'varchar', length: 100, nullable: true },
    groupTaxes: { name: 'group_taxes', type: 'text' },
    shippingTaxes: { name: 'shipping_taxes', type: 'text' },
  },
  relations: {
    quote: {
      type: 'many-to-one',
      target: 'quotes',
      joinColumn: { name: 'quote_id', foreignKeyConstraintName: 'fk_quote_pricing_quote_id' },
      onDelete: 'CASCADE',
    },
  },
});
