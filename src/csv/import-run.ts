import { CurrentUser } from '../access/current-user.js';
import { InputFormat, RecordValues } from '../records/field-codec.js';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { PicklistSet } from '../records/picklists.service.js';
import { FieldErrors } from '../records/record-validation.js';
import { localToday } from '../records/values.js';
import { CsvReadError } from './csv-file.js';
import { removeFormulaGuard } from './formula-guard.js';
import { ImportResult, ImportSettings, picklistKey, RowFailure, RowProblem } from './import-settings.js';
import { UserPermissions } from '../access/permissions.service.js';
import type { DuplicateTracker } from './import-duplicates.js';

/** Failed rows kept for the result page; the failed-rows file has every one. */
const FAILURES_SHOWN = 200;
/**
 * Characters of JSON those rows may take, because the result is kept in a TEXT column, which stores at
 * most 65,535 bytes on MariaDB/MySQL. Reasons are ASCII keys, but a header or a value may use up to 4 bytes a
 * character in UTF-8, so this leaves room for the counts and for multi-byte text.
 */
const FAILURES_MAX_CHARS = 12000;

/** One data row on its way to the database. */
export interface PreparedRow {
  line: number;
  cells: string[];
  values: RecordValues;
  errors: FieldErrors;
}

/** A finished import: the counts and every failed row with its original cells. */
export interface ImportOutcome {
  result: ImportResult;
  failedRows: { cells: string[]; failure: RowFailure }[];
}

/** The state of one running import. */
export class ImportRun {
  targets: FieldDefinition[] = [];
  /** The importing user's rights: a value for a field they may not change fails its row. */
  permissions = UserPermissions.unrestricted();
  picklists = new PicklistSet(new Map());
  readonly format: InputFormat;
  readonly today = localToday();
  readonly result: ImportResult = {
    read: 0,
    created: 0,
    failed: 0,
    skipped: 0,
    assignedToImporter: 0,
    linkedCreated: {},
    failures: [],
  };
  readonly failedRows: { cells: string[]; failure: RowFailure }[] = [];
  /** Finds the rows to skip because they repeat a checked value; absent when duplicates are imported. */
  duplicates?: DuplicateTracker;
  private failuresSize = 0;

  constructor(
    readonly manifest: ModuleManifest,
    readonly settings: ImportSettings,
    readonly user: CurrentUser,
  ) {
    this.format = {
      numberFormat: settings.numberFormat,
      dateFormat: settings.dateFormat,
      referencesByName: true,
    };
  }

  fail(cells: string[], failure: RowFailure): void {
    this.result.failed++;
    this.keep(cells, failure);
  }

  /** Skips a row that repeats a checked value, and lists it with the failed rows so that its reason is shown. */
  skipDuplicate(cells: string[], failure: RowFailure): void {
    this.result.duplicatesSkipped = (this.result.duplicatesSkipped ?? 0) + 1;
    this.keep(cells, failure);
  }

  private keep(cells: string[], failure: RowFailure): void {
    const size = JSON.stringify(failure).length;
    if (this.result.failures.length < FAILURES_SHOWN && this.failuresSize + size <= FAILURES_MAX_CHARS) {
      this.result.failures.push(failure);
      this.failuresSize += size;
    }
    this.failedRows.push({ cells, failure });
  }

  /** Names each field error by the CSV column mapped to the field, or by the field when none is. */
  problemsOf(row: PreparedRow): RowProblem[] {
    return Object.entries(row.errors).map(([fieldName, error]) => {
      const columnIndex = this.settings.mapping.indexOf(fieldName);
      const field = this.manifest.fields.find((f) => f.name === fieldName);
      return {
        column: columnIndex >= 0 ? this.settings.headers[columnIndex] : '',
        fieldLabel: columnIndex >= 0 ? undefined : (field?.label ?? fieldName),
        reason: `errors.field.${error.code}`,
        params: shortParams(error.params),
      };
    });
  }
}

/** Returns each mapped field's text: the cell, or the column's default when the cell is empty. */
export function mappedInput(settings: ImportSettings, cells: string[]): Record<string, string> {
  const input: Record<string, string> = {};
  settings.mapping.forEach((fieldName, index) => {
    if (!fieldName) return;

    let text = removeFormulaGuard(cells[index] ?? '');
    if (text.trim() === '') text = settings.defaults[index] ?? '';
    const choice = settings.picklistChoices[picklistKey(fieldName, text)];
    if (choice) text = choice;
    input[fieldName] = text;
  });
  return input;
}

/** Keeps long values out of the stored result, which is one TEXT column. */
function shortParams(params?: Record<string, string | number>): Record<string, string | number> | undefined {
  if (!params) return undefined;
  const short: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params))
    short[key] = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return short;
}

export function unreadableProblem(error: CsvReadError): RowProblem {
  return { column: '', reason: 'csv.errors.unreadable', params: { line: error.line, code: error.reason } };
}
