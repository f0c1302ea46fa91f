import { Decimal } from 'decimal.js';

/** The kinds of period a target is set and read for. A year has 2 halves, 4 quarters and 12 months. */
export type PeriodKind = 'year' | 'half' | 'quarter' | 'month';
export const PERIOD_KINDS: PeriodKind[] = ['year', 'half', 'quarter', 'month'];

const MONTHS_IN: Record<PeriodKind, number> = { year: 12, half: 6, quarter: 3, month: 1 };

/** A period of a calendar year: `index` counts from 1 within the year (the 3rd quarter, the 11th month). */
export interface Period {
  year: number;
  kind: PeriodKind;
  index: number;
}

/** The years a target may be set for, so that a mistyped year such as 20226 is rejected. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** Returns how many periods of the kind a year has: 1 year, 2 halves, 4 quarters, 12 months. */
export function periodsInYear(kind: PeriodKind): number {
  return 12 / MONTHS_IN[kind];
}

/** Returns whether the period exists: a known kind, a year within the limits and an index within the year. */
export function isValidPeriod(period: Period): boolean {
  return (
    PERIOD_KINDS.includes(period.kind) &&
    isValidYear(period.year) &&
    Number.isInteger(period.index) &&
    period.index >= 1 &&
    period.index <= periodsInYear(period.kind)
  );
}

export function isValidYear(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/** Returns the months (1 to 12) of the period, in order: the 2nd quarter is [4, 5, 6]. */
export function monthsOf(period: Pick<Period, 'kind' | 'index'>): number[] {
  const length = MONTHS_IN[period.kind];
  const first = (period.index - 1) * length + 1;
  return Array.from({ length }, (_, offset) => first + offset);
}

/**
 * The order in which months take the cents left over when an amount is spread evenly. Each next month lies
 * in the half, and then the quarter, that has taken the fewest cents so far. So the halves and quarters of a
 * spread year differ by at most one cent, and so do the quarters of a spread half.
 */
const LEFTOVER_CENT_ORDER = [1, 7, 4, 10, 2, 8, 5, 11, 3, 9, 6, 12];

/**
 * Splits an amount of whole cents over the months (1 to 12) so that the shares differ by at most one cent
 * and add up to it exactly. The remaining cents go to the months in `LEFTOVER_CENT_ORDER`: 100,000.00 over
 * the year gives 8,333.34 to January, April, July and October, and 8,333.33 to the other months, so each
 * quarter is 25,000.00. Returns the shares in the order of `months`. The amount must be zero or more.
 */
export function spreadCents(totalCents: Decimal, months: number[]): Decimal[] {
  const base = totalCents.dividedToIntegerBy(months.length);
  const remainder = totalCents.minus(base.times(months.length)).toNumber();
  const takers = new Set(LEFTOVER_CENT_ORDER.filter((month) => months.includes(month)).slice(0, remainder));
  return months.map((month) => (takers.has(month) ? base.plus(1) : base));
}
