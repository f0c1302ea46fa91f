import { FILTER_EMPTY } from '../../src/records/manifest.js';
import { monthsOf, Period } from './periods.js';

/** The grouping of the Budget page's rows: by the potential's owner, the owner's role, or its product line. */
export type BudgetGrouping = 'salesperson' | 'team' | 'product_line';
export const BUDGET_GROUPINGS: BudgetGrouping[] = ['salesperson', 'team', 'product_line'];

/** The sets of potentials the page sums. The weighted pipeline sums the pipeline's potentials. */
export type FigureSet = 'pipeline' | 'bestCase' | 'commit' | 'closedWon';
export const FIGURE_SETS: FigureSet[] = ['pipeline', 'bestCase', 'commit', 'closedWon'];

/** The filters of the potentials list, as its URL carries them. */
export type ListFilters = Record<string, string | string[]>;

/** The sales stages by outcome, in picklist order. */
export interface StageOutcomes {
  open: string[];
  won: string[];
}

/** The lowest probability, in percent, of the open potentials that best case and commit count. */
export interface ForecastThresholds {
  bestCase: number;
  commit: number;
}

/** Returns the first and last day of the period as ISO dates: the 2nd quarter of 2027 is 2027-04-01 to 2027-06-30. */
export function periodDates(period: Period): { from: string; to: string } {
  const months = monthsOf(period);
  const first = months[0];
  const last = months[months.length - 1];
  const lastDay = new Date(Date.UTC(period.year, last, 0)).getUTCDate();
  const pad = (value: number) => String(value).padStart(2, '0');
  return {
    from: `${period.year}-${pad(first)}-01`,
    to: `${period.year}-${pad(last)}-${pad(lastDay)}`,
  };
}

/**
 * Returns the potentials list's filters of a figure set. The page sums the same filters through the record
 * engine, so the list that a figure links to has the figure as its total.
 * - pipeline: open stages, expected close date in the period;
 * - closed won: won stages, effective close date in the period;
 * - best case and commit: the open ones of the pipeline at the threshold's probability or more, and closed won.
 *   The two parts are alternative filter sets (`or1.`, `or2.`) of the list.
 */
export function figureFilters(
  set: FigureSet,
  period: Period,
  stages: StageOutcomes,
  thresholds: ForecastThresholds,
): ListFilters {
  const { from, to } = periodDates(period);
  const pipeline: ListFilters = {
    sales_stage: stages.open,
    expected_close_date_from: from,
    expected_close_date_to: to,
  };
  const closedWon: ListFilters = {
    sales_stage: stages.won,
    effective_close_date_from: from,
    effective_close_date_to: to,
  };
  if (set === 'pipeline') return pipeline;
  if (set === 'closedWon') return closedWon;

  const threshold = set === 'bestCase' ? thresholds.bestCase : thresholds.commit;
  return {
    ...prefixed('or1.', { ...pipeline, probability_from: String(threshold) }),
    ...prefixed('or2.', closedWon),
  };
}

/**
 * Returns the list filter that keeps one row's potentials. The row key is a user's id or `group:<id>` by
 * salesperson, a role's id by team, a value by product line, and null for the row of potentials without one.
 */
export function rowFilters(grouping: BudgetGrouping, key: string | null): ListFilters {
  if (grouping === 'salesperson') return { assigned_user_id: key ?? FILTER_EMPTY };
  if (grouping === 'team') return { assigned_user_id_role: key ?? FILTER_EMPTY };
  return { product_line: key ?? FILTER_EMPTY };
}

/** Returns the potentials list's URL with the filters given; repeated values repeat the parameter. */
export function potentialsListUrl(filters: ListFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, item);
  }
  return `/potentials?${query.toString()}`;
}

function prefixed(prefix: string, filters: ListFilters): ListFilters {
  return Object.fromEntries(Object.entries(filters).map(([name, value]) => [`${prefix}${name}`, value]));
}
