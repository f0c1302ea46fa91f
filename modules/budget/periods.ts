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
 * Splits an amount of whole cents into `parts` amounts that differ by at most one cent and add up to it
 * exactly. The first parts take the remaining cents, so 100,000.00 over 12 months gives 4 months of
 * 8,333.34 and 8 of 8,333.33. The amount must be zero or more.
 */
export function spreadCents(totalCents: Decimal, parts: number): Decimal[] {
  const base = totalCents.dividedToIntegerBy(parts);
  const remainder = totalCents.minus(base.times(parts)).toNumber();
  return Array.from({ length: parts }, (_, index) => (index < remainder ? base.plus(1) : base));
}
