import { Decimal } from 'decimal.js';
import { isValidPeriod, monthsOf, spreadCents } from './periods.js';

describe('budget periods', () => {
  it('spreads 100,000.00 over 12 months to the exact cent', () => {
    const months = spreadCents(new Decimal(10_000_000), 12);

    expect(months.map((cents) => cents.toString())).toEqual([
      ...Array<string>(4).fill('833334'),
      ...Array<string>(8).fill('833333'),
    ]);
    expect(months.reduce((sum, cents) => sum.plus(cents), new Decimal(0)).toString()).toBe('10000000');
  });

  it('spreads an amount smaller than the parts', () => {
    expect(spreadCents(new Decimal(2), 3).map(String)).toEqual(['1', '1', '0']);
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
