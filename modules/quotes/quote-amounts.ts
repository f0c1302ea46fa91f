import { Decimal } from 'decimal.js';
import { MAX_MONEY, NumberFormat, parseDecimal, parseMoney } from '../../src/records/values.js';

/**
 * Parsing of the numbers on a quote: quantities, prices, percentages, discounts and tax rates, typed
 * in the user's number format or passed as Decimal by code (a product's price, a stored tax rate).
 */

/**
 * Decimal with 100 significant digits, so that the products the totals need are exact before they are
 * rounded to the cent. An amount of 14 digits times MAX_CASCADE_STEPS factors of 5 decimals each has
 * at most 64 digits. The default of 20 digits could turn 0.00499… into 0.005 before the rounding to
 * the cent, and so give a wrong cent.
 */
export const Exact = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_HALF_UP });

/** Text as typed, or a value that code already holds. */
export type NumberInput = string | Decimal;

/** Quantities and percentages take up to 3 decimal places (33.333 %), amounts 2. */
export const MAX_PERCENT_DECIMALS = 3;
export const MAX_QUANTITY_DECIMALS = 3;

/** More steps than this could make a cascade's product inexact at the precision of Exact. */
export const MAX_CASCADE_STEPS = 10;

export type DiscountInput =
  | { kind: 'none' }
  | { kind: 'percent'; value: NumberInput }
  | { kind: 'cascade'; value: string }
  | { kind: 'amount'; value: NumberInput };

/** A discount after parsing: a cascade of one step is a plain percentage. */
export type Discount =
  { kind: 'none' } | { kind: 'percent'; steps: Decimal[] } | { kind: 'amount'; amount: Decimal };

/** An error code, a key under `errors.field.` in the catalogues, with its message parameters. */
export interface AmountError {
  code: string;
  params?: Record<string, string | number>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: AmountError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(code: string, params?: AmountError['params']): Parsed<T> => ({
  ok: false,
  error: params ? { code, params } : { code },
});

const isBlank = (input: NumberInput | undefined): boolean =>
  input === undefined || (typeof input === 'string' && input.trim() === '');

/** Parses a number through the project's parser, so that `1.234,56` reads as in Italian forms. */
function readDecimal(input: NumberInput, format: NumberFormat): Parsed<Decimal> {
  if (typeof input !== 'string') return ok(new Exact(input));

  const parsed = parseDecimal(input, format);
  return parsed.ok ? ok(new Exact(parsed.value)) : fail(parsed.error);
}

function readMoney(input: NumberInput, format: NumberFormat): Parsed<Decimal> {
  if (typeof input !== 'string') {
    if (input.decimalPlaces() > 2) return fail('tooManyDecimalPlaces', { count: 2 });
    if (input.abs().greaterThan(MAX_MONEY)) return fail('numberTooLarge');
    return ok(new Exact(input));
  }

  const parsed = parseMoney(input, format);
  if (parsed.ok) return ok(new Exact(parsed.value));
  return parsed.error === 'tooManyDecimals' ? fail('tooManyDecimalPlaces', { count: 2 }) : fail(parsed.error);
}

/** Parses a quantity: more than zero, at most 3 decimal places. */
export function parseQuantity(input: NumberInput | undefined, format: NumberFormat): Parsed<Decimal> {
  if (input === undefined || isBlank(input)) return fail('required');

  const parsed = readDecimal(input, format);
  if (!parsed.ok) return parsed;

  const quantity = parsed.value;
  if (quantity.lessThan(0)) return fail('negativeQuantity');
  if (quantity.isZero()) return fail('zeroQuantity');
  if (quantity.decimalPlaces() > MAX_QUANTITY_DECIMALS) {
    return fail('tooManyDecimalPlaces', { count: MAX_QUANTITY_DECIMALS });
  }
  if (quantity.greaterThan(MAX_MONEY)) return fail('numberTooLarge');
  return parsed;
}

/** Parses a unit price: zero or more (a free line is allowed), at most 2 decimal places. */
export function parseUnitPrice(input: NumberInput | undefined, format: NumberFormat): Parsed<Decimal> {
  if (input === undefined || isBlank(input)) return fail('required');

  const parsed = readMoney(input, format);
  if (!parsed.ok) return parsed;
  if (parsed.value.lessThan(0)) return fail('negativePrice');
  return parsed;
}

/** Parses an amount that may be left empty, such as shipping and handling: empty is zero. */
export function parseOptionalAmount(
  input: NumberInput | undefined,
  format: NumberFormat,
  { signed }: { signed: boolean },
): Parsed<Decimal> {
  if (input === undefined || isBlank(input)) return ok(new Exact(0));

  const parsed = readMoney(input, format);
  if (!parsed.ok) return parsed;
  if (!signed && parsed.value.lessThan(0)) return fail('negativeAmount');
  return parsed;
}

/**
 * Parses a percentage from 0 to 100 with at most 3 decimal places. A trailing `%` is allowed
 * (`10 %`). The error codes for a value below 0 or above 100 differ between discounts and tax rates.
 */
function parsePercent(
  input: NumberInput,
  format: NumberFormat,
  codes: { negative: string; over: string },
): Parsed<Decimal> {
  const text = typeof input === 'string' ? input.trim().replace(/\s*%$/, '') : input;
  const parsed = readDecimal(text, format);
  if (!parsed.ok) return parsed;

  const percent = parsed.value;
  if (percent.decimalPlaces() > MAX_PERCENT_DECIMALS) {
    return fail('tooManyDecimalPlaces', { count: MAX_PERCENT_DECIMALS });
  }
  if (percent.lessThan(0)) return fail(codes.negative);
  if (percent.greaterThan(100)) return fail(codes.over);
  return parsed;
}

const DISCOUNT_CODES = { negative: 'negativeDiscount', over: 'discountOver100' };
const TAX_RATE_CODES = { negative: 'taxRateOutOfRange', over: 'taxRateOutOfRange' };

/** Parses a tax rate in percent, from 0 to 100. */
export function parseTaxRate(input: NumberInput | undefined, format: NumberFormat): Parsed<Decimal> {
  if (input === undefined || isBlank(input)) return fail('required');
  return parsePercent(input, format, TAX_RATE_CODES);
}

/**
 * Parses a cascade such as `10+5`: percentages applied one after another, each from 0 to 100, so
 * that the whole cascade never takes more than 100 %. Each step is a number in the user's format
 * (`12,5+5` in Italian). An empty step (`10+`, `10++5`) or a signed one (`10+-5`) is invalid.
 */
function parseCascade(text: string, format: NumberFormat): Parsed<Decimal[]> {
  const parts = text.split('+').map((part) => part.trim().replace(/\s*%$/, ''));
  if (parts.length > MAX_CASCADE_STEPS) return fail('tooManyCascadeSteps', { max: MAX_CASCADE_STEPS });

  const steps: Decimal[] = [];
  for (const part of parts) {
    if (!/^\d[\d.,]*$/.test(part)) return fail('invalidCascade', { value: text });

    const step = parsePercent(part, format, DISCOUNT_CODES);
    if (!step.ok) return step.error.code === 'invalidNumber' ? fail('invalidCascade', { value: text }) : step;
    steps.push(step.value);
  }
  return ok(steps);
}

/** Parses a line's or the quote's discount. An empty value means no discount. */
export function parseDiscount(input: DiscountInput | undefined, format: NumberFormat): Parsed<Discount> {
  if (input === undefined || input.kind === 'none' || isBlank(input.value)) return ok({ kind: 'none' });

  if (input.kind === 'amount') {
    const amount = parseOptionalAmount(input.value, format, { signed: false });
    return amount.ok ? ok({ kind: 'amount', amount: amount.value }) : amount;
  }

  if (input.kind === 'percent') {
    const percent = parsePercent(input.value, format, DISCOUNT_CODES);
    return percent.ok ? ok({ kind: 'percent', steps: [percent.value] }) : percent;
  }

  const steps = parseCascade(input.value, format);
  return steps.ok ? ok({ kind: 'percent', steps: steps.value }) : steps;
}
