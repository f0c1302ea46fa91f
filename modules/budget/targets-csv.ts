import { readFile } from 'node:fs/promises';
import { Injectable, Logger } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { checkFile, CsvReadError, decode, detectDelimiter, readCsvRows } from '../../src/csv/csv-file.js';
import { addFormulaGuard, removeFormulaGuard } from '../../src/csv/formula-guard.js';
import type { NumberFormat } from '../../src/records/values.js';
import { TARGET_SCOPE_KINDS, TargetScopeKind } from './budget-target.entity.js';
import { BudgetTargetsService, MonthTarget } from './budget-targets.service.js';
import { isValidYear } from './periods.js';
import { parseTargetCents } from './target-amount.js';
import { TargetScope, TargetScopesService } from './target-scopes.service.js';

/** The columns of a targets file, in the order the export writes them; the import finds them by name. */
export const TARGET_COLUMNS = ['scope_kind', 'scope_name', 'year', 'month', 'amount'] as const;
type TargetColumn = (typeof TARGET_COLUMNS)[number];

/** The largest file the import reads, in rows: a year of monthly targets for 4,000 scopes. */
export const MAX_IMPORT_ROWS = 48_000;
const DELIMITER_SAMPLE_BYTES = 65536;

/** A line of the file that cannot be imported, with the reason as a catalogue key. */
export interface TargetImportFailure {
  line: number;
  scope: string;
  reason: string;
  params?: Record<string, string | number>;
}

export type TargetImportProblem =
  'emptyFile' | 'binaryFile' | 'noDataRows' | 'unreadable' | 'missingColumns' | 'tooManyRows';

export type TargetImportOutcome =
  /** `year` and `kind` are those of the file's first row, the grid the page returns to after the import. */
  | { ok: true; rows: number; changed: number; year: number; kind: TargetScopeKind }
  | { ok: false; problem: TargetImportProblem; params?: Record<string, string | number> }
  | { ok: false; failures: TargetImportFailure[] };

/** One exported line: the cells of TARGET_COLUMNS. */
export type TargetCsvLine = [string, string, string, string, string];

/**
 * Writes amounts the way a spreadsheet of the user's language reads them: with the decimal comma and
 * without thousands separators in Italian, so that the file imports back unchanged with the same format.
 */
export function formatCsvAmount(cents: Decimal, format: NumberFormat): string {
  const text = cents.dividedBy(100).toFixed(2);
  return format === 'comma' ? text.replace('.', ',') : text;
}

/** Returns the delimiter that spreadsheets of the number format expect: a semicolon where the comma is the decimal separator. */
export function csvDelimiterFor(format: NumberFormat): ',' | ';' {
  return format === 'comma' ? ';' : ',';
}

/** Finds scopes by the names a targets file uses: usernames, role names and product line values, in any case. */
class ScopeNames {
  private readonly byKind = new Map<TargetScopeKind, Map<string, TargetScope[]>>();

  constructor(scopes: TargetScope[]) {
    for (const scope of scopes) {
      const names = this.byKind.get(scope.kind) ?? new Map<string, TargetScope[]>();
      const key = scope.csvName.trim().toLowerCase();
      names.set(key, [...(names.get(key) ?? []), scope]);
      this.byKind.set(scope.kind, names);
    }
  }

  find(kind: TargetScopeKind, name: string): TargetScope[] {
    return this.byKind.get(kind)?.get(name.trim().toLowerCase()) ?? [];
  }
}

/** The targets file: export of a year's targets, and an import that saves every row or none. */
@Injectable()
export class TargetsCsv {
  private readonly logger = new Logger(TargetsCsv.name);

  constructor(
    private readonly targets: BudgetTargetsService,
    private readonly scopes: TargetScopesService,
  ) {}

  /** Lists the lines of the export: every target of the year that the user may see. */
  async exportLines(user: CurrentUser, year: number, format: NumberFormat): Promise<TargetCsvLine[]> {
    const access = await this.scopes.accessFor(user);
    const scopes = await this.scopes.listAll(access);
    const byId = new Map(scopes.map((scope) => [`${scope.kind}:${scope.key}`, scope]));
    const rows = await this.targets.listYear(year, scopes);
    const lines = rows.map((row): TargetCsvLine => {
      const scope = byId.get(`${row.scopeKind}:${row.scopeKey}`)!;
      return [
        row.scopeKind,
        addFormulaGuard(scope.csvName),
        String(row.year),
        String(row.month),
        formatCsvAmount(new Decimal(String(row.amountCents)), format),
      ];
    });
    this.logger.log(`Exported ${lines.length} targets of ${year} for user ${user.id}`);
    return lines;
  }

  /**
   * Reads a targets file and saves all of its rows, or none when any row has an error. Amounts are read in
   * the number format given; an empty amount removes the month's target.
   */
  async importFile(path: string, user: CurrentUser, format: NumberFormat): Promise<TargetImportOutcome> {
    const content = await readFile(path);
    const check = checkFile(content);
    if (check.problem) return { ok: false, problem: check.problem };
    const delimiter = detectDelimiter(decode(content.subarray(0, DELIMITER_SAMPLE_BYTES), check.encoding));

    const access = await this.scopes.accessFor(user);
    const scopes = await this.scopes.listAll(access);
    const names = new ScopeNames(scopes);
    const parsed: MonthTarget[] = [];
    const failures: TargetImportFailure[] = [];
    const firstLineOf = new Map<string, number>();
    let columns: Map<TargetColumn, number> | undefined;

    try {
      for await (const row of readCsvRows(path, { encoding: check.encoding, delimiter })) {
        if (!columns) {
          columns = columnsOf(row.cells);
          const missing = TARGET_COLUMNS.filter((column) => !columns!.has(column));
          if (missing.length > 0)
            return { ok: false, problem: 'missingColumns', params: { columns: missing.join(', ') } };
          continue;
        }
        if (row.cells.every((cell) => cell.trim() === '')) continue;
        if (parsed.length + failures.length >= MAX_IMPORT_ROWS)
          return { ok: false, problem: 'tooManyRows', params: { max: MAX_IMPORT_ROWS } };

        const cell = (column: TargetColumn) => row.cells[columns!.get(column)!] ?? '';
        const result = readRow(cell, names, format);
        if (!result.ok) {
          failures.push({ line: row.line, ...result.failure });
          continue;
        }
        const id = `${result.target.scope.kind}:${result.target.scope.key}:${result.target.year}:${result.target.month}`;
        const first = firstLineOf.get(id);
        if (first !== undefined) {
          failures.push({
            line: row.line,
            scope: cell('scope_name'),
            reason: 'budget.import.reasons.duplicate',
            params: { first },
          });
          continue;
        }
        firstLineOf.set(id, row.line);
        parsed.push(result.target);
      }
    } catch (error) {
      if (error instanceof CsvReadError)
        return { ok: false, problem: 'unreadable', params: { line: error.line, code: error.reason } };
      throw error;
    }

    if (!columns || parsed.length + failures.length === 0) return { ok: false, problem: 'noDataRows' };
    if (failures.length > 0) {
      this.logger.log(`Target import by user ${user.id} rejected: ${failures.length} rows with errors`);
      return { ok: false, failures };
    }
    const changed = await this.targets.saveMonths(user.id, scopes, parsed);
    this.logger.log(
      `Target import by user ${user.id}: ${parsed.length} rows read, ${changed} months changed`,
    );
    const first = parsed[0];
    return { ok: true, rows: parsed.length, changed, year: first.year, kind: first.scope.kind };
  }
}

/** Maps each column of the file to its position, by header name in any case, with spaces read as underscores. */
function columnsOf(header: string[]): Map<TargetColumn, number> {
  const columns = new Map<TargetColumn, number>();
  header.forEach((name, index) => {
    const normalised = name.trim().toLowerCase().replace(/\s+/g, '_') as TargetColumn;
    if (TARGET_COLUMNS.includes(normalised) && !columns.has(normalised)) columns.set(normalised, index);
  });
  return columns;
}

type RowResult =
  { ok: true; target: MonthTarget } | { ok: false; failure: Omit<TargetImportFailure, 'line'> };

/** Reads one data row into a monthly target of a scope the user may set, or returns the reason it cannot be imported. */
function readRow(cell: (column: TargetColumn) => string, names: ScopeNames, format: NumberFormat): RowResult {
  const scopeName = removeFormulaGuard(cell('scope_name').trim());
  const fail = (reason: string, params?: Record<string, string | number>): RowResult => ({
    ok: false,
    failure: { scope: scopeName, reason, params },
  });

  const kind = cell('scope_kind').trim().toLowerCase().replace(/\s+/g, '_') as TargetScopeKind;
  if (!TARGET_SCOPE_KINDS.includes(kind))
    return fail('budget.import.reasons.unknownKind', { value: cell('scope_kind') });
  if (scopeName === '') return fail('budget.import.reasons.missingName');
  const matches = names.find(kind, scopeName);
  if (matches.length === 0) return fail(`budget.import.reasons.unknown.${kind}`, { value: scopeName });
  if (matches.length > 1) return fail('budget.import.reasons.ambiguousRole', { value: scopeName });
  const scope = matches[0];
  if (!scope.editable) return fail('budget.import.reasons.notEditable', { value: scopeName });

  const year = Number(cell('year').trim());
  if (!/^\d+$/.test(cell('year').trim()) || !isValidYear(year))
    return fail('budget.import.reasons.invalidYear', { value: cell('year') });
  const month = Number(cell('month').trim());
  if (!/^\d+$/.test(cell('month').trim()) || month < 1 || month > 12)
    return fail('budget.import.reasons.invalidMonth', { value: cell('month') });

  const cents = parseTargetCents(cell('amount'), format);
  if (!cents.ok) return fail(`errors.field.${cents.error}`, { value: cell('amount').trim() });
  return { ok: true, target: { scope, year, month, cents: cents.value } };
}
