import { figureFilters, periodDates, potentialsListUrl, rowFilters } from './budget-figures.js';

const STAGES = { open: ['Prospecting', 'Negotiation'], won: ['Closed Won'] };
const THRESHOLDS = { bestCase: 30, commit: 70 };
const Q1 = { year: 2028, kind: 'quarter' as const, index: 1 };

describe('periodDates', () => {
  it('ends February of a leap year on the 29th', () => {
    expect(periodDates({ year: 2028, kind: 'month', index: 2 })).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
    });
  });

  it('covers the second half', () => {
    expect(periodDates({ year: 2027, kind: 'half', index: 2 })).toEqual({
      from: '2027-07-01',
      to: '2027-12-31',
    });
  });
});

describe('figureFilters', () => {
  it('counts closed won by the effective close date', () => {
    expect(figureFilters('closedWon', Q1, STAGES, THRESHOLDS)).toEqual({
      sales_stage: ['Closed Won'],
      effective_close_date_from: '2028-01-01',
      effective_close_date_to: '2028-03-31',
    });
  });

  it('adds closed won to commit as an alternative set', () => {
    const filters = figureFilters('commit', Q1, STAGES, THRESHOLDS);

    expect(filters['or1.sales_stage']).toEqual(['Prospecting', 'Negotiation']);
    expect(filters['or1.probability_from']).toBe('70');
    expect(filters['or1.expected_close_date_to']).toBe('2028-03-31');
    expect(filters['or2.sales_stage']).toEqual(['Closed Won']);
    expect(filters['or2.effective_close_date_from']).toBe('2028-01-01');
  });
});

describe('potentialsListUrl', () => {
  it('repeats a parameter for each value', () => {
    const url = potentialsListUrl({ ...rowFilters('team', null), sales_stage: ['A b', 'C'] });

    expect(url).toBe('/potentials?assigned_user_id_role=__empty__&sales_stage=A+b&sales_stage=C');
  });
});
