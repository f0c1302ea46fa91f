import { ForbiddenException, Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { centsToMoney, formatDecimal, formatMoney, Locale, NumberFormat } from '../../src/records/values.js';
import { TargetScopeKind } from './budget-target.entity.js';
import { BudgetTargetsService, MonthTarget } from './budget-targets.service.js';
import {
  isValidPeriod,
  isValidYear,
  monthsOf,
  Period,
  PERIOD_KINDS,
  PeriodKind,
  periodsInYear,
  spreadCents,
} from './periods.js';
import { parseTargetCents } from './target-amount.js';
import { TargetImportOutcome, TargetImportFailure } from './targets-csv.js';
import { TargetScope, TargetScopesService } from './target-scopes.service.js';

/** Converts whole cents to euro for formatting. */
const moneyOf = (cents: Decimal) => centsToMoney(cents.toFixed(0));

const MONTHS = Array.from({ length: 12 }, (_, index) => index + 1);

/** A grid POST whose cells had errors: the typed texts and the error codes, by scope key and month. */
export interface GridFormErrors {
  ok: false;
  texts: Map<string, string>;
  errors: Map<string, string>;
}

/** A spread form with errors: the typed values and the catalogue key of each field's error. */
export interface SpreadFormErrors {
  ok: false;
  values: { scope: string; period: string; amount: string };
  errors: Partial<Record<'scope' | 'period' | 'amount', string>>;
}

export interface TargetsPageState {
  year: number;
  kind: TargetScopeKind;
  /** `month` shows and edits the twelve months; `quarter` shows the sums of the quarters, read only. */
  view: 'month' | 'quarter';
  grid?: GridFormErrors;
  spread?: SpreadFormErrors;
}

const cellId = (scopeKey: string, month: number) => `${scopeKey}\u0000${month}`;

/**
 * Reads the grid form: the hidden `scope-N` input names the scope of row N and `amount-N-M` its month M.
 * A row of a scope the user may not set is forbidden before anything is read. A cell missing from the form
 * leaves its month unchanged, and an empty cell removes the month's target.
 * NOTE: the body parser takes at most 2,000 fields, about 150 editable rows of 13. A larger grid gets an
 * error page on saving, and its targets have to be imported as CSV instead.
 */
export function readGridForm(
  body: Record<string, unknown>,
  scopes: TargetScope[],
  year: number,
  format: NumberFormat,
): { ok: true; targets: MonthTarget[] } | GridFormErrors {
  const byKey = new Map(scopes.map((scope) => [scope.key, scope]));
  const rows = Object.keys(body)
    .map((name) => /^scope-(\d{1,5})$/.exec(name)?.[1])
    .filter((row): row is string => row !== undefined);
  const targets: MonthTarget[] = [];
  const texts = new Map<string, string>();
  const errors = new Map<string, string>();

  for (const row of rows) {
    const scope = byKey.get(String(body[`scope-${row}`]));
    if (!scope?.editable) throw new ForbiddenException();
    for (const month of MONTHS) {
      const raw = body[`amount-${row}-${month}`];
      if (raw === undefined) continue;
      const text = typeof raw === 'string' ? raw : '';
      texts.set(cellId(scope.key, month), text);
      const cents =
        typeof raw === 'string'
          ? parseTargetCents(text, format)
          : { ok: false as const, error: 'invalidNumber' };
      if (cents.ok) targets.push({ scope, year, month, cents: cents.value });
      else errors.set(cellId(scope.key, month), cents.error);
    }
  }
  return errors.size > 0 ? { ok: false, texts, errors } : { ok: true, targets };
}

/**
 * Reads the "spread evenly" form into the months of the chosen period, each with an even share of the amount
 * to the cent. A scope the user may not set is forbidden.
 */
export function readSpreadForm(
  body: Record<string, unknown>,
  scopes: TargetScope[],
  year: number,
  format: NumberFormat,
): { ok: true; targets: MonthTarget[]; scopeName: string } | SpreadFormErrors {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  const values = { scope: text('spreadScope'), period: text('spreadPeriod'), amount: text('spreadAmount') };
  const errors: SpreadFormErrors['errors'] = {};

  const scope = scopes.find((candidate) => candidate.key === values.scope);
  if (values.scope === '') errors.scope = 'errors.field.required';
  else if (!scope) errors.scope = 'budget.spread.errors.scopeNotFound';
  else if (!scope.editable) throw new ForbiddenException();

  const period = parsePeriod(values.period, year);
  if (!period)
    errors.period = values.period === '' ? 'errors.field.required' : 'budget.spread.errors.invalidPeriod';

  const cents = parseTargetCents(values.amount, format);
  if (!cents.ok) errors.amount = `errors.field.${cents.error}`;
  else if (cents.value === null) errors.amount = 'errors.field.required';

  if (!scope || !period || !cents.ok || cents.value === null) return { ok: false, values, errors };
  const months = monthsOf(period);
  const shares = spreadCents(cents.value, months);
  return {
    ok: true,
    scopeName: scope.name,
    targets: months.map((month, index) => ({ scope, year, month, cents: shares[index] })),
  };
}

/** Reads a period choice such as `quarter-2` for the year; undefined when it is not one. */
export function parsePeriod(value: string, year: number): Period | undefined {
  const match = /^(year|half|quarter|month)-(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const period: Period = { year, kind: match[1] as PeriodKind, index: Number(match[2]) };
  return isValidPeriod(period) ? period : undefined;
}

/** Builds the view models of the targets grid and of the import page. */
@Injectable()
export class TargetsPage {
  constructor(
    private readonly targets: BudgetTargetsService,
    private readonly scopes: TargetScopesService,
  ) {}

  async model(user: CurrentUser, state: TargetsPageState) {
    const locale = user.locale;
    const access = await this.scopes.accessFor(user);
    const scopes = await this.scopes.list(access, state.kind);
    const stored = await this.targets.monthsOfYear(state.kind, state.year);
    const editing = state.view === 'month';

    const rows = scopes.map((scope, row) =>
      this.rowModel(locale, scope, row, stored.get(scope.key), state, editing),
    );
    const errorSummary = rows.flatMap((row) => row.cells.filter((cell) => cell.error));
    const columnCount = editing ? 12 : 4;
    const columnTotals = Array.from({ length: columnCount }, (_, column) =>
      rows.reduce((sum, row) => sum.plus(row.columnCents[column]), new Decimal(0)),
    );
    const grandTotal = columnTotals.reduce((sum, cents) => sum.plus(cents), new Decimal(0));

    return {
      title: 'budget.targets.title',
      year: state.year,
      kind: state.kind,
      view: state.view,
      editing,
      kindLabel: translate(locale, `budget.kinds.${state.kind}`),
      yearOptions: yearOptions(state.year),
      kindOptions: access.viewableKinds().map((kind) => ({
        value: kind,
        label: translate(locale, `budget.kinds.${kind}`),
        selected: kind === state.kind,
      })),
      viewOptions: (['month', 'quarter'] as const).map((view) => ({
        value: view,
        label: translate(locale, `budget.views.${view}`),
        selected: view === state.view,
      })),
      columns: editing
        ? MONTHS.map((month) => translate(locale, `budget.months.${month}`))
        : [1, 2, 3, 4].map((quarter) => translate(locale, 'budget.quarter', { index: quarter })),
      rows,
      totals: columnTotals.map((cents) => formatMoney(moneyOf(cents), locale)),
      grandTotal: formatMoney(moneyOf(grandTotal), locale),
      anyEditable: editing && scopes.some((scope) => scope.editable),
      readOnlyNote: scopes.some((scope) => scope.editable)
        ? undefined
        : translate(locale, 'budget.targets.readOnly'),
      errorSummary,
      spread: this.spreadModel(locale, scopes, state),
      exportUrl: `/budget/targets/export?year=${state.year}`,
      importUrl: access.maySetAnyTarget() ? `/budget/targets/import?year=${state.year}` : undefined,
    };
  }

  private rowModel(
    locale: Locale,
    scope: TargetScope,
    row: number,
    months: (Decimal | null)[] | undefined,
    state: TargetsPageState,
    editing: boolean,
  ) {
    const monthCents = MONTHS.map((month) => months?.[month - 1] ?? null);
    const total = monthCents.reduce<Decimal>((sum, cents) => sum.plus(cents ?? 0), new Decimal(0));
    const columnCents = editing
      ? monthCents.map((cents) => cents ?? new Decimal(0))
      : [1, 2, 3, 4].map((quarter) =>
          monthsOf({ kind: 'quarter', index: quarter }).reduce(
            (sum, month) => sum.plus(monthCents[month - 1] ?? 0),
            new Decimal(0),
          ),
        );
    const cells = columnCents.map((cents, column) => {
      const month = column + 1;
      const label = `${scope.name}, ${translate(locale, editing ? `budget.monthNames.${month}` : 'budget.quarter', { index: month })}`;
      const typed = state.grid?.texts.get(cellId(scope.key, month));
      const errorCode = state.grid?.errors.get(cellId(scope.key, month));
      const stored = editing ? monthCents[column] : cents;
      return {
        name: `amount-${row}-${month}`,
        label,
        value: typed ?? (stored === null ? '' : formatDecimal(moneyOf(stored), locale)),
        text: stored === null ? '' : formatMoney(moneyOf(stored), locale),
        error: errorCode ? translate(locale, `errors.field.${errorCode}`) : undefined,
      };
    });
    return {
      row,
      key: scope.key,
      name: scope.name,
      indent: scope.depth > 0 ? '— '.repeat(scope.depth) : '',
      inactive: scope.inactive,
      editable: editing && scope.editable,
      cells,
      columnCents,
      total: formatMoney(moneyOf(total), locale),
    };
  }

  private spreadModel(locale: Locale, scopes: TargetScope[], state: TargetsPageState) {
    const editable = scopes.filter((scope) => scope.editable);
    if (editable.length === 0) return undefined;
    const values = state.spread?.values ?? { scope: '', period: 'year-1', amount: '' };
    const errors = state.spread?.errors ?? {};
    const message = (key?: string) => (key ? translate(locale, key) : undefined);
    const periods = PERIOD_KINDS.flatMap((kind) =>
      Array.from({ length: periodsInYear(kind) }, (_, offset) => `${kind}-${offset + 1}`),
    );
    const fields = [
      {
        name: 'spreadScope',
        label: translate(locale, `budget.spread.scope.${state.kind}`),
        kind: 'select',
        required: true,
        options: [
          { value: '', label: translate(locale, 'budget.spread.choose'), selected: values.scope === '' },
          ...editable.map((scope) => ({
            value: scope.key,
            label: scope.name,
            selected: scope.key === values.scope,
          })),
        ],
        error: message(errors.scope),
      },
      {
        name: 'spreadPeriod',
        label: translate(locale, 'budget.spread.period'),
        kind: 'select',
        required: true,
        options: periods.map((value) => ({
          value,
          label: periodLabel(locale, value, state.year),
          selected: value === values.period,
        })),
        error: message(errors.period),
      },
      {
        name: 'spreadAmount',
        label: translate(locale, 'budget.spread.amount'),
        kind: 'text',
        inputMode: 'decimal',
        required: true,
        value: values.amount,
        hint: translate(locale, 'budget.spread.amountHint'),
        error: message(errors.amount),
      },
    ];
    return { fields, errorSummary: fields.filter((field) => field.error) };
  }

  /** Builds the import page, with the problem of the file or the rows that failed when an import was rejected. */
  importModel(
    user: CurrentUser,
    year: number,
    format: NumberFormat,
    outcome?:
      | Exclude<TargetImportOutcome, { ok: true }>
      | { ok: false; problem: string; params?: Record<string, string | number> },
  ) {
    const locale = user.locale;
    const problem = outcome && 'problem' in outcome ? outcome : undefined;
    const failures: TargetImportFailure[] = outcome && 'failures' in outcome ? outcome.failures : [];
    return {
      title: 'budget.import.title',
      year,
      columns: 'scope_kind, scope_name, year, month, amount',
      error: problem
        ? translate(locale, `budget.import.problems.${problem.problem}`, problem.params ?? {})
        : undefined,
      failureCount: failures.length,
      failures: failures.map((failure) => ({
        line: failure.line,
        scope: failure.scope,
        reason: translate(locale, failure.reason, failure.params ?? {}),
      })),
      numberFormats: (['dot', 'comma'] as const).map((value) => ({
        value,
        label: translate(locale, `budget.import.numberFormats.${value}`),
        selected: value === format,
      })),
    };
  }
}

/** Labels a period choice: "Year 2027", "1st half 2027", "Q3 2027", "March 2027". */
export function periodLabel(locale: Locale, value: string, year: number): string {
  const [kind, index] = value.split('-');
  if (kind === 'month') return `${translate(locale, `budget.monthNames.${index}`)} ${year}`;
  return translate(locale, `budget.periods.${kind}`, { index, year });
}

/** Offers the years around the chosen one, so that next year's targets are one click away. */
export function yearOptions(chosen: number) {
  const years = Array.from({ length: 6 }, (_, offset) => chosen - 2 + offset).filter(isValidYear);
  return years.map((year) => ({
    value: year,
    selected: year === chosen,
  }));
}
