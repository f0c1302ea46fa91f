import { Decimal } from 'decimal.js';
import { isValidPeriod, monthsOf, spreadCents } from './periods.js';

describe('budget periods', () => {
  it('spreads 100,000.00 over the year into equal quarters', () => {
    const months = spreadCents(new Decimal(10_000_000), monthsOf({ kind: 'year', index: 1 }));

    const extraCentMonths = months.flatMap((cents, index) => (cents.eq(833334) ? [index + 1] : []));
    expect(extraCentMonths).toEqual([1, 4, 7, 10]);
    expect(months.filter((cents) => cents.eq(833333))).toHaveLength(8);
    expect(quarterSums(months)).toEqual(['2500000', '2500000', '2500000', '2500000']);
    expect(sumOf(months)).toBe('10000000');
  });

  it('keeps halves and quarters within a cent for every remainder', () => {
    for (let remainder = 0; remainder < 12; remainder++) {
      const months = spreadCents(new Decimal(1200 + remainder), monthsOf({ kind: 'year', index: 1 }));

      const quarters = quarterSums(months).map(Number);
      const halves = [quarters[0] + quarters[1], quarters[2] + quarters[3]];
      expect(Math.max(...quarters) - Math.min(...quarters)).toBeLessThanOrEqual(1);
      expect(Math.abs(halves[0] - halves[1])).toBeLessThanOrEqual(1);
      expect(sumOf(months)).toBe(String(1200 + remainder));
    }
  });

  it('spreads a half into equal quarters', () => {
    const months = spreadCents(new Decimal(602), monthsOf({ kind: 'half', index: 2 }));

    expect(months.map(String)).toEqual(['101', '100', '100', '101', '100', '100']);
  });

  it('spreads an amount smaller than the parts', () => {
    expect(spreadCents(new Decimal(2), [1, 2, 3]).map(String)).toEqual(['1', '1', '0']);
  });

  it('lists the months of each kind of period', () => {
    expect(monthsOf({ kind: 'year', index: 1 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(monthsOf({ kind: 'half', index: 2 })).toEqual([7, 8, 9, 10, 11, 12]);
    expect(monthsOf({ kind: 'quarter', index: 3 })).toEqual([7, 8, 9]);
    expect(monthsOf({ kind: 'month', index: 11 })).toEqual([11]);
  });

  it('rejects an index outside the year', () => {
    expect(isValidPeriod({ year: 2027, kind: 'quarter', index: 5 })).toBe(false);
    expect(isValidPeriod({ year: 2027, kind: 'month', index: 0 })).toBe(false);
    expect(isValidPeriod({ year: 20227, kind: 'year', index: 1 })).toBe(false);
    expect(isValidPeriod({ year: 2027, kind: 'half', index: 2 })).toBe(true);
  });
});

/** Returns the sums of the four quarters of twelve monthly amounts, as text. */
function quarterSums(months: Decimal[]): string[] {
  return [0, 3, 6, 9].map((first) => sumOf(months.slice(first, first + 3)));
}

function sumOf(amounts: Decimal[]): string {
  return amounts.reduce((sum, cents) => sum.plus(cents), new Decimal(0)).toString();
}
