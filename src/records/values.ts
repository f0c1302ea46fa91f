import { Decimal } from 'decimal.js';

/**
 * Parsing and formatting of numbers and dates as people type them. Money is handled as Decimal and
 * stored as whole cents. A date without time is the string YYYY-MM-DD and never passes through Date in
 * local time, so no time zone can move it.
 */

export type Locale = 'en' | 'it';
export const LOCALES: Locale[] = ['en', 'it'];

/** `dot`: 1,234.56 (English). `comma`: 1.234,56 (Italian). */
export type NumberFormat = 'dot' | 'comma';
/** `iso`: 2027-06-30. `dmy`: 30/06/2027. `mdy`: 06/30/2027. */
export type DateFormat = 'iso' | 'dmy' | 'mdy';

export const NUMBER_FORMAT_OF: Record<Locale, NumberFormat> = { en: 'dot', it: 'comma' };
export const DATE_FORMAT_OF: Record<Locale, DateFormat> = { en: 'mdy', it: 'dmy' };

/** The largest amount a currency field takes, so that cents always fit a signed 64-bit column. */
export const MAX_MONEY = new Decimal('999999999999.99');

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(error: string): ParseResult<T> => ({ ok: false, error });

/** Parses a decimal number written in the given format. Thousands separators are optional. */
export function parseDecimal(raw: string, format: NumberFormat): ParseResult<Decimal> {
  const text = raw.replace(/[\s\u00a0€]/g, '');
  const [group, point] = format === 'dot' ? [',', '.'] : ['.', ','];
  const g = `\\${group}`;
  const p = `\\${point}`;
  const pattern = new RegExp(`^([+-]?)(\\d{1,3}(?:${g}\\d{3})+|\\d+)(?:${p}(\\d+))?$`);
  const match = pattern.exec(text);
  if (!match) return fail('invalidNumber');

  const [, sign, whole, fraction] = match;
  const normalised = `${sign}${whole.split(group).join('')}${fraction ? `.${fraction}` : ''}`;
  return ok(new Decimal(normalised));
}

/** Parses an amount of money: at most 2 decimal places, within MAX_MONEY either way. */
export function parseMoney(raw: string, format: NumberFormat): ParseResult<Decimal> {
  const parsed = parseDecimal(raw, format);
  if (!parsed.ok) return parsed;

  if (parsed.value.decimalPlaces() > 2) return fail('tooManyDecimals');
  if (parsed.value.abs().greaterThan(MAX_MONEY)) return fail('numberTooLarge');
  return parsed;
}

/** Parses a date in the given format into YYYY-MM-DD; an impossible date such as 31/02 is an error. */
export function parseDate(raw: string, format: DateFormat): ParseResult<string> {
  const text = raw.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const slashed = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);

  let year: number, month: number, day: number;
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (slashed && format !== 'iso') {
    const [first, second] = [Number(slashed[1]), Number(slashed[2])];
    [day, month] = format === 'dmy' ? [first, second] : [second, first];
    year = Number(slashed[3]);
  } else {
    return fail('invalidDate');
  }

  if (!isRealDate(year, month, day)) return fail('impossibleDate');
  return ok(`${year}-${pad(month)}-${pad(day)}`);
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function formatDecimal(value: Decimal, locale: Locale, places = 2): string {
  const [group, point] = NUMBER_FORMAT_OF[locale] === 'dot' ? [',', '.'] : ['.', ','];
  const fixed = value.toFixed(places, Decimal.ROUND_HALF_UP);
  const negative = fixed.startsWith('-');
  const [whole, fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? '-' : ''}${grouped}${fraction ? point + fraction : ''}`;
}

/** Formats an amount for display: `€ 1,234.56` in English, `€ 1.234,56` in Italian. */
export function formatMoney(value: Decimal, locale: Locale): string {
  return `€ ${formatDecimal(value, locale)}`;
}

export function formatDate(isoDate: string, locale: Locale): string {
  const [year, month, day] = isoDate.split('-');
  return DATE_FORMAT_OF[locale] === 'dmy' ? `${day}/${month}/${year}` : `${month}/${day}/${year}`;
}

/** Formats a UTC timestamp (YYYY-MM-DD HH:MM:SS) as date and time in the locale's order. */
export function formatDateTime(utc: string, locale: Locale): string {
  const [date, time = ''] = utc.split(/[ T]/);
  return `${formatDate(date, locale)} ${time.slice(0, 5)}`.trim();
}

export function centsToMoney(cents: string | number | bigint): Decimal {
  return new Decimal(String(cents)).dividedBy(100);
}

export function moneyToCents(value: Decimal): string {
  return value.times(100).toFixed(0, Decimal.ROUND_HALF_UP);
}

/** amount × percent / 100, rounded half up to the cent. */
export function weightedAmount(amount: Decimal, percent: number): Decimal {
  return amount.times(percent).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Returns the current UTC time as YYYY-MM-DD HH:MM:SS, the form in which timestamps are stored. */
export function utcNow(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}

/** Today's date where the server runs, as YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
