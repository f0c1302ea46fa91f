import type { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { DateFormat, LOCALES, NumberFormat } from '../records/values.js';
import { childColumnTarget } from './child-rows.js';
import { CsvDelimiter, CsvEncoding } from './csv-file.js';

/** The user's choices for one import, kept as JSON in `import_jobs.settings`. */
export interface ImportSettings {
  encoding: CsvEncoding;
  detectedEncoding: CsvEncoding;
  hasBom: boolean;
  delimiter: CsvDelimiter;
  detectedDelimiter: CsvDelimiter;
  numberFormat: NumberFormat;
  dateFormat: DateFormat;
  headers: string[];
  /** Target field name of each CSV column, or '' for a column that is not imported. */
  mapping: string[];
  /** Value used for an empty cell of each column. */
  defaults: string[];
  /** Listed value chosen for each picklist value that is not in the list, by `picklistKey`; '' fails the rows. */
  picklistChoices: Record<string, string>;
  /**
   * The user's choice for rows whose value of the module's duplicate check visible records already have, or
   * an earlier row of the file has. It applies while `column` is the column mapped to the checked field, so that
   * a changed mapping shows the duplicates again.
   */
  duplicateChoice?: { action: DuplicateAction; column: number };
}

/** Rows that repeat a value are imported anyway, or skipped and listed on the result page. */
export type DuplicateAction = 'import' | 'skip';
export const DUPLICATE_ACTIONS: DuplicateAction[] = ['import', 'skip'];

/** Counts and the first failed rows of a finished import, kept as JSON in `import_jobs.result`. */
export interface ImportResult {
  read: number;
  created: number;
  failed: number;
  skipped: number;
  /** Rows whose assigned user was not found and which were assigned to the importing user. */
  assignedToImporter: number;
  /** Linked records the import created (accounts named by rows), by module. */
  linkedCreated: Record<string, number>;
  /** Rows skipped because they repeat a value that the module's duplicate check compares; absent in older results. */
  duplicatesSkipped?: number;
  /** The first failed and skipped duplicate rows, for the result page; the failed-rows file has all of them. */
  failures: RowFailure[];
}

export interface RowProblem {
  /** The CSV column's header; empty for a problem of the whole row or of a field no column is mapped to. */
  column: string;
  /** i18n key of the field's label, for a field that no column is mapped to. */
  fieldLabel?: string;
  /** Full i18n key of the reason. */
  reason: string;
  params?: Record<string, string | number>;
}

export interface RowFailure {
  line: number;
  problems: RowProblem[];
}

export const NUMBER_FORMATS: NumberFormat[] = ['dot', 'comma'];
export const DATE_FORMATS: DateFormat[] = ['iso', 'dmy', 'mdy'];

/** Builds the key of an unlisted picklist value and its choice from the field and the value in lower case. */
export function picklistKey(field: string, value: string): string {
  return `${field}:${value.trim().toLowerCase()}`;
}

/** Returns the column mapped to the field of the module's duplicate check, or -1 when none is. */
export function checkedColumn(manifest: ModuleManifest, settings: ImportSettings): number {
  const field = manifest.duplicateCheck?.field;
  return field === undefined ? -1 : settings.mapping.indexOf(field);
}

/** Tells whether the user chose what to do with duplicate rows for the column now mapped to the checked field. */
export function duplicateActionOf(
  manifest: ModuleManifest,
  settings: ImportSettings,
): DuplicateAction | undefined {
  const choice = settings.duplicateChoice;
  return choice && choice.column === checkedColumn(manifest, settings) ? choice.action : undefined;
}

/**
 * Fields a column can be mapped to: the writable ones, and read-only ones that a module's save hook
 * takes from an import (a closed potential's effective close date). Fields the user's profile hides or
 * makes read-only are never targets. A module with child rows adds its child columns after its fields.
 */
export function importTargets(
  registry: ModuleRegistry,
  moduleName: string,
  permissions: UserPermissions,
): FieldDefinition[] {
  const fields = registry
    .get(moduleName)
    .fields.filter(
      (field) =>
        !field.system &&
        !field.computed &&
        field.type !== 'recordNumber' &&
        !permissions.isReadOnly(moduleName, field),
    );
  const childColumns = registry.csvChildRowsOf(moduleName)?.columns ?? [];
  return [...fields, ...childColumns.map(childColumnTarget)];
}

/** Compares header texts without regard to case, spaces, underscores or a byte-order mark. */
function headerKey(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_]+/g, '');
}

/**
 * Maps each header to the target field whose label (in any language) or name it matches; each field once.
 * A field the Layout Editor relabelled also matches its shipped label, so files written before the change
 * still map. A current label wins over a shipped one.
 */
export function guessMapping(
  headers: string[],
  targets: FieldDefinition[],
  shipped: FieldDefinition[] = [],
): string[] {
  const byKey = new Map<string, string>();
  const targetNames = new Set(targets.map((field) => field.name));
  for (const field of shipped.filter((candidate) => targetNames.has(candidate.name))) {
    for (const locale of LOCALES) byKey.set(headerKey(translate(locale, field.label)), field.name);
  }
  for (const field of targets) {
    byKey.set(headerKey(field.name), field.name);
    for (const locale of LOCALES) byKey.set(headerKey(translate(locale, field.label)), field.name);
  }

  const used = new Set<string>();
  return headers.map((header) => {
    const field = byKey.get(headerKey(header));
    if (!field || used.has(field)) return '';
    used.add(field);
    return field;
  });
}
