import { Decimal } from 'decimal.js';
import {
  FieldValue,
  formatForCsv,
  formatForDisplay,
  formatForInput,
  fromColumn,
  InputFormat,
  parseFieldInput,
  toColumn,
} from './field-codec.js';
import { FieldDefinition, FieldType } from './manifest.js';

const ENGLISH: InputFormat = { numberFormat: 'dot', dateFormat: 'mdy' };
const ITALIAN: InputFormat = { numberFormat: 'comma', dateFormat: 'dmy' };

function field(type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name: 'value', type, label: 'fields.value', block: 'info', ...extra };
}

/** Returns the parsed value as text, or the error code, so that one assertion shows either. */
function parsed(definition: FieldDefinition, raw: string, format = ENGLISH): string {
  const result = parseFieldInput(definition, raw, format);
  if (!result.ok) return `error:${result.error}`;
  if (result.value === null) return 'null';
  return `${typeof result.value === 'object' ? 'decimal' : typeof result.value}:${String(result.value)}`;
}

describe('parseFieldInput', () => {
  it('reads empty input as null for every type', () => {
    const types: FieldType[] = ['text', 'email', 'url', 'percent', 'currency', 'date', 'link', 'user'];
    for (const type of types) expect(parsed(field(type), '   ')).toBe('null');
  });

  it('trims text and checks its length', () => {
    expect(parsed(field('text'), '  Acme  ')).toBe('string:Acme');
    expect(parsed(field('text'), 'x'.repeat(255))).toBe(`string:${'x'.repeat(255)}`);
    expect(parsed(field('text'), 'x'.repeat(256))).toBe('error:tooLong');
    expect(parsed(field('text', { maxLength: 5 }), 'abcdef')).toBe('error:tooLong');
  });

  it('keeps markup in text as typed', () => {
    expect(parsed(field('text'), '<script>alert(1)</script>')).toBe('string:<script>alert(1)</script>');
  });

  it('normalises line ends in a textarea', () => {
    expect(parsed(field('textarea'), 'one\r\ntwo\rthree\n')).toBe('string:one\ntwo\nthree');
  });

  it('checks e-mail addresses', () => {
    expect(parsed(field('email'), 'anna@example.com')).toBe('string:anna@example.com');
    expect(parsed(field('email'), 'anna@example')).toBe('error:invalidEmail');
    expect(parsed(field('email'), 'anna example@x.com')).toBe('error:invalidEmail');
    expect(parsed(field('email'), '<a>@example.com')).toBe('error:invalidEmail');
  });

  it('checks web addresses', () => {
    expect(parsed(field('url'), 'https://example.com/a?b=1')).toBe('string:https://example.com/a?b=1');
    expect(parsed(field('url'), 'example.com')).toBe('string:example.com');
    expect(parsed(field('url'), 'example.com:8080/path')).toBe('string:example.com:8080/path');
    expect(parsed(field('url'), 'javascript:alert(1)')).toBe('error:invalidUrl');
    expect(parsed(field('url'), 'javascript:alert(document.cookie)')).toBe('error:invalidUrl');
    expect(parsed(field('url'), 'JavaScript:void(window.name)')).toBe('error:invalidUrl');
    expect(parsed(field('url'), 'data:text/html,x.y')).toBe('error:invalidUrl');
    expect(parsed(field('url'), 'ftp://files.example.com')).toBe('error:invalidUrl');
    expect(parsed(field('url'), 'http://exa mple.com')).toBe('error:invalidUrl');
    expect(parsed(field('url'), '//example.com')).toBe('error:invalidUrl');
  });

  it('limits a percent to 0 to 100 whole numbers', () => {
    expect(parsed(field('percent'), '35')).toBe('number:35');
    expect(parsed(field('percent'), '35%')).toBe('number:35');
    expect(parsed(field('percent'), '0')).toBe('number:0');
    expect(parsed(field('percent'), '100')).toBe('number:100');
    expect(parsed(field('percent'), '101')).toBe('error:aboveMaximum');
    expect(parsed(field('percent'), '-1')).toBe('error:belowMinimum');
    expect(parsed(field('percent'), '12.5')).toBe('error:notWholeNumber');
  });

  it('reads whole numbers in the locale format', () => {
    expect(parsed(field('integer'), '1,234')).toBe('number:1234');
    expect(parsed(field('integer'), '1.234', ITALIAN)).toBe('number:1234');
    expect(parsed(field('integer'), '2147483648')).toBe('error:numberTooLarge');
    expect(parsed(field('integer', { min: 1 }), '0')).toBe('error:belowMinimum');
  });

  it('reads currency as a Decimal in the locale format', () => {
    expect(parsed(field('currency'), '1,234.56')).toBe('decimal:1234.56');
    expect(parsed(field('currency'), '1.234,56', ITALIAN)).toBe('decimal:1234.56');
    expect(parsed(field('currency'), '1.234,56')).toBe('error:invalidNumber');
    expect(parsed(field('currency'), '0.125')).toBe('error:tooManyDecimals');
  });

  it('rejects a negative amount when the minimum is 0', () => {
    expect(parsed(field('currency', { min: 0 }), '-0.01')).toBe('error:negativeAmount');
    expect(parsed(field('currency', { min: 10 }), '9.99')).toBe('error:belowMinimum');
    expect(parsed(field('currency'), '-0.01')).toBe('decimal:-0.01');
  });

  it('reads dates in the locale order', () => {
    expect(parsed(field('date'), '06/30/2027')).toBe('string:2027-06-30');
    expect(parsed(field('date'), '30/06/2027', ITALIAN)).toBe('string:2027-06-30');
    expect(parsed(field('date'), '2027-02-30')).toBe('error:impossibleDate');
  });

  it('reads link ids and names', () => {
    expect(parsed(field('link'), '42')).toBe('number:42');
    expect(parsed(field('link'), 'Acme Corp')).toBe('string:Acme Corp');
    expect(parsed(field('link'), '42', { ...ENGLISH, referencesByName: true })).toBe('string:42');
    expect(parsed(field('user'), '7')).toBe('number:7');
  });

  it('rejects typed timestamps', () => {
    expect(parsed(field('datetime'), '2027-06-30 10:00:00')).toBe('error:notWritable');
  });
});

describe('toColumn and fromColumn', () => {
  it('stores currency as whole cents', () => {
    expect(toColumn(field('currency'), new Decimal('1234.56'))).toBe('123456');
    expect(toColumn(field('currency'), new Decimal('0.1'))).toBe('10');
    expect(toColumn(field('currency'), null)).toBeNull();
  });

  it('reads cents from either driver', () => {
    const fromMariaDb = fromColumn(field('currency'), '123456') as Decimal;
    const fromSqlite = fromColumn(field('currency'), 123456) as Decimal;

    expect(fromMariaDb.toString()).toBe('1234.56');
    expect(fromSqlite.toString()).toBe('1234.56');
  });

  it('reads numbers, dates and timestamps as their code values', () => {
    expect(fromColumn(field('percent'), '80')).toBe(80);
    expect(fromColumn(field('link'), 5n)).toBe(5);
    expect(fromColumn(field('date'), '2027-06-30')).toBe('2027-06-30');
    expect(fromColumn(field('datetime'), '2027-06-30 10:11:12.000000')).toBe('2027-06-30 10:11:12');
    expect(fromColumn(field('text'), null)).toBeNull();
    expect(fromColumn(field('text'), undefined)).toBeNull();
  });
});

describe('formatting', () => {
  const amount: FieldValue = new Decimal('1234.5');

  it('shows values for a page in the locale', () => {
    expect(formatForDisplay(field('currency'), amount, 'en')).toBe('€ 1,234.50');
    expect(formatForDisplay(field('currency'), amount, 'it')).toBe('€ 1.234,50');
    expect(formatForDisplay(field('percent'), 80, 'en')).toBe('80 %');
    expect(formatForDisplay(field('integer'), 1234567, 'it')).toBe('1.234.567');
    expect(formatForDisplay(field('date'), '2027-06-30', 'it')).toBe('30/06/2027');
    expect(formatForDisplay(field('datetime'), '2027-06-30 10:11:12', 'en')).toBe('06/30/2027 10:11 UTC');
    expect(formatForDisplay(field('text'), null, 'en')).toBe('');
  });

  it('fills a form with what the user would type back', () => {
    const italianText = formatForInput(field('currency'), amount, 'it');

    expect(italianText).toBe('1.234,50');
    expect(parsed(field('currency'), italianText, ITALIAN)).toBe('decimal:1234.5');
    const italianDate = formatForInput(field('date'), '2027-06-30', 'it');
    expect(italianDate).toBe('30/06/2027');
    expect(parsed(field('date'), italianDate, ITALIAN)).toBe('string:2027-06-30');
  });

  it('writes plain machine-readable values to CSV', () => {
    expect(formatForCsv(field('currency'), amount)).toBe('1234.50');
    expect(formatForCsv(field('currency'), new Decimal('-0.1'))).toBe('-0.10');
    expect(formatForCsv(field('percent'), 80)).toBe('80');
    expect(formatForCsv(field('date'), '2027-06-30')).toBe('2027-06-30');
    expect(formatForCsv(field('text'), null)).toBe('');
  });
});
