import { FieldDefinition, FieldType, ModuleManifest } from '../records/manifest.js';
import { CustomFieldRow } from './layout.entities.js';
import { LayoutError } from './module-layout.js';
import { MAX_DECIMAL_PLACES } from '../records/value-types.js';

/** The types an administrator may give a custom field. */
export const CUSTOM_FIELD_TYPES = [
  'text',
  'textarea',
  'integer',
  'currency',
  'percent',
  'decimal',
  'date',
  'time',
  'checkbox',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'user',
] as const satisfies readonly FieldType[];

export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** The maximum length of a custom text field, and its default, in characters. */
export const MAX_TEXT_LENGTH = 255;

/** The decimal places of a decimal field when the form leaves them empty. */
export const DEFAULT_DECIMAL_PLACES = 2;

/**
 * The maximum number of indexed custom fields of a module. Every index is written at each save of a record,
 * and InnoDB allows 64 indexes a table, so indexes go to the fields that lists sort and filter on. The
 * number is a choice that leaves room below InnoDB's limit, not a measured one.
 */
export const MAX_INDEXED_FIELDS = 20;

/** Types that get a control in the list's filter bar. Other types are filtered through the URL only. */
const FILTER_BAR_TYPES = new Set<string>([
  'picklist',
  'multipicklist',
  'date',
  'currency',
  'decimal',
  'time',
  'checkbox',
  'user',
]);

/**
 * A custom field's internal name and column: `cf_` and a number. Names and table names go into DDL, where
 * parameters cannot be used, so each is checked against these patterns right before it is written there.
 */
const CUSTOM_FIELD_NAME = /^cf_[1-9][0-9]{0,5}$/;
const TABLE_NAME = /^[a-z][a-z0-9_]{0,60}$/;

/** The Layout Editor's form for a new custom field, as submitted. */
export interface CustomFieldForm {
  label_en?: string;
  label_it?: string;
  type?: string;
  block?: string;
  max_length?: string;
  /** `on` when the field is to be a default column of the list. */
  list_column?: string;
  decimal_places?: string;
  /** The checkbox that requests an index on the field's column: 'on' when ticked. */
  indexed?: string;
}

/** Throws unless the name is a custom field's generated name, safe to write into DDL and queries. */
export function checkCustomFieldName(name: string): string {
  if (!CUSTOM_FIELD_NAME.test(name)) throw new Error(`Invalid custom field name: ${JSON.stringify(name)}`);
  return name;
}

/** Throws unless the name is a plain lower-case table name, safe to write into DDL. */
export function checkTableName(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`Invalid table name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Returns the next free custom field name: one more than the highest number among the module's definitions
 * and the columns of its custom-field table (a currency column is `cf_<n>_cents`), so a column left by an
 * interrupted change is never reused.
 */
export function nextCustomFieldName(usedNames: string[]): string {
  const numbers = usedNames
    .map((name) => /^cf_([1-9][0-9]{0,5})(_cents)?$/.exec(name))
    .map((match) => (match ? Number(match[1]) : 0));
  return checkCustomFieldName(`cf_${Math.max(0, ...numbers) + 1}`);
}

export function isCustomFieldType(type: string | undefined): type is CustomFieldType {
  return (CUSTOM_FIELD_TYPES as readonly string[]).includes(type ?? '');
}

/**
 * Reads the type, length, decimal places and index choice of the form. A length is read for text fields
 * only, and decimal places for decimal fields only; each is null for the other types. A text area cannot be
 * indexed, because its TEXT column has no index without a prefix length and lists never sort on it.
 */
export function readCustomFieldForm(form: CustomFieldForm): {
  type: CustomFieldType;
  maxLength: number | null;
  decimalPlaces: number | null;
  indexed: boolean;
} {
  if (!isCustomFieldType(form.type)) throw new LayoutError('typeInvalid');
  const type = form.type;
  const indexed = form.indexed === 'on';
  if (indexed && (type === 'textarea' || type === 'multipicklist')) throw new LayoutError('indexTypeInvalid');
  const maxLength = type === 'text' ? readMaxLength(form.max_length) : null;
  const decimalPlaces = type === 'decimal' ? readDecimalPlaces(form.decimal_places) : null;
  return { type, maxLength, decimalPlaces, indexed };
}

function readMaxLength(raw: string | undefined): number {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return MAX_TEXT_LENGTH;
  const maxLength = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(maxLength >= 1 && maxLength <= MAX_TEXT_LENGTH))
    throw new LayoutError('lengthInvalid', { max: MAX_TEXT_LENGTH });
  return maxLength;
}

function readDecimalPlaces(raw: string | undefined): number {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return DEFAULT_DECIMAL_PLACES;
  const places = /^\d$/.test(text) ? Number(text) : NaN;
  if (!(places >= 0 && places <= MAX_DECIMAL_PLACES))
    throw new LayoutError('placesInvalid', { max: MAX_DECIMAL_PLACES });
  return places;
}

/**
 * Returns the field a custom field's definition serves. Its label and block come from the stored layout,
 * which always has a row for it. The manifest's first block is only where a field without a row would go.
 */
export function customFieldDefinition(manifest: ModuleManifest, row: CustomFieldRow): FieldDefinition {
  const type = row.type as CustomFieldType;
  return {
    name: checkCustomFieldName(row.name),
    type,
    label: row.name,
    block: manifest.blocks[0].name,
    custom: true,
    ...(type === 'text' ? { maxLength: row.maxLength ?? MAX_TEXT_LENGTH } : {}),
    ...(type === 'decimal' ? { decimalPlaces: row.decimalPlaces ?? DEFAULT_DECIMAL_PLACES } : {}),
    filter: FILTER_BAR_TYPES.has(type),
  };
}

/** Returns the manifest with the module's active custom fields after its standard fields. */
export function withCustomFields(manifest: ModuleManifest, rows: CustomFieldRow[]): ModuleManifest {
  const active = rows.filter((row) => row.module === manifest.name && row.status === 'active');
  if (active.length === 0) return manifest;
  return {
    ...manifest,
    fields: [...manifest.fields, ...active.map((row) => customFieldDefinition(manifest, row))],
  };
}
