import { CsvChildRows, ChildRowProblem } from './child-rows.js';
import { CsvRow } from './csv-file.js';
import { removeFormulaGuard } from './formula-guard.js';
import { ImportRun } from './import-run.js';
import { RowProblem } from './import-settings.js';

/**
 * Grouping of the rows of a module with child rows: every row of one record carries the record's values
 * and one child row, and rows with the same group key are one record's rows, wherever they are in the file.
 */

/** Problems found on the rows of one group, by the row's index in the group. */
export type GroupProblems = Map<number, RowProblem[]>;

export function addToGroup(groups: Map<string, CsvRow[]>, key: string, row: CsvRow): void {
  const rows = groups.get(key);
  if (rows) rows.push(row);
  else groups.set(key, [row]);
}

export function addProblems(problems: GroupProblems, row: number, found: RowProblem[]): void {
  if (found.length === 0) return;
  problems.set(row, [...(problems.get(row) ?? []), ...found]);
}

/**
 * Finds the cells of record columns that differ from the group's first row. The record is imported from the
 * first row, so a later row may leave a record column empty or repeat it, but a different value would be
 * lost without a word.
 */
export function differingRecordCells(run: ImportRun, childRows: CsvChildRows, rows: CsvRow[]): GroupProblems {
  const recordColumns = new Set([
    ...run.manifest.fields.map((field) => field.name),
    ...childRows.columns.filter((column) => column.level === 'record').map((column) => column.name),
  ]);
  const problems: GroupProblems = new Map();
  const cellText = (row: CsvRow, index: number) => removeFormulaGuard(row.cells[index] ?? '').trim();

  rows.forEach((row, rowIndex) => {
    if (rowIndex === 0) return;
    const found: RowProblem[] = [];
    run.settings.mapping.forEach((name, index) => {
      if (!recordColumns.has(name)) return;
      const text = cellText(row, index);
      if (text === '' || text === cellText(rows[0], index)) return;
      found.push({
        column: run.settings.headers[index],
        reason: 'csv.childRows.differsFromFirstRow',
        params: { line: rows[0].line },
      });
    });
    addProblems(problems, rowIndex, found);
  });
  return problems;
}

/** Names a module's problem by the CSV column mapped to its column, or by the column's label when none is. */
export function childRowProblem(
  run: ImportRun,
  childRows: CsvChildRows,
  problem: ChildRowProblem,
): RowProblem {
  const index = problem.column === '' ? -1 : run.settings.mapping.indexOf(problem.column);
  const label =
    childRows.columns.find((column) => column.name === problem.column)?.label ??
    run.manifest.fields.find((field) => field.name === problem.column)?.label;
  return {
    column: index >= 0 ? run.settings.headers[index] : '',
    fieldLabel: index >= 0 ? undefined : label,
    reason: problem.reason,
    params: problem.params,
  };
}

/**
 * Fails every row of a group. A row without problems of its own names the lines that have them, so that each
 * row of the failed-rows file gives the reason it was not imported.
 */
export function failGroup(run: ImportRun, rows: CsvRow[], problems: GroupProblems): void {
  const lines = rows.filter((_row, index) => problems.has(index)).map((row) => row.line);
  rows.forEach((row, index) => {
    const own = problems.get(index) ?? [];
    const reasons: RowProblem[] =
      own.length > 0
        ? own
        : [{ column: '', reason: 'csv.childRows.groupFailed', params: { lines: lines.join(', ') } }];
    run.fail(row.cells, { line: row.line, problems: reasons });
  });
}
