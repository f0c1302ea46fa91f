import type { FieldAccess } from '../profiles/profile.entity.js';
import { FieldDefinition } from './manifest.js';
import {
  FieldValue,
  formText,
  InputFormat,
  parseFieldInput,
  parseMultiValues,
  RecordValues,
} from './field-codec.js';
import { inListOrder, tickedValues } from './multi-values.js';
import { PicklistSet } from './picklists.service.js';
import { valueTypeOf } from './value-types.js';

export interface FieldError {
  /** Key under `errors.` in the i18n catalogues. */
  code: string;
  params?: Record<string, string | number>;
}
export type FieldErrors = Record<string, FieldError>;

export interface ParsedSubmission {
  values: RecordValues;
  /** Fields that the submission contained, even when empty. */
  submitted: Set<string>;
  errors: FieldErrors;
}

/**
 * Parses the submitted text of a form or an import row, reading only writable fields. A submitted value
 * for a field that the system manages, or that the user's profile hides or makes read-only, is an error
 * rather than silently dropped.
 */
export function parseSubmission(
  allFields: FieldDefinition[],
  input: Record<string, unknown>,
  format: InputFormat,
  restricted: ReadonlyMap<string, FieldAccess> = new Map(),
): ParsedSubmission {
  const values: RecordValues = {};
  const submitted = new Set<string>();
  const errors: FieldErrors = {};

  for (const field of allFields) {
    if (!(field.name in input)) continue;
    const raw = formText(field, input[field.name]);

    if (field.system || field.readOnly || field.computed) {
      errors[field.name] = { code: 'notWritable' };
      continue;
    }
    if (restricted.has(field.name)) {
      errors[field.name] = { code: field.readOnlyForAll ? 'readOnlyForAll' : 'notWritableForProfile' };
      continue;
    }
    // A multi-select picklist's checkboxes send one entry a value, after an empty hidden entry.
    const chosenValues = field.type === 'multipicklist' ? tickedValues(raw) : undefined;
    if (raw !== undefined && raw !== null && typeof raw !== 'string' && !chosenValues) {
      errors[field.name] = { code: 'invalidValue' };
      continue;
    }

    submitted.add(field.name);
    const parsed = chosenValues
      ? parseMultiValues(chosenValues)
      : parseFieldInput(field, typeof raw === 'string' ? raw : '', format);
    if (parsed.ok) values[field.name] = parsed.value;
    else
      errors[field.name] = {
        code: parsed.error,
        params: { ...limitsOf(field), value: typeof raw === 'string' ? raw.trim() : '' },
      };
  }
  return { values, submitted, errors };
}

function limitsOf(field: FieldDefinition): Record<string, number> {
  const limits: Record<string, number> = {
    maxLength: field.maxLength ?? (field.type === 'textarea' ? 65535 : 255),
  };
  if (field.min !== undefined) limits.min = field.min;
  if (field.max !== undefined) limits.max = field.max;
  if (field.type === 'percent') Object.assign(limits, { min: field.min ?? 0, max: field.max ?? 100 });
  // Named count so that the catalogues choose the plural form by it.
  if (field.decimalPlaces !== undefined) limits.count = field.decimalPlaces;
  return limits;
}

/**
 * Checks the merged values: required fields are filled and picklist values are listed. A picklist
 * value typed in another case is replaced by the listed spelling. The values of a multi-select picklist
 * are put in the list's order without duplicates, and the first unlisted one is reported. Fields in
 * `emptyAllowed` may stay empty although required.
 */
export function checkValues(
  writable: FieldDefinition[],
  values: RecordValues,
  picklists: PicklistSet,
  errors: FieldErrors,
  emptyAllowed: ReadonlySet<string> = new Set(),
): void {
  for (const field of writable) {
    if (errors[field.name]) continue;
    const value: FieldValue | undefined = values[field.name];

    const missing = emptyAllowed.has(field.name) ? undefined : missingError(field, value);
    if (missing) {
      errors[field.name] = missing;
      continue;
    }
    if (field.type === 'picklist' && typeof value === 'string') {
      const entry = picklists.match(field.name, value);
      if (entry) values[field.name] = entry.value;
      else errors[field.name] = { code: 'notInList', params: { value } };
    }
    if (field.type === 'multipicklist' && Array.isArray(value)) {
      const unlisted = value.find((typed) => !picklists.match(field.name, typed));
      if (unlisted !== undefined) {
        errors[field.name] = { code: 'notInList', params: { value: unlisted } };
        continue;
      }
      const listed = picklists.values(field.name).map((entry) => entry.value);
      values[field.name] = inListOrder(
        value.map((typed) => picklists.match(field.name, typed)!.value),
        listed,
      );
    }
  }
}

/**
 * Returns the error of a mandatory field left unfilled, or undefined. A checkbox counts as unfilled when it
 * is not ticked, so its error code requests the tick.
 */
export function missingError(field: FieldDefinition, value: FieldValue | undefined): FieldError | undefined {
  if (!field.required) return undefined;
  const valueType = valueTypeOf(field);
  if (value !== null && value !== undefined && !valueType?.isBlank?.(value)) return undefined;
  return { code: valueType?.requiredCode ?? 'required' };
}

/** The format of stored default values: the one CSV files use, so that no locale changes their meaning. */
export const DEFAULT_VALUE_FORMAT: InputFormat = { numberFormat: 'dot', dateFormat: 'iso' };

/** Returns the value of the field's default, or null when it has none. */
export function defaultValueOf(field: FieldDefinition): FieldValue {
  if (field.defaultValue === undefined) return null;
  const parsed = parseFieldInput(field, field.defaultValue, DEFAULT_VALUE_FORMAT);
  return parsed.ok ? parsed.value : null;
}

/**
 * Gives each empty field of a new record its default value, except the fields in `kept`: a form passes
 * the fields it submitted, so that a default the user cleared stays cleared.
 */
export function applyDefaults(
  fields: FieldDefinition[],
  values: RecordValues,
  kept: ReadonlySet<string>,
): void {
  for (const field of fields) {
    if (field.defaultValue === undefined || kept.has(field.name)) continue;
    if (values[field.name] === null || values[field.name] === undefined)
      values[field.name] = defaultValueOf(field);
  }
}
