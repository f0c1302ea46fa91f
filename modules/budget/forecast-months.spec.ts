import { forecastMonths } from './forecast-months.js';

describe('forecastMonths', () => {
  it('starts the first month today', () => {
    const [first, second] = forecastMonths('2027-03-15');

    expect(first).toEqual({
      key: '2027-03',
      year: 2027,
      month: 3,
      from: '2027-03-15',
      to: '2027-03-31',
      dayBefore: '2027-03-14',
    });
    expect(second).toMatchObject({ key: '2027-04', from: '2027-04-01', to: '2027-04-30' });
  });

  it('crosses the year end', () => {
    const months = forecastMonths('2027-12-31');

    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({ from: '2027-12-31', to: '2027-12-31', dayBefore: '2027-12-30' });
    expect(months[1]).toMatchObject({ key: '2028-01', year: 2028, month: 1 });
    expect(months[11]).toMatchObject({ key: '2028-11', from: '2028-11-01', to: '2028-11-30' });
  });

  it('ends February on a leap day', () => {
    const months = forecastMonths('2028-01-01');

    expect(months[0].dayBefore).toBe('2027-12-31');
    expect(months[1]).toMatchObject({ key: '2028-02', to: '2028-02-29' });
  });
});
