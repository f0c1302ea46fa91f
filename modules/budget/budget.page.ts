import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { formatDecimal, formatMoney, Locale } from '../../src/records/values.js';
import { BUDGET_GROUPINGS, BudgetGrouping, ForecastThresholds, potentialsListUrl } from './budget-figures.js';
import { BudgetRow, BudgetTable, FIGURE_COLUMNS } from './budget-table.js';
import { budgetBarChart, chartMarkup, CumulativeMonth, cumulativeLineChart } from './charts.js';
import type { ForecastPage } from './forecast.page.js';
import { Period, PERIOD_KINDS, periodsInYear } from './periods.js';
import { periodLabel, yearOptions } from './targets.page.js';

/** The period of a year and the grouping that the Budget page shows. */
export interface BudgetPageState {
  period: Period;
  grouping: BudgetGrouping;
}

/** The data of the Budget page's parts below its table: the cumulative line's months, the funnel and the win rates. */
export interface BudgetPageSections {
  /** Null when the user's profile hides the amount or the effective close date. */
  months: CumulativeMonth[] | null;
  funnel: Awaited<ReturnType<ForecastPage['funnelSection']>>;
  winRates: Awaited<ReturnType<ForecastPage['winRatesSection']>>;
}

/** The thresholds form as typed, with the catalogue key of each field's error. */
export interface ThresholdsFormErrors {
  values: Record<keyof ForecastThresholds, string>;
  errors: Partial<Record<keyof ForecastThresholds, string>>;
}

/** Reads the thresholds form: two whole percentages from 0 to 100, commit not below best case. */
export function readThresholdsForm(
  body: Record<string, unknown>,
): { ok: true; thresholds: ForecastThresholds } | ({ ok: false } & ThresholdsFormErrors) {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
  const values = { bestCase: text('bestCase'), commit: text('commit') };
  const errors: ThresholdsFormErrors['errors'] = {};
  for (const name of ['bestCase', 'commit'] as const) {
    if (values[name] === '') errors[name] = 'errors.field.required';
    else if (!/^\d{1,3}$/.test(values[name]) || Number(values[name]) > 100)
      errors[name] = 'budget.settings.errors.percent';
  }
  // Commit is the surer part of best case, so its threshold cannot be lower.
  if (Object.keys(errors).length === 0 && Number(values.commit) < Number(values.bestCase))
    errors.commit = 'budget.settings.errors.commitBelowBestCase';
  if (Object.keys(errors).length > 0) return { ok: false, values, errors };
  return { ok: true, thresholds: { bestCase: Number(values.bestCase), commit: Number(values.commit) } };
}

/** Returns the period's short name for file names: `2027`, `2027-H1`, `2027-Q3`, `2027-03`. */
export function periodSlug(period: Period): string {
  if (period.kind === 'year') return String(period.year);
  if (period.kind === 'half') return `${period.year}-H${period.index}`;
  if (period.kind === 'quarter') return `${period.year}-Q${period.index}`;
  return `${period.year}-${String(period.index).padStart(2, '0')}`;
}

/** Returns the query string of the page's state, which the export and the settings form keep. */
export function stateQuery(state: BudgetPageState): string {
  return new URLSearchParams({
    year: String(state.period.year),
    period: `${state.period.kind}-${state.period.index}`,
    groupBy: state.grouping,
  }).toString();
}

/** Builds the view model of the Budget page from its table. */
@Injectable()
export class BudgetPage {
  model(
    user: CurrentUser,
    state: BudgetPageState,
    table: BudgetTable,
    sections: BudgetPageSections,
    thresholdsForm?: ThresholdsFormErrors,
  ) {
    const locale = user.locale;
    const { period, grouping } = state;
    const periodValue = `${period.kind}-${period.index}`;
    const periodName = periodLabel(locale, periodValue, period.year);
    const rowName = (row: BudgetRow) => row.name || translate(locale, `budget.page.without.${grouping}`);
    const barChartTitle = translate(locale, 'budget.page.barChartTitle', { period: periodName });
    const lineChartTitle = translate(locale, 'budget.page.lineChartTitle', { period: periodName });
    return {
      title: 'budget.page.title',
      year: period.year,
      periodName,
      groupingLabel: translate(locale, `budget.page.groupings.${grouping}`),
      // Rows by team never overlap, so the page states that a manager's role excludes the roles below it.
      teamNote: grouping === 'team' ? translate(locale, 'budget.page.teamNote') : undefined,
      yearOptions: yearOptions(period.year),
      periodOptions: PERIOD_KINDS.flatMap((kind) =>
        Array.from({ length: periodsInYear(kind) }, (_, offset) => {
          const value = `${kind}-${offset + 1}`;
          return { value, label: periodLabel(locale, value, period.year), selected: value === periodValue };
        }),
      ),
      groupingOptions: BUDGET_GROUPINGS.map((value) => ({
        value,
        label: translate(locale, `budget.page.groupings.${value}`),
        selected: value === grouping,
      })),
      columns: FIGURE_COLUMNS.map((column) => translate(locale, `budget.page.columns.${column}`)),
      rows: table.rows.map((row) => rowModel(locale, row, rowName(row))),
      totals: rowModel(locale, table.totals, translate(locale, 'budget.page.totals')),
      barChartTitle,
      lineChartTitle,
      barChart: chartMarkup(
        budgetBarChart({
          id: 'budget-bar-chart',
          title: barChartTitle,
          locale,
          rowHeader: translate(locale, `budget.page.groupings.${grouping}`),
          rows: table.rows.map((row) => ({
            label: rowName(row),
            target: row.target,
            closedWon: row.figures.closedWon.amount,
            weightedPipeline: row.figures.weighted.amount,
          })),
        }),
      ),
      lineChart:
        sections.months === null
          ? undefined
          : chartMarkup(
              cumulativeLineChart({
                id: 'budget-line-chart',
                title: lineChartTitle,
                locale,
                months: sections.months,
              }),
            ),
      funnel: sections.funnel,
      winRates: sections.winRates,
      forecastUrl: '/budget/forecast',
      thresholdsNote: translate(locale, 'budget.page.thresholdsNote', { ...table.thresholds }),
      exportUrl: `/budget/export.csv?${stateQuery(state)}`,
      targetsUrl: `/budget/targets?year=${period.year}`,
      thresholdsForm: user.isAdmin
        ? settingsModel(locale, state, table.thresholds, thresholdsForm)
        : undefined,
    };
  }
}

/** Formats a row: money in the user's locale, and a link to the potentials list behind each figure. */
function rowModel(locale: Locale, row: BudgetRow, name: string) {
  return {
    name,
    target: row.target === null ? '' : formatMoney(row.target, locale),
    figures: FIGURE_COLUMNS.map((column) => ({
      text: formatMoney(row.figures[column].amount, locale),
      href: potentialsListUrl(row.figures[column].filters),
    })),
    gap: row.gap === null ? '' : formatMoney(row.gap, locale),
    attainment: formatAttainment(row.attainment, locale),
  };
}

/** Formats an attainment with one decimal place, such as `87.5 %`; blank without a target. */
export function formatAttainment(attainment: Decimal | null, locale: Locale): string {
  return attainment === null ? '' : `${formatDecimal(attainment, locale, 1)} %`;
}

function settingsModel(
  locale: Locale,
  state: BudgetPageState,
  thresholds: ForecastThresholds,
  form?: ThresholdsFormErrors,
) {
  const fields = (['bestCase', 'commit'] as const).map((name) => ({
    name,
    label: translate(locale, `budget.settings.${name}`),
    kind: 'text',
    inputMode: 'numeric',
    required: true,
    value: form?.values[name] ?? String(thresholds[name]),
    hint: translate(locale, 'budget.settings.hint'),
    error: form?.errors[name] ? translate(locale, form.errors[name]) : undefined,
  }));
  return {
    fields,
    errorSummary: fields.filter((field) => field.error),
    action: `/budget/settings?${stateQuery(state)}`,
  };
}
