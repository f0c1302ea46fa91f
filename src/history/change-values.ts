import { FieldValue, fromColumn, readOwner, RecordValues, toColumn } from '../records/field-codec.js';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';

/** One field changed by a save, with its values as text in their stored form; null is empty. */
export interface FieldChange {
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * Returns the fields of a module whose changes the history keeps: every stored field except the computed
 * ones (a weighted amount follows its sources) and the record number, which never changes.
 */
export function trackedFields(manifest: ModuleManifest): FieldDefinition[] {
  return manifest.fields.filter((field) => !field.computed && field.type !== 'recordNumber');
}

/**
 * Converts a value into the text the history stores: what the column stores, as text. An owner keeps its
 * value in code (a user's id or `group:<id>`), because its column alone does not say which of the two it is.
 * An empty text, a multi-select with no value and an unticked checkbox's null are all stored as null.
 */
export function storedText(field: FieldDefinition, value: FieldValue | undefined): string | null {
  if (value === undefined || value === null) return field.type === 'checkbox' ? '0' : null;
  if (field.type === 'owner') return String(value);
  const column = toColumn(field, value);
  if (column === null || column === '') return null;
  return String(column);
}

/** Converts a stored text back into the value in code, for formatting. */
export function valueFromText(field: FieldDefinition, text: string | null): FieldValue {
  if (text === null) return field.type === 'checkbox' ? false : null;
  if (field.type === 'owner') return readOwner(text) ?? null;
  return fromColumn(field, text);
}

/** Lists the fields whose stored value differs between two versions of a record, in the fields' order. */
export function changedFields(
  fields: FieldDefinition[],
  previous: RecordValues,
  values: RecordValues,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const oldValue = storedText(field, previous[field.name]);
    const newValue = storedText(field, values[field.name]);
    if (oldValue !== newValue) changes.push({ field: field.name, oldValue, newValue });
  }
  return changes;
}
