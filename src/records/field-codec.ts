import { Decimal } from 'decimal.js';
import { FieldDefinition } from './manifest.js';
import {
  CSV_MULTI_SEPARATOR,
  decodeMultiValues,
  encodeMultiValues,
  splitTypedValues,
} from './multi-values.js';
import {
  centsToMoney,
  DateFormat,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatMoney,
  Locale,
  moneyToCents,
  NumberFormat,
  parseDate,
  parseDecimal,
  parseMoney,
  ParseResult,
} from './values.js';
import { valueTypeOf } from './value-types.js';

/**
 * Conversion of one field's value between what a person types, what the code handles, what the
 * database stores and what a page or a CSV file shows. The value in code is:
 * text types: string; integer, percent, link, user: number; currency, decimal: Decimal; date: YYYY-MM-DD;
 * time: HH:MM; checkbox: boolean; datetime: YYYY-MM-DD HH:MM:SS in UTC; owner: a user's id, or
 * `group:<id>` for a group; multipicklist: the non-empty array of its values. Empty is null, except for a
 * checkbox, where it is false.
 */
export type FieldValue = string | number | boolean | Decimal | string[] | null;
export type RecordValues = Record<string, FieldValue>;

export interface InputFormat {
  numberFormat: NumberFormat;
  dateFormat: DateFormat;
  /** Imports name linked records and users; forms send ids. */
  referencesByName?: boolean;
}

const TEXT_MAX_LENGTH = 255;
const TEXTAREA_MAX_LENGTH = 65535;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
// A host comes first: a value starting with // (a link relative to the page's scheme) is not an address.
const URL = /^(https?:\/\/)?[^\s<>"'/][^\s<>"']*\.[^\s<>"']+$/i;
/** A scheme such as `javascript:` or `data:`. A colon followed by a digit is a port instead (`example.com:8080`). */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;

const GROUP_OWNER = /^group:(\d{1,10})$/;

/** Returns the value of an owner field that assigns a record to a group. */
export function groupOwner(groupId: number): string {
  return `group:${groupId}`;
}

/** Returns the group an owner value names, or undefined for a user's id or a name not yet looked up. */
export function ownerGroupId(value: FieldValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = GROUP_OWNER.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Reads an owner as a form sends it (a user's id or `group:<id>`), or undefined for anything else. */
export function readOwner(raw: unknown): number | string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (/^\d{1,10}$/.test(raw)) return Number(raw);
  return GROUP_OWNER.test(raw) ? raw : undefined;
}

/** Splits an owner value into its user and group columns, at most one of them set. */
export function ownerColumns(value: FieldValue | undefined): {
  userId: number | null;
  groupId: number | null;
} {
  return { userId: typeof value === 'number' ? value : null, groupId: ownerGroupId(value) ?? null };
}

const ok = (value: FieldValue): ParseResult<FieldValue> => ({ ok: true, value });
const fail = (error: string): ParseResult<FieldValue> => ({ ok: false, error });

/** Parses typed text into the field's value. Empty input is null; whether that is allowed is checked later. */
export function parseFieldInput(
  field: FieldDefinition,
  raw: string,
  format: InputFormat,
): ParseResult<FieldValue> {
  const text = field.type === 'textarea' ? raw.replace(/\r\n?/g, '\n').trim() : raw.trim();
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.parse(field, text, format);
  if (text === '') return ok(null);
  if (field.type === 'multipicklist') return parseMultiValues(splitTypedValues(text));

  switch (field.type) {
    case 'text':
    case 'phone':
    case 'picklist':
    case 'recordNumber':
      return text.length > (field.maxLength ?? TEXT_MAX_LENGTH) ? fail('tooLong') : ok(text);
    case 'textarea':
      return text.length > (field.maxLength ?? TEXTAREA_MAX_LENGTH) ? fail('tooLong') : ok(text);
    case 'email':
      if (text.length > TEXT_MAX_LENGTH) return fail('tooLong');
      return EMAIL.test(text) ? ok(text) : fail('invalidEmail');
    case 'url':
      if (text.length > TEXT_MAX_LENGTH) return fail('tooLong');
      if (URL_SCHEME.test(text) && !/^https?:\/\//i.test(text)) return fail('invalidUrl');
      return URL.test(text) ? ok(text) : fail('invalidUrl');
    case 'integer':
    case 'percent':
      return parseWholeNumber(field, text, format);
    case 'currency':
      return parseCurrency(field, text, format);
    case 'date':
      return parseDate(text, format.dateFormat);
    case 'link':
    case 'user':
    case 'owner':
      // Forms send an id, and an owner field `group:<id>` for a group; any other text is a name, which the
      // records service looks up.
      if (!format.referencesByName && /^\d{1,10}$/.test(text)) return ok(Number(text));
      if (field.type === 'owner' && !format.referencesByName && GROUP_OWNER.test(text)) return ok(text);
      return text.length > TEXT_MAX_LENGTH ? fail('tooLong') : ok(text);
    case 'datetime':
    case 'decimal':
    case 'time':
    case 'checkbox':
      return fail('notWritable');
  }
}

/**
 * Checks the length of each chosen value of a multi-select picklist. No chosen value is null.
 * NOTE: the total is not checked. MariaDB's TEXT column takes 65,535 bytes, so a record with more than
 * about 60 long values (255 characters of 4-byte letters each) fails to save with a database error.
 */
export function parseMultiValues(values: string[]): ParseResult<FieldValue> {
  const chosen = values.map((value) => value.trim()).filter((value) => value !== '');
  if (chosen.length === 0) return ok(null);
  if (chosen.some((value) => value.length > TEXT_MAX_LENGTH)) return fail('tooLong');
  return ok(chosen);
}

function parseWholeNumber(
  field: FieldDefinition,
  text: string,
  format: InputFormat,
): ParseResult<FieldValue> {
  const parsed = parseDecimal(text.replace(/%$/, ''), format.numberFormat);
  if (!parsed.ok) return parsed;
  if (!parsed.value.isInteger()) return fail('notWholeNumber');

  const [min, max] = field.type === 'percent' ? [field.min ?? 0, field.max ?? 100] : [field.min, field.max];
  if (min !== undefined && parsed.value.lessThan(min)) return fail('belowMinimum');
  if (max !== undefined && parsed.value.greaterThan(max)) return fail('aboveMaximum');
  if (!parsed.value.abs().lessThanOrEqualTo(2147483647)) return fail('numberTooLarge');
  return ok(parsed.value.toNumber());
}

function parseCurrency(field: FieldDefinition, text: string, format: InputFormat): ParseResult<FieldValue> {
  const parsed = parseMoney(text, format.numberFormat);
  if (!parsed.ok) return parsed;

  if (field.min !== undefined && parsed.value.lessThan(field.min)) {
    return fail(field.min === 0 ? 'negativeAmount' : 'belowMinimum');
  }
  return ok(parsed.value);
}

/** Converts a value in code into what its column stores. */
export function toColumn(field: FieldDefinition, value: FieldValue): string | number | null {
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.toColumn(field, value);
  if (value === null) return null;
  if (field.type === 'currency') return moneyToCents(value as Decimal);
  if (field.type === 'multipicklist') return encodeMultiValues(value as string[]);
  return value as string | number;
}

/** Converts what a driver returned for the column into the value in code. */
export function fromColumn(field: FieldDefinition, stored: unknown): FieldValue {
  // Drivers return strings, numbers (SQLite integers) or bigint; nothing else reaches a record column.
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.fromColumn(field, (stored ?? null) as string | number | bigint | null);
  if (stored === null || stored === undefined) return null;
  const raw = stored as string | number | bigint;

  switch (field.type) {
    case 'currency':
      return centsToMoney(String(raw));
    case 'integer':
    case 'percent':
    case 'link':
    case 'user':
    case 'owner':
      return Number(raw);
    case 'date':
      return String(raw).slice(0, 10);
    case 'datetime':
      return String(raw).slice(0, 19);
    case 'multipicklist': {
      const values = decodeMultiValues(String(raw));
      return values.length > 0 ? values : null;
    }
    default:
      return String(raw);
  }
}

/** Formats a value for a page. Links and users are shown by name, which the caller looks up. */
export function formatForDisplay(field: FieldDefinition, value: FieldValue, locale: Locale): string {
  if (value === null) return '';
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.display(field, value, locale);

  switch (field.type) {
    case 'currency':
      return formatMoney(value as Decimal, locale);
    case 'percent':
      return `${String(value)} %`;
    case 'integer':
      return formatDecimal(new Decimal(value as number), locale, 0);
    case 'date':
      return formatDate(value as string, locale);
    case 'datetime':
      // Stored and shown in UTC, because users have no time zone setting yet, so the label makes that plain.
      return `${formatDateTime(value as string, locale)} UTC`;
    case 'multipicklist':
      return (value as string[]).join(', ');
    default:
      return String(value);
  }
}

/** Formats a value the way a form field shows it for editing: what the user would type. */
export function formatForInput(field: FieldDefinition, value: FieldValue, locale: Locale): string {
  if (value === null) return '';
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.input(field, value, locale);

  switch (field.type) {
    case 'currency':
      return formatDecimal(value as Decimal, locale);
    case 'date':
      return formatDate(value as string, locale);
    case 'multipicklist':
      return (value as string[]).join(CSV_MULTI_SEPARATOR);
    default:
      return String(value);
  }
}

/** Formats a value for a CSV file: plain machine-readable numbers and ISO dates in any locale. */
export function formatForCsv(field: FieldDefinition, value: FieldValue): string {
  if (value === null) return '';
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.csv(field, value);
  if (field.type === 'currency') return (value as Decimal).toFixed(2);
  if (field.type === 'multipicklist') return (value as string[]).join(CSV_MULTI_SEPARATOR);
  return String(value);
}

/**
 * Reads a form's value of a field as text. A checkbox comes with a hidden input of the same name before it,
 * so that an unticked box still sends "0". A ticked one sends both, and the last value is the box's.
 */
export function formText(field: FieldDefinition, raw: unknown): unknown {
  if (field.type !== 'checkbox' || !Array.isArray(raw)) return raw;
  const texts = raw.filter((item): item is string => typeof item === 'string');
  return texts.length === raw.length ? texts[texts.length - 1] : raw;
}
