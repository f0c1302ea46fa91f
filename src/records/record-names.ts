import { ModuleManifest } from './manifest.js';

// Record names: the name field, or for a person several fields joined with a space ("Mario Rossi" from
// first and last name). Pages, pickers, link cells and CSV files all name records this way. Sorting stays
// on the name field alone.

/** Returns the fields that name a record of the module, in the order the name reads. */
export function nameFieldsOf(manifest: ModuleManifest): string[] {
  return manifest.nameFields ?? [manifest.nameField];
}

/** Returns a record's name: the non-empty values of its name fields, trimmed and joined with a space. */
export function recordName(manifest: ModuleManifest, values: Record<string, unknown>): string {
  return nameFieldsOf(manifest)
    .map((name) => values[name])
    .filter((value) => value !== null && value !== undefined)
    .map((value) => String(value as string | number).trim())
    .filter((value) => value !== '')
    .join(' ');
}

/**
 * Returns the SQL expression of a record's name on the module's table under `alias`. CONCAT_WS leaves out
 * NULL values on MariaDB, MySQL and SQLite (3.44 and later), and NULLIF turns an empty value into NULL, so a
 * contact without a first name is named "Rossi", not " Rossi". Field names come from the manifest only.
 */
export function recordNameSql(manifest: ModuleManifest, alias: string): string {
  const fields = nameFieldsOf(manifest);
  if (fields.length === 1) return `${alias}.${fields[0]}`;
  return `CONCAT_WS(' ', ${fields.map((name) => `NULLIF(${alias}.${name}, '')`).join(', ')})`;
}

/**
 * Returns the SQL expressions that a name given for a link is compared with, in the order they are tried.
 * Each gives the form that linkKeyOf() makes of a name. A module whose names are unique has its key column.
 * Other modules have the full name in lower case, then the name field alone ("Rossi" finds Mario Rossi).
 */
export function linkNameMatchers(manifest: ModuleManifest, alias: string): string[] {
  const nameField = manifest.fields.find((field) => field.name === manifest.nameField);
  if (nameField?.uniqueKey) return [`${alias}.${nameField.name}_key`];
  const matchers = [`LOWER(${recordNameSql(manifest, alias)})`];
  if (nameFieldsOf(manifest).length > 1) matchers.push(`LOWER(${alias}.${manifest.nameField})`);
  return matchers;
}

/**
 * Returns the form of a name that linkNameMatchers() compares: trimmed and in lower case, and for unique
 * names single-spaced too, as their key column stores them.
 * NOTE: SQLite's LOWER() changes ASCII letters only, so a name with an accented capital ("Èlia") is found
 * by name on MariaDB but not on SQLite.
 */
export function linkKeyOf(manifest: ModuleManifest, name: string): string {
  const nameField = manifest.fields.find((field) => field.name === manifest.nameField);
  const key = name.trim().toLowerCase();
  return nameField?.uniqueKey ? key.replace(/\s+/g, ' ') : key;
}
