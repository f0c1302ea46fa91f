import { Decimal } from 'decimal.js';
import type { EntitySchemaColumnOptions } from 'typeorm';
import { translate } from '../i18n/i18n.service.js';
import type { FieldValue, InputFormat } from './field-codec.js';
import type { FieldDefinition } from './manifest.js';
import { formatDecimal, Locale, parseDecimal, ParseResult } from './values.js';

/**
 * A field type whose whole conversion lives in one object: what a person types, the value in code, the
 * stored column, pages, CSV files, URL filters and sorting. Decimal, time and checkbox fields use these,
 * while the switches in field-codec.ts handle the older types.
 */
export interface ValueType {
  /** Parses trimmed input, which may be empty. */
  parse(field: FieldDefinition, text: string, format: InputFormat): ParseResult<FieldValue>;
  /** The column the record engine creates for the field. */
  column: EntitySchemaColumnOptions;
  toColumn(field: FieldDefinition, value: FieldValue): string | number | null;
  /** Converts what a driver returned, including null for a record without a custom-field row. */
  fromColumn(field: FieldDefinition, stored: string | number | bigint | null): FieldValue;
  display(field: FieldDefinition, value: FieldValue, locale: Locale): string;
  /** The value as a form field shows it for editing. */
  input(field: FieldDefinition, value: FieldValue, locale: Locale): string;
  csv(field: FieldDefinition, value: FieldValue): string;
  /** Reads a filter value from a URL into what the column is compared with, or undefined when unreadable. */
  filterValue(field: FieldDefinition, raw: string): string | number | undefined;
  /** The SQL expression that filters and sorts compare, given the column's reference. */
  compared?(column: string): string;
  /** Sort values are numbers, so a list cursor keeps them as numbers. */
  numericSort: boolean;
  /** The error code of a mandatory field left without a value. */
  requiredCode?: string;
  /** Tells whether a value leaves a mandatory field unfilled, besides null. */
  isBlank?(value: FieldValue): boolean;
  /** The SQL condition of a column whose value leaves a mandatory field unfilled, when not only IS NULL. */
  blankCondition?(column: string): string;
}

const ok = (value: FieldValue): ParseResult<FieldValue> => ({ ok: true, value });
const fail = (error: string): ParseResult<FieldValue> => ({ ok: false, error });

/** The maximum number of decimal places of a decimal field. */
export const MAX_DECIMAL_PLACES = 6;

/**
 * The maximum number of digits of a decimal value, before and after the point together. The value is stored as a
 * whole number of its smallest unit (1.25 with 2 places as 125), and 15 digits stay exact both in a
 * BIGINT column and in the JavaScript number a list cursor carries.
 */
export const MAX_DECIMAL_DIGITS = 15;

function scaleOf(field: FieldDefinition): Decimal {
  return new Decimal(10).pow(field.decimalPlaces ?? 0);
}

function parseDecimalValue(
  field: FieldDefinition,
  text: string,
  format: InputFormat,
): ParseResult<FieldValue> {
  if (text === '') return ok(null);
  const parsed = parseDecimal(text, format.numberFormat);
  if (!parsed.ok) return parsed;

  const places = field.decimalPlaces ?? 0;
  if (parsed.value.decimalPlaces() > places)
    return fail(places === 0 ? 'notWholeNumber' : 'tooManyDecimalPlaces');
  if (parsed.value.times(scaleOf(field)).abs().greaterThanOrEqualTo(new Decimal(10).pow(MAX_DECIMAL_DIGITS)))
    return fail('numberTooLarge');
  return ok(parsed.value);
}

/** Decimal: a number with a fixed number of places, stored as a whole number of its smallest unit. */
const DECIMAL: ValueType = {
  parse: parseDecimalValue,
  column: { type: 'bigint', nullable: true },
  toColumn: (field, value) => (value === null ? null : (value as Decimal).times(scaleOf(field)).toFixed(0)),
  fromColumn: (field, stored) =>
    stored === null ? null : new Decimal(String(stored)).dividedBy(scaleOf(field)),
  display: (field, value, locale) => formatDecimal(value as Decimal, locale, field.decimalPlaces ?? 0),
  input: (field, value, locale) => formatDecimal(value as Decimal, locale, field.decimalPlaces ?? 0),
  csv: (field, value) => (value as Decimal).toFixed(field.decimalPlaces ?? 0),
  filterValue: (field, raw) => {
    const parsed = parseDecimalValue(field, raw, { numberFormat: 'dot', dateFormat: 'iso' });
    return parsed.ok && parsed.value !== null ? (DECIMAL.toColumn(field, parsed.value) as string) : undefined;
  },
  numericSort: true,
};

/** Parses a time of day: H:MM or HH:MM, with a colon or a dot, and optionally :00 seconds. */
export function parseTime(text: string): ParseResult<string> {
  const match = /^(\d{1,2})[:.](\d{2})(?::00)?$/.exec(text);
  if (!match) return { ok: false, error: 'invalidTime' };
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (hours > 23 || minutes > 59) return { ok: false, error: 'invalidTime' };
  return { ok: true, value: `${String(hours).padStart(2, '0')}:${match[2]}` };
}

/** Time: a time of day without time zone, stored as HH:MM, so that text order is time order. */
const TIME: ValueType = {
  parse: (_field, text) => (text === '' ? ok(null) : parseTime(text)),
  column: { type: 'varchar', length: 5, nullable: true },
  toColumn: (_field, value) => value as string | null,
  fromColumn: (_field, stored) => (stored === null ? null : String(stored).slice(0, 5)),
  display: (_field, value) => value as string,
  input: (_field, value) => value as string,
  csv: (_field, value) => value as string,
  filterValue: (_field, raw) => {
    const parsed = parseTime(raw);
    return parsed.ok ? parsed.value : undefined;
  },
  numericSort: false,
};

const CHECKBOX_WORDS = new Map<string, boolean>([
  ['yes', true],
  ['no', false],
  ['1', true],
  ['0', false],
  ['true', true],
  ['false', false],
  ['sì', true],
  ['si', true],
]);

/** Reads yes or no as forms, imports and filters write it, or returns undefined for any other text. */
export function readCheckbox(text: string): boolean | undefined {
  return CHECKBOX_WORDS.get(text.trim().toLowerCase());
}

/**
 * Checkbox: yes or no, stored as 1 or 0. An unticked box sends nothing, so empty input is no, and so is a
 * record saved before the field existed, which has null in the column or no custom-field row at all.
 */
const CHECKBOX: ValueType = {
  parse: (_field, text) => {
    if (text === '') return ok(false);
    const value = readCheckbox(text);
    return value === undefined ? fail('invalidCheckbox') : ok(value);
  },
  column: { type: 'boolean', nullable: true },
  toColumn: (_field, value) => (value === true ? 1 : 0),
  fromColumn: (_field, stored) => stored !== null && Number(stored) === 1,
  display: (_field, value, locale) => translate(locale, value === true ? 'common.yes' : 'common.no'),
  input: (_field, value) => (value === true ? '1' : '0'),
  csv: (_field, value) => (value === true ? 'yes' : 'no'),
  filterValue: (_field, raw) => {
    const value = readCheckbox(raw);
    return value === undefined ? undefined : Number(value);
  },
  compared: (column) => `COALESCE(${column}, 0)`,
  numericSort: true,
  requiredCode: 'mustBeTicked',
  isBlank: (value) => value === false,
  blankCondition: (column) => `COALESCE(${column}, 0) = 0`,
};

const VALUE_TYPES: Partial<Record<FieldDefinition['type'], ValueType>> = {
  decimal: DECIMAL,
  time: TIME,
  checkbox: CHECKBOX,
};

/** Returns the conversion of a field whose type has one here, or undefined for the older types. */
export function valueTypeOf(field: FieldDefinition): ValueType | undefined {
  return VALUE_TYPES[field.type];
}
