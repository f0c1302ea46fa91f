import { ChangeRow, chartOf } from './potential-amount-page.js';

/** A change of the amount from `oldCents` to `newCents` made by a user at `changedAt` (UTC). */
const change = (changedAt: string, oldCents: number | null, newCents: number): ChangeRow => ({
  changed_at: changedAt,
  old_cents: oldCents,
  new_cents: newCents,
  cause: 'user',
  quote_id: null,
  user_name: 'Administrator',
});

describe('amount history chart', () => {
  const newestFirst = [
    change('2027-04-02 16:00:00', 150000, 120000),
    change('2027-03-15 09:30:00', 5000, 150000),
    change('2027-03-01 08:00:00', null, 5000),
  ];

  it('labels the value axis in Italian', () => {
    const chart = chartOf(newestFirst, 'it')!;

    expect(chart.ticks.map((tick) => tick.text)).toEqual(['€ 2.000,00', '€ 1.000,00', '€ 0,00']);
  });

  it('dates the ends of the line', () => {
    const chart = chartOf(newestFirst, 'it')!;

    expect(chart.dates.map((date) => date.text)).toEqual(['01/03/2027', '02/04/2027']);
    expect(chart.dates.map((date) => date.x)).toEqual([chart.dots[0].x, chart.dots[2].x]);
  });

  it('places the top tick at the top of the plot', () => {
    const chart = chartOf(newestFirst, 'en')!;

    expect(chart.ticks.map((tick) => tick.lineY)).toEqual([
      chart.plot.top,
      (chart.plot.top + chart.plot.bottom) / 2,
      chart.plot.bottom,
    ]);
    expect(chart.dots[0].y).toBeGreaterThan(chart.plot.top);
  });

  it('keeps every figure in the text label', () => {
    const chart = chartOf(newestFirst, 'en')!;

    expect(chart.label).toBe(
      'Amount over time: 03/01/2027 08:00: € 50.00; 03/15/2027 09:30: € 1,500.00; 04/02/2027 16:00: € 1,200.00',
    );
  });

  it('starts the dates at the first change after an undated amount', () => {
    const chart = chartOf([change('2027-03-15 09:30:00', 5000, 150000)], 'en')!;

    expect(chart.dates.map((date) => date.text)).toEqual(['03/15/2027']);
  });
});
