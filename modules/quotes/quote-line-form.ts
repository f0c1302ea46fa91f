import { DiscountInput } from './quote-amounts.js';

export const DISCOUNT_KINDS = ['none', 'percent', 'cascade', 'amount'] as const;

export type DiscountKind = (typeof DISCOUNT_KINDS)[number];

/** The empty lines a new quote form shows, and how many "add more lines" adds. */
export const EMPTY_LINES = 5;

/** The maximum number of rows a form takes, so that a forged line count cannot make the page huge. */
export const MAX_LINES = 200;

/** One row of the product lines as typed, in the user's number format. */
export interface LineFormRow {
  /** The product's id, or empty. */
  product: string;
  quantity: string;
  unitPrice: string;
  discountKind: DiscountKind;
  discount: string;
  comment: string;
}

/** The product lines and the inputs of the totals as typed. Tax inputs contain a tax's name. */
export interface PricingForm {
  rows: LineFormRow[];
  /**
   * True when each row's product is text typed in a box (a record number or a name), which a catalogue too
   * large for a select takes, and false or absent when it is a product id.
   */
  productsByReference?: boolean;
  overallDiscountKind: DiscountKind;
  overallDiscount: string;
  groupTax: string;
  shippingAmount: string;
  shippingTax: string;
  adjustment: string;
}

/** The input names of a row's fields: `line_<field>_<row number from 1>`. */
export const LINE_FIELDS = [
  'product',
  'quantity',
  'unitPrice',
  'discountKind',
  'discount',
  'comment',
] as const;

export type LineField = (typeof LINE_FIELDS)[number];

export function lineInputName(field: LineField, row: number): string {
  return `line_${field}_${row}`;
}

export const PRICING_INPUTS = {
  overallDiscountKind: 'pricing_overall_discount_kind',
  overallDiscount: 'pricing_overall_discount',
  groupTax: 'pricing_group_tax',
  shippingAmount: 'pricing_shipping_amount',
  shippingTax: 'pricing_shipping_tax',
  adjustment: 'pricing_adjustment',
} as const;

/** The hidden input with the number of rows the form showed. */
export const LINE_COUNT_INPUT = 'line_count';

/** The hidden input whose value `reference` marks the rows' products as typed text, not ids. */
export const PRODUCT_INPUT_KIND = 'line_product_kind';

/** The button that shows more empty rows instead of saving. */
export const MORE_LINES_INPUT = '_more_lines';

/** Tells whether a posted form input belongs to the product lines or the totals, not to a record field. */
export function isPricingInput(name: string): boolean {
  return name.startsWith('line_') || name.startsWith('pricing_') || name === MORE_LINES_INPUT;
}

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : '';
}

function discountKind(value: string): DiscountKind {
  return (DISCOUNT_KINDS as readonly string[]).includes(value) ? (value as DiscountKind) : 'none';
}

/** Reads the product lines and totals inputs of a posted quote form. Rows keep their form order. */
export function readPricingForm(body: Record<string, unknown>): PricingForm {
  const count = Math.min(Math.max(Number.parseInt(text(body, LINE_COUNT_INPUT), 10) || 0, 0), MAX_LINES);
  const rows: LineFormRow[] = [];
  for (let row = 1; row <= count; row++) {
    rows.push({
      product: text(body, lineInputName('product', row)),
      quantity: text(body, lineInputName('quantity', row)),
      unitPrice: text(body, lineInputName('unitPrice', row)),
      discountKind: discountKind(text(body, lineInputName('discountKind', row))),
      discount: text(body, lineInputName('discount', row)),
      comment: text(body, lineInputName('comment', row)),
    });
  }
  return {
    rows,
    productsByReference: text(body, PRODUCT_INPUT_KIND) === 'reference',
    overallDiscountKind: discountKind(text(body, PRICING_INPUTS.overallDiscountKind)),
    overallDiscount: text(body, PRICING_INPUTS.overallDiscount),
    groupTax: text(body, PRICING_INPUTS.groupTax),
    shippingAmount: text(body, PRICING_INPUTS.shippingAmount),
    shippingTax: text(body, PRICING_INPUTS.shippingTax),
    adjustment: text(body, PRICING_INPUTS.adjustment),
  };
}

/** Tells whether a row was left empty, so that it is no line of the quote. A discount kind alone is no entry. */
export function isBlankRow(row: LineFormRow): boolean {
  return !row.product && !row.quantity && !row.unitPrice && !row.discount && !row.comment;
}

/** Returns an empty row, as the form shows it for a new line. */
export function emptyRow(): LineFormRow {
  return { product: '', quantity: '', unitPrice: '', discountKind: 'none', discount: '', comment: '' };
}

/** Converts a typed discount into the engine's input. */
export function discountInput(kind: DiscountKind, value: string): DiscountInput {
  if (kind === 'none') return { kind: 'none' };
  if (kind === 'cascade') return { kind: 'cascade', value };
  return { kind, value };
}
