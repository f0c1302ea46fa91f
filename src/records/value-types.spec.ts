import { Decimal } from 'decimal.js';
import {
  formatForCsv,
  formatForDisplay,
  formatForInput,
  formText,
  fromColumn,
  InputFormat,
  parseFieldInput,
  toColumn,
} from './field-codec.js';
import { FieldDefinition, FieldType } from './manifest.js';
import { valueTypeOf } from './value-types.js';

const ENGLISH: InputFormat = { numberFormat: 'dot', dateFormat: 'mdy' };
const ITALIAN: InputFormat = { numberFormat: 'comma', dateFormat: 'dmy' };

function field(type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name: 'cf_1', type, label: 'cf_1', block: 'info', custom: true, ...extra };
}

const twoPlaces = field('decimal', { decimalPlaces: 2 });
const threePlaces = field('decimal', { decimalPlaces: 3 });
const wholeDecimal = field('decimal', { decimalPlaces: 0 });
const time = field('time');
const checkbox = field('checkbox');

/** Returns the parsed value as text, or the error code, so that one assertion shows either. */
function parsed(definition: FieldDefinition, raw: string, format = ENGLISH): string {
  const result = parseFieldInput(definition, raw, format);
  if (!result.ok) return `error:${result.error}`;
  if (result.value === null) return 'null';
  if (result.value instanceof Decimal) return `decimal:${result.value.toString()}`;
  return `${typeof result.value}:${String(result.value)}`;
}

describe('decimal fields', () => {
  it('reads the number format of each language', () => {
    expect(parsed(threePlaces, '1,234.5')).toBe('decimal:1234.5');
    expect(parsed(threePlaces, '1.234,5', ITALIAN)).toBe('decimal:1234.5');
    expect(parsed(threePlaces, '-0,125', ITALIAN)).toBe('decimal:-0.125');
    expect(parsed(threePlaces, '')).toBe('null');
  });

  it('rejects more places than the field has', () => {
    expect(parsed(twoPlaces, '1.234')).toBe('error:tooManyDecimalPlaces');
    expect(parsed(wholeDecimal, '1.5')).toBe('error:notWholeNumber');
    expect(parsed(twoPlaces, '1.20')).toBe('decimal:1.2');
  });

  it('rejects more than 15 digits', () => {
    expect(parsed(threePlaces, '999999999999.999')).toBe('decimal:999999999999.999');
    expect(parsed(threePlaces, '1000000000000')).toBe('error:numberTooLarge');
  });

  it('rejects text that is not a number', () => {
    expect(parsed(twoPlaces, '12abc')).toBe('error:invalidNumber');
  });

  it('stores a whole number of the smallest unit, exactly', () => {
    expect(toColumn(threePlaces, new Decimal('0.1'))).toBe('100');
    expect(toColumn(threePlaces, new Decimal('-1234.567'))).toBe('-1234567');
    expect((fromColumn(threePlaces, '-1234567') as Decimal).toString()).toBe('-1234.567');
    expect((fromColumn(threePlaces, 100) as Decimal).toString()).toBe('0.1');
    expect(fromColumn(threePlaces, null)).toBeNull();
  });

  it('shows exactly its places in the language of the page', () => {
    expect(formatForDisplay(threePlaces, new Decimal('1234.5'), 'en')).toBe('1,234.500');
    expect(formatForDisplay(threePlaces, new Decimal('1234.5'), 'it')).toBe('1.234,500');
    expect(formatForDisplay(wholeDecimal, new Decimal('7'), 'en')).toBe('7');
    expect(formatForInput(twoPlaces, new Decimal('-0.5'), 'it')).toBe('-0,50');
  });

  it('writes CSV with a plain dot and its places', () => {
    expect(formatForCsv(threePlaces, new Decimal('1234.5'))).toBe('1234.500');
  });

  it('reads URL filters with a dot as stored units', () => {
    const valueType = valueTypeOf(twoPlaces)!;
    expect(valueType.filterValue(twoPlaces, '12.5')).toBe('1250');
    expect(valueType.filterValue(twoPlaces, '12.555')).toBeUndefined();
    expect(valueType.filterValue(twoPlaces, '12,5')).toBeUndefined();
  });
});

describe('time fields', () => {
  it.each([
    ['9:05', '09:05'],
    ['09:05', '09:05'],
    ['9.05', '09:05'],
    ['23:59', '23:59'],
    ['00:00', '00:00'],
    ['07:30:00', '07:30'],
  ])('reads %j as %j', (raw, expected) => {
    expect(parsed(time, raw)).toBe(`string:${expected}`);
  });

  it.each(['25:00', '24:00', '12:60', '9h', '905', '9:5', '12:30:15', 'noon'])('rejects %j', (raw) => {
    expect(parsed(time, raw)).toBe('error:invalidTime');
  });

  it('reads empty input as null', () => {
    expect(parsed(time, ' ')).toBe('null');
  });

  it('shows and exports HH:MM', () => {
    expect(formatForDisplay(time, '09:05', 'it')).toBe('09:05');
    expect(formatForCsv(time, '09:05')).toBe('09:05');
    expect(fromColumn(time, '09:05')).toBe('09:05');
  });
});

describe('checkbox fields', () => {
  it.each(['yes', 'YES', '1', 'true', 'True', 'sì', 'Sì', 'si'])('reads %j as yes', (raw) => {
    expect(parsed(checkbox, raw)).toBe('boolean:true');
  });

  it.each(['no', 'No', '0', 'false', 'FALSE'])('reads %j as no', (raw) => {
    expect(parsed(checkbox, raw)).toBe('boolean:false');
  });

  it('reads an unticked box, which sends nothing, as no', () => {
    expect(parsed(checkbox, '')).toBe('boolean:false');
  });

  it.each(['maybe', 'y', '2', 'vero'])('rejects %j', (raw) => {
    expect(parsed(checkbox, raw)).toBe('error:invalidCheckbox');
  });

  it('stores 1 or 0 and reads a missing value as no', () => {
    expect(toColumn(checkbox, true)).toBe(1);
    expect(toColumn(checkbox, false)).toBe(0);
    expect(toColumn(checkbox, null)).toBe(0);
    expect(fromColumn(checkbox, 1)).toBe(true);
    expect(fromColumn(checkbox, '0')).toBe(false);
    expect(fromColumn(checkbox, null)).toBe(false);
    expect(fromColumn(checkbox, undefined)).toBe(false);
  });

  it('shows Yes and No in the language of the page', () => {
    expect(formatForDisplay(checkbox, true, 'en')).toBe('Yes');
    expect(formatForDisplay(checkbox, true, 'it')).toBe('Sì');
    expect(formatForDisplay(checkbox, false, 'it')).toBe('No');
  });

  it('exports yes or no', () => {
    expect(formatForCsv(checkbox, true)).toBe('yes');
    expect(formatForCsv(checkbox, false)).toBe('no');
  });

  it('takes the box after its hidden input from a form', () => {
    expect(formText(checkbox, ['0', '1'])).toBe('1');
    expect(formText(checkbox, '0')).toBe('0');
    expect(formText(field('text'), ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('compares a missing value as no in filters and sorts', () => {
    expect(valueTypeOf(checkbox)!.compared!('cf.cf_1')).toBe('COALESCE(cf.cf_1, 0)');
    expect(valueTypeOf(checkbox)!.filterValue(checkbox, 'no')).toBe(0);
  });
});
