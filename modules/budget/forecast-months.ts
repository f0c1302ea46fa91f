/** The number of months the forecast covers, today's month included. */
export const FORECAST_MONTH_COUNT = 12;

/** One month of the forecast, as YYYY-MM-DD dates without time zone. */
export interface ForecastMonth {
  /** YYYY-MM, as the figures query groups the expected close dates. */
  key: string;
  year: number;
  /** 1 to 12. */
  month: number;
  /** The first day counted: today in the first month, the 1st in the others. */
  from: string;
  /** The last day of the month. */
  to: string;
  /** The day before `from`: the last day an overdue potential may be expected to close. */
  dayBefore: string;
}

/**
 * Lists the forecast's months from today's date (YYYY-MM-DD): today's month from today on, then the 11
 * months after it, each to its last day. The dates are computed in UTC, so no time zone moves them.
 */
export function forecastMonths(today: string): ForecastMonth[] {
  const [year, month] = today.split('-').map(Number);
  return Array.from({ length: FORECAST_MONTH_COUNT }, (_, offset) => {
    const first = new Date(Date.UTC(year, month - 1 + offset, 1));
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
    const from = offset === 0 ? today : isoDate(first);
    return {
      key: isoDate(first).slice(0, 7),
      year: first.getUTCFullYear(),
      month: first.getUTCMonth() + 1,
      from,
      to: isoDate(last),
      dayBefore: dayBefore(from),
    };
  });
}

function dayBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return isoDate(new Date(Date.UTC(year, month - 1, day - 1)));
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
