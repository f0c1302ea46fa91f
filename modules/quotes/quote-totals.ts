import { Decimal } from 'decimal.js';
import { MAX_MONEY, NumberFormat } from '../../src/records/values.js';
import {
  AmountError,
  Discount,
  DiscountInput,
  Exact,
  NumberInput,
  Parsed,
  parseDiscount,
  parseOptionalAmount,
  parseQuantity,
  parseTaxRate,
  parseUnitPrice,
} from './quote-amounts.js';

/**
 * The totals of a quote, computed as vtiger computes inventory totals except for one rule: in
 * individual tax mode the overall discount lowers each line's taxable amount (see
 * docs/decisions/0023-quote-totals.md).
 *
 * Rounding: every figure that a page or a printed quote shows is rounded half up to the cent where it
 * is computed. Every later figure adds or subtracts those rounded figures, so re-adding the printed
 * figures gives the printed total. The rounded figures are, in order:
 * 1. each line's gross (quantity × unit price) and its discount; net = gross − discount;
 * 2. the overall discount, on the net total (the sum of line nets);
 * 3. each line's share of the overall discount (shares sum to the overall discount exactly);
 * 4. each tax amount: per line and tax in individual mode, on the line's net less its share; per tax
 *    on the discounted total in group mode; per tax on shipping and handling;
 * 5. the grand total, which is a sum of the figures above and needs no rounding of its own.
 */

export type TaxMode = 'individual' | 'group';

export interface TaxInput {
  name: string;
  /** Percent, from 0 to 100 with up to 3 decimal places. */
  rate: NumberInput;
}

export interface QuoteLineInput {
  /** Product name or id, which messages about the line can show. */
  product: string;
  quantity: NumberInput;
  unitPrice: NumberInput;
  discount?: DiscountInput;
  comment?: string;
  /** The taxes applying to the line, used in individual tax mode only. */
  taxes?: TaxInput[];
}

export interface QuoteInput {
  /** Number format of typed text: `dot` for 1,234.56, `comma` for 1.234,56. */
  format: NumberFormat;
  taxMode: TaxMode;
  lines: QuoteLineInput[];
  overallDiscount?: DiscountInput;
  /** The taxes on the discounted total, used in group tax mode only. */
  groupTaxes?: TaxInput[];
  shippingAmount?: NumberInput;
  shippingTaxes?: TaxInput[];
  /** Signed amount added last. Empty is zero. */
  adjustment?: NumberInput;
}

export interface TaxAmount {
  name: string;
  rate: Decimal;
  /** The amount the rate applies to. */
  base: Decimal;
  amount: Decimal;
}

export interface QuoteLineTotals {
  product: string;
  comment: string;
  quantity: Decimal;
  unitPrice: Decimal;
  gross: Decimal;
  discount: Decimal;
  net: Decimal;
  /** The line's part of the overall discount, in proportion to its net. */
  overallDiscountShare: Decimal;
  /** Net less the share of the overall discount: what the line's taxes apply to. */
  taxableAmount: Decimal;
  /** Empty in group tax mode. */
  taxes: TaxAmount[];
  taxTotal: Decimal;
}

export interface QuoteTotals {
  lines: QuoteLineTotals[];
  netTotal: Decimal;
  overallDiscount: Decimal;
  /** Net total less the overall discount: the taxable amount of the whole quote. */
  discountedTotal: Decimal;
  /** Per tax name and rate. In individual mode each amount is the sum of the lines' rounded amounts. */
  taxes: TaxAmount[];
  taxTotal: Decimal;
  shippingAmount: Decimal;
  shippingTaxes: TaxAmount[];
  shippingTaxTotal: Decimal;
  adjustment: Decimal;
  grandTotal: Decimal;
}

/**
 * An input error: `line` is 1-based and absent for the quote's own fields. `code` is a key under
 * `errors.field.` in the catalogues. For a tax rate, `params.tax` is the tax name.
 */
export interface QuoteTotalsError extends AmountError {
  line?: number;
  field: string;
}

export type QuoteTotalsResult = { ok: true; totals: QuoteTotals } | { ok: false; errors: QuoteTotalsError[] };

interface ParsedTax {
  name: string;
  rate: Decimal;
}

interface ParsedLine {
  input: QuoteLineInput;
  quantity: Decimal;
  unitPrice: Decimal;
  discount: Discount;
  taxes: ParsedTax[];
}

interface ParsedQuote {
  lines: ParsedLine[];
  overallDiscount: Discount;
  groupTaxes: ParsedTax[];
  shippingAmount: Decimal;
  shippingTaxes: ParsedTax[];
  adjustment: Decimal;
}

/** Rounds half up to the cent: 0.125 → 0.13, 2.675 → 2.68. */
function toCents(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

const sum = (values: Decimal[]): Decimal => values.reduce((total, value) => total.plus(value), new Exact(0));

const percentOf = (amount: Decimal, rate: Decimal): Decimal => toCents(amount.times(rate).dividedBy(100));

/**
 * Computes the totals of a quote, or lists the input errors. No totals are returned while any error
 * remains, so nothing partial can be stored. The errors that need amounts (a discount above the amount
 * it applies to, a total too large, a negative grand total) are reported only once every number parses.
 */
export function computeQuoteTotals(input: QuoteInput): QuoteTotalsResult {
  const parsed = parseQuote(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };

  const quote = parsed.quote;
  const errors: QuoteTotalsError[] = [];

  const lines = quote.lines.map((line, index) => lineAmounts(line, index + 1, errors));
  if (errors.length > 0) return { ok: false, errors };

  const netTotal = sum(lines.map((line) => line.net));
  if (netTotal.greaterThan(MAX_MONEY)) {
    return { ok: false, errors: [{ field: 'lines', code: 'totalTooLarge' }] };
  }

  const overallDiscount = discountAmount(netTotal, quote.overallDiscount);
  if (overallDiscount.greaterThan(netTotal)) {
    return { ok: false, errors: [{ field: 'overallDiscount', code: 'discountAboveNetTotal' }] };
  }
  const discountedTotal = netTotal.minus(overallDiscount);

  const shares = spreadOverallDiscount(
    lines.map((line) => line.net),
    overallDiscount,
  );
  const lineTotals = lines.map((line, index) =>
    lineTaxes(line, shares[index], input.taxMode === 'individual' ? quote.lines[index].taxes : []),
  );
  const taxes =
    input.taxMode === 'individual'
      ? taxesByNameAndRate(lineTotals)
      : quote.groupTaxes.map((tax) => taxOn(discountedTotal, tax));
  const taxTotal = sum(taxes.map((tax) => tax.amount));

  const shippingTaxes = quote.shippingTaxes.map((tax) => taxOn(quote.shippingAmount, tax));
  const shippingTaxTotal = sum(shippingTaxes.map((tax) => tax.amount));

  const grandTotal = discountedTotal
    .plus(taxTotal)
    .plus(quote.shippingAmount)
    .plus(shippingTaxTotal)
    .plus(quote.adjustment);
  if (grandTotal.lessThan(0)) {
    return { ok: false, errors: [{ field: 'adjustment', code: 'negativeGrandTotal' }] };
  }
  if (grandTotal.greaterThan(MAX_MONEY)) {
    return { ok: false, errors: [{ field: 'lines', code: 'totalTooLarge' }] };
  }

  return {
    ok: true,
    totals: {
      lines: lineTotals,
      netTotal,
      overallDiscount,
      discountedTotal,
      taxes,
      taxTotal,
      shippingAmount: quote.shippingAmount,
      shippingTaxes,
      shippingTaxTotal,
      adjustment: quote.adjustment,
      grandTotal,
    },
  };
}

/** Parses every number of the quote, collecting one error per field. */
function parseQuote(
  input: QuoteInput,
): { ok: true; quote: ParsedQuote } | { ok: false; errors: QuoteTotalsError[] } {
  const { format } = input;
  const errors: QuoteTotalsError[] = [];
  const take = <T>(parsed: Parsed<T>, field: string, line?: number): T | undefined => {
    if (parsed.ok) return parsed.value;
    errors.push(line === undefined ? { field, ...parsed.error } : { line, field, ...parsed.error });
    return undefined;
  };

  if (input.lines.length === 0) errors.push({ field: 'lines', code: 'noLines' });

  const lines = input.lines.map((line, index) => {
    const number = index + 1;
    return {
      input: line,
      quantity: take(parseQuantity(line.quantity, format), 'quantity', number),
      unitPrice: take(parseUnitPrice(line.unitPrice, format), 'unitPrice', number),
      discount: take(parseDiscount(line.discount, format), 'discount', number),
      taxes: input.taxMode === 'individual' ? parseTaxes(line.taxes, format, errors, 'taxes', number) : [],
    };
  });
  const overallDiscount = take(parseDiscount(input.overallDiscount, format), 'overallDiscount');
  const groupTaxes =
    input.taxMode === 'group' ? parseTaxes(input.groupTaxes, format, errors, 'groupTaxes') : [];
  const shippingAmount = take(
    parseOptionalAmount(input.shippingAmount, format, { signed: false }),
    'shippingAmount',
  );
  const shippingTaxes = parseTaxes(input.shippingTaxes, format, errors, 'shippingTaxes');
  const adjustment = take(parseOptionalAmount(input.adjustment, format, { signed: true }), 'adjustment');

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    // Every value is defined here, because each undefined one added an error above.
    quote: {
      lines: lines as ParsedLine[],
      overallDiscount: overallDiscount!,
      groupTaxes,
      shippingAmount: shippingAmount!,
      shippingTaxes,
      adjustment: adjustment!,
    },
  };
}

/** Parses a list of taxes. Each error names its tax in `params.tax`. */
function parseTaxes(
  taxes: TaxInput[] | undefined,
  format: NumberFormat,
  errors: QuoteTotalsError[],
  field: string,
  line?: number,
): ParsedTax[] {
  const parsed: ParsedTax[] = [];
  for (const tax of taxes ?? []) {
    const rate = parseTaxRate(tax.rate, format);
    if (rate.ok) {
      parsed.push({ name: tax.name, rate: rate.value });
      continue;
    }
    const error = { field, code: rate.error.code, params: { ...rate.error.params, tax: tax.name } };
    errors.push(line === undefined ? error : { line, ...error });
  }
  return parsed;
}

interface LineAmounts {
  line: ParsedLine;
  gross: Decimal;
  discount: Decimal;
  net: Decimal;
}

/** Computes a line's gross, discount and net, adding an error for a line that cannot be priced. */
function lineAmounts(line: ParsedLine, number: number, errors: QuoteTotalsError[]): LineAmounts {
  const gross = toCents(line.quantity.times(line.unitPrice));
  const discount = discountAmount(gross, line.discount);

  if (gross.greaterThan(MAX_MONEY)) {
    errors.push({ line: number, field: 'quantity', code: 'lineTotalTooLarge' });
  } else if (discount.greaterThan(gross)) {
    errors.push({ line: number, field: 'discount', code: 'discountAboveGross' });
  }
  return { line, gross, discount, net: gross.minus(discount) };
}

/**
 * Computes a discount on an amount, rounded to the cent. A cascade applies each percentage to what
 * the previous ones left (10+5 on 100: 100 → 90 → 85.50, a discount of 14.50) and is rounded once,
 * at the end, because the steps between are not shown.
 */
function discountAmount(amount: Decimal, discount: Discount): Decimal {
  if (discount.kind === 'none') return new Exact(0);
  if (discount.kind === 'amount') return discount.amount;

  const remaining = discount.steps.reduce(
    (left, percent) => left.times(new Exact(100).minus(percent)).dividedBy(100),
    amount,
  );
  return toCents(amount.minus(remaining));
}

function lineTaxes(amounts: LineAmounts, share: Decimal, taxes: ParsedTax[]): QuoteLineTotals {
  const taxableAmount = amounts.net.minus(share);
  const lineTaxAmounts = taxes.map((tax) => taxOn(taxableAmount, tax));
  return {
    product: amounts.line.input.product,
    comment: amounts.line.input.comment ?? '',
    quantity: amounts.line.quantity,
    unitPrice: amounts.line.unitPrice,
    gross: amounts.gross,
    discount: amounts.discount,
    net: amounts.net,
    overallDiscountShare: share,
    taxableAmount,
    taxes: lineTaxAmounts,
    taxTotal: sum(lineTaxAmounts.map((tax) => tax.amount)),
  };
}

const taxOn = (base: Decimal, tax: ParsedTax): TaxAmount => ({
  name: tax.name,
  rate: tax.rate,
  base,
  amount: percentOf(base, tax.rate),
});

/** Adds up the lines' taxes per name and rate, in the order they first appear. */
function taxesByNameAndRate(lines: QuoteLineTotals[]): TaxAmount[] {
  const byKey = new Map<string, TaxAmount>();
  for (const tax of lines.flatMap((line) => line.taxes)) {
    const key = `${tax.name}\u0000${tax.rate.toString()}`;
    const total = byKey.get(key);
    if (total) {
      total.base = total.base.plus(tax.base);
      total.amount = total.amount.plus(tax.amount);
    } else {
      byKey.set(key, { ...tax });
    }
  }
  return [...byKey.values()];
}

/**
 * Spreads an overall discount over lines in proportion to their nets, in whole cents, so that the
 * shares sum to the discount exactly. Each share is first rounded down to the cent. The cents left
 * over are fewer than the lines, so they go one each to the largest lines (the earlier line first
 * among equal nets). No share is then negative or larger than its line's net.
 *
 * `nets` are amounts of whole cents, none negative; `discount` is from zero to their sum.
 */
export function spreadOverallDiscount(nets: Decimal[], discount: Decimal): Decimal[] {
  const total = sum(nets);
  if (discount.lessThan(0) || discount.greaterThan(total)) {
    throw new RangeError(`A discount of ${discount.toFixed(2)} cannot be spread over ${total.toFixed(2)}`);
  }
  if (discount.isZero()) return nets.map(() => new Exact(0));

  const shares = nets.map((net) =>
    new Exact(discount).times(net).dividedBy(total).toDecimalPlaces(2, Decimal.ROUND_DOWN),
  );
  const leftoverCents = new Exact(discount).minus(sum(shares)).times(100).toNumber();

  const largestFirst = nets
    .map((net, index) => ({ net, index }))
    .sort((a, b) => b.net.comparedTo(a.net) || a.index - b.index);
  for (const { index } of largestFirst.slice(0, leftoverCents)) {
    shares[index] = shares[index].plus('0.01');
  }
  return shares;
}
