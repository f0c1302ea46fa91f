import { Decimal } from 'decimal.js';
import {
  centsToMoney,
  formatDate,
  formatMoney,
  moneyToCents,
  parseDate,
  parseDecimal,
  parseMoney,
  weightedAmount,
} from './values.js';

/** Returns the parsed value as a string, or the error code, so that one assertion shows either. */
function parsedText(result: { ok: true; value: Decimal | string } | { ok: false; error: string }): string {
  return result.ok ? result.value.toString() : `error:${result.error}`;
}

describe('parseDecimal', () => {
  it.each([
    ['1234.56', '1234.56'],
    ['1,234.56', '1234.56'],
    ['1,234,567.5', '1234567.5'],
    ['-1,234', '-1234'],
    ['+7', '7'],
    ['€ 12.30', '12.3'],
    [' 0.10 ', '0.1'],
  ])('reads %s in dot format', (raw, expected) => {
    expect(parsedText(parseDecimal(raw, 'dot'))).toBe(expected);
  });

  it.each([
    ['1234,56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['1.234.567,5', '1234567.5'],
    ['-1.234', '-1234'],
  ])('reads %s in comma format', (raw, expected) => {
    expect(parsedText(parseDecimal(raw, 'comma'))).toBe(expected);
  });

  it.each(['1,2,3', '12.34.56', '1,23.4', '12,3456', '1.234,56', 'abc', '', '.5.', '1e5', '--1'])(
    'rejects %p in dot format',
    (raw) => {
      expect(parsedText(parseDecimal(raw, 'dot'))).toBe('error:invalidNumber');
    },
  );

  it.each(['1.2.3', '12,34,56', '1,234.56', '1.23,4'])('rejects %p in comma format', (raw) => {
    expect(parsedText(parseDecimal(raw, 'comma'))).toBe('error:invalidNumber');
  });
});

describe('parseMoney', () => {
  it('accepts the largest amount either way', () => {
    expect(parsedText(parseMoney('999,999,999,999.99', 'dot'))).toBe('999999999999.99');
    expect(parsedText(parseMoney('-999999999999.99', 'dot'))).toBe('-999999999999.99');
  });

  it('rejects amounts beyond the limit', () => {
    expect(parsedText(parseMoney('1,000,000,000,000', 'dot'))).toBe('error:numberTooLarge');
    expect(parsedText(parseMoney('-1000000000000.00', 'dot'))).toBe('error:numberTooLarge');
  });

  it('rejects more than two decimals', () => {
    expect(parsedText(parseMoney('10.005', 'dot'))).toBe('error:tooManyDecimals');
    expect(parsedText(parseMoney('10,005', 'comma'))).toBe('error:tooManyDecimals');
  });

  it('keeps cents exact', () => {
    expect(parsedText(parseMoney('0.10', 'dot'))).toBe('0.1');
    expect(parsedText(parseMoney('1.234,56', 'comma'))).toBe('1234.56');
  });

  it('reports an unreadable amount', () => {
    expect(parsedText(parseMoney('12.34.56', 'dot'))).toBe('error:invalidNumber');
  });
});

describe('parseDate', () => {
  it.each([
    ['2027-06-30', 'iso', '2027-06-30'],
    ['2027-6-3', 'iso', '2027-06-03'],
    ['2027-06-30', 'dmy', '2027-06-30'],
    ['30/06/2027', 'dmy', '2027-06-30'],
    ['3.6.2027', 'dmy', '2027-06-03'],
    ['06/30/2027', 'mdy', '2027-06-30'],
    ['6-3-2027', 'mdy', '2027-06-03'],
    ['2028-02-29', 'iso', '2028-02-29'],
  ] as const)('reads %s as %s', (raw, format, expected) => {
    expect(parsedText(parseDate(raw, format))).toBe(expected);
  });

  it.each([
    ['2027-02-30', 'iso'],
    ['2027-02-29', 'iso'],
    ['2027-13-01', 'iso'],
    ['2027-00-10', 'iso'],
    ['2027-01-00', 'iso'],
    ['31/04/2027', 'dmy'],
    ['30/02/2027', 'dmy'],
    ['06/31/2027', 'mdy'],
    ['30/06/2027', 'mdy'],
  ] as const)('rejects the impossible date %s (%s) without rolling over', (raw, format) => {
    expect(parsedText(parseDate(raw, format))).toBe('error:impossibleDate');
  });

  it.each([
    ['30/06/2027', 'iso'],
    ['tomorrow', 'dmy'],
    ['2027/06/30', 'dmy'],
    ['30/06/27', 'dmy'],
    ['', 'mdy'],
  ] as const)('rejects the unreadable date %p (%s)', (raw, format) => {
    expect(parsedText(parseDate(raw, format))).toBe('error:invalidDate');
  });
});

describe('formatMoney', () => {
  it('formats English amounts', () => {
    expect(formatMoney(new Decimal('1234.56'), 'en')).toBe('€ 1,234.56');
    expect(formatMoney(new Decimal('1234567'), 'en')).toBe('€ 1,234,567.00');
    expect(formatMoney(new Decimal('-1234.5'), 'en')).toBe('€ -1,234.50');
    expect(formatMoney(new Decimal('0.1'), 'en')).toBe('€ 0.10');
  });

  it('formats Italian amounts', () => {
    expect(formatMoney(new Decimal('1234.56'), 'it')).toBe('€ 1.234,56');
    expect(formatMoney(new Decimal('999999999999.99'), 'it')).toBe('€ 999.999.999.999,99');
  });
});

describe('formatDate', () => {
  it('orders the parts by locale', () => {
    expect(formatDate('2027-06-30', 'en')).toBe('06/30/2027');
    expect(formatDate('2027-06-30', 'it')).toBe('30/06/2027');
  });
});

describe('weightedAmount', () => {
  it.each([
    ['1234.56', 80, '987.65'],
    ['1.05', 50, '0.53'],
    ['0.01', 50, '0.01'],
    ['0.03', 50, '0.02'],
    ['-1.05', 50, '-0.53'],
    ['100', 0, '0'],
    ['999999999999.99', 100, '999999999999.99'],
  ])('weights %s at %i %% as %s', (amount, percent, expected) => {
    expect(weightedAmount(new Decimal(amount), percent).toString()).toBe(expected);
  });
});

describe('cents conversion', () => {
  it('round-trips amounts beyond the safe integer range of a double', () => {
    const amount = new Decimal('999999999999.99');

    expect(moneyToCents(amount)).toBe('99999999999999');
    expect(centsToMoney('99999999999999').toString()).toBe('999999999999.99');
  });

  it('reads cents from a number, a string and a bigint', () => {
    expect(centsToMoney(123456).toString()).toBe('1234.56');
    expect(centsToMoney('10').toString()).toBe('0.1');
    expect(centsToMoney(-5n).toString()).toBe('-0.05');
  });
});
