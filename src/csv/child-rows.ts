import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { FieldDefinition } from '../records/manifest.js';
import type { RecordValues } from '../records/field-codec.js';
import type { NumberFormat } from '../records/values.js';

/**
 * Child rows in CSV files, for a module whose records own rows of another table (a quote's product lines).
 * The module's export writes one CSV row per child row with the record's fields repeated. Its import groups
 * the rows of one record back together. The module registers its CsvChildRows with
 * ModuleRegistry.registerCsvChildRows().
 */

/** A CSV column of child rows, or of the record's own data kept outside its fields. */
export interface CsvChildColumn {
  /** The name in an import mapping. It contains a dot, so that it never equals a field's name. */
  name: string;
  /** i18n key of the column header. */
  label: string;
  /** `record`: one value per record, repeated on each of its rows. `child`: one value per child row. */
  level: 'record' | 'child';
  /** False for an import-only column whose value the export already writes under a field of the record. */
  exported: boolean;
  /** Numbers are written without the formula guard, which would turn a minus sign into text. */
  numeric?: boolean;
}

/** One data row of a record's group in an import file. */
export interface ChildRowInput {
  line: number;
  /** The mapped text of each field and column, as mappedInput() returns it. */
  input: Record<string, string>;
}

/** A problem of one row of a group, as the module found it. */
export interface ChildRowProblem {
  /** Index of the row in the group, from 0. */
  row: number;
  /** The column's name (a child column's or a field's), or '' for the whole row. */
  column: string;
  /** Full i18n key of the reason. */
  reason: string;
  params?: Record<string, string | number>;
}

export type ChildRowsCheck<T> = { ok: true; children: T } | { ok: false; problems: ChildRowProblem[] };

export interface CsvChildRows<T = unknown> {
  columns: CsvChildColumn[];
  /** Returns the key that puts rows into one record: rows with the same key are one record's rows. */
  groupKey(input: Record<string, string>): string;
  /**
   * Returns the cells of the exported columns for each record, one list per child row and at least one per
   * record, in the order of `columns` without the import-only ones.
   */
  exportRows(user: CurrentUser, recordIds: number[]): Promise<Map<number, string[][]>>;
  /** Checks the rows of one record before anything is written; `values` are the record's parsed values. */
  check(
    user: CurrentUser,
    rows: ChildRowInput[],
    values: RecordValues,
    numberFormat: NumberFormat,
  ): Promise<ChildRowsCheck<T>>;
  /** Stores the checked child rows of a record just inserted, in the import's transaction for that record. */
  store(manager: EntityManager, user: CurrentUser, recordId: number, children: T): Promise<void>;
}

/** Returns a child column as an import target, so that the mapping page offers it beside the fields. */
export function childColumnTarget(column: CsvChildColumn): FieldDefinition {
  return { name: column.name, type: 'text', label: column.label, block: '' };
}
