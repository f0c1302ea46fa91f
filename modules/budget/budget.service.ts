import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, In } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { AppSetting } from '../../src/database/core.entities.js';
import { ALIAS, RecordsService, splitAlternatives } from '../../src/records/records.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { OWNER_GROUP_COLUMN } from '../../src/records/manifest.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import {
  BudgetGrouping,
  FIGURE_SETS,
  figureFilters,
  FigureSet,
  ForecastThresholds,
  ListFilters,
  StageOutcomes,
} from './budget-figures.js';
import { Period } from './periods.js';

/** The sums of one row for one figure set: amounts in cents, and amount × probability in cents × percent. */
export interface FigureSums {
  cents: Decimal;
  weightedCents: Decimal;
}

/** The figures of one period and grouping, by figure set, then by row key (null: potentials without one). */
export interface BudgetFigures {
  stages: StageOutcomes;
  thresholds: ForecastThresholds;
  sets: Record<FigureSet, Map<string | null, FigureSums>>;
  /** The fields the user's profile hides; the potentials list ignores filters on them, and so do the figures. */
  hiddenFields: ReadonlySet<string>;
}

/** The app_settings rows of the best case and commit thresholds, and their values while none is saved. */
export const THRESHOLD_SETTINGS = {
  bestCase: 'budget_best_case_probability',
  commit: 'budget_commit_probability',
};
export const DEFAULT_THRESHOLDS: ForecastThresholds = { bestCase: 30, commit: 70 };

/**
 * Sums the potentials behind the Budget page. Each figure set is one grouped aggregate query, or one per
 * alternative filter set, over the record engine's filtered query. The queries use the filters that the
 * page's links give the potentials list, so that the access scope and the filters are the list's own.
 */
@Injectable()
export class BudgetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly permissions: PermissionsService,
  ) {}

  /** Sums every figure set of the period by row of the grouping. Throws 403 when the user may not view potentials. */
  async figures(user: CurrentUser, period: Period, grouping: BudgetGrouping): Promise<BudgetFigures> {
    const hiddenFields = await this.hiddenFields(user);
    const stages = await this.stageOutcomes();
    const thresholds = await this.thresholds();

    // Best case and commit are two alternative filter sets, open stages or won stages, which no potential
    // matches both of. Summing each alternative on its own lets each query use a range of an index, where one
    // query with OR scans the whole table. The won alternative is the closed won set, so it is summed once.
    // A profile that hides the sales stage makes the filters ignore it, so the sets overlap and stay one query.
    const splitsAlternatives = !hiddenFields.has('sales_stage');
    const sumsByFilters = new Map<string, Map<string | null, FigureSums>>();
    const sets = {} as BudgetFigures['sets'];
    for (const set of FIGURE_SETS) {
      const parts: Map<string | null, FigureSums>[] = [];
      const setFilters = figureFilters(set, period, stages, thresholds);
      const { plain, alternatives } = splitAlternatives(setFilters);
      const filterSets =
        splitsAlternatives && alternatives.length > 0
          ? alternatives.map((filters) => ({ ...plain, ...filters }))
          : [setFilters];
      for (const filters of filterSets) {
        const key = JSON.stringify(filters);
        if (!sumsByFilters.has(key))
          sumsByFilters.set(key, await this.sumByRow(user, filters, grouping, hiddenFields));
        parts.push(sumsByFilters.get(key)!);
      }
      sets[set] = addSums(parts);
    }
    return { stages, thresholds, sets, hiddenFields };
  }

  /**
   * Sums the closed won potentials of the period in cents by month of their effective close date. The filters
   * and access scope are the table's, so the months add up to its closed won total. Returns null when the
   * user's profile hides the amount or the effective close date.
   */
  async closedWonByMonth(user: CurrentUser, period: Period): Promise<Map<number, Decimal> | null> {
    const hiddenFields = await this.hiddenFields(user);
    if (hiddenFields.has('amount') || hiddenFields.has('effective_close_date')) return null;

    const stages = await this.stageOutcomes();
    const filters = figureFilters('closedWon', period, stages, await this.thresholds());
    const query = this.records.filteredQuery('potentials', user, { filters, hiddenFields }, [], 'none');
    // The DATE column reads as YYYY-MM-DD on both databases, so characters 6 and 7 are the month.
    query
      .select(`SUBSTR(${ALIAS}.effective_close_date, 6, 2)`, 'month')
      .addSelect(`SUM(${ALIAS}.amount_cents)`, 'cents')
      .groupBy('month');
    const rows = await query.getRawMany<{ month: string; cents: string | number | null }>();
    return new Map(rows.map((row) => [Number(row.month), new Decimal(String(row.cents ?? 0))]));
  }

  /** Returns the names of the potentials' fields the user's profile hides. Throws 403 when they may not view potentials. */
  private async hiddenFields(user: CurrentUser): Promise<ReadonlySet<string>> {
    const permissions = await this.permissions.require(user, 'potentials', 'view');
    const fields = this.registry.fields('potentials');
    return new Set(
      fields.filter((field) => permissions.isHidden('potentials', field)).map((field) => field.name),
    );
  }

  /** Returns the sales stages by outcome; a stage without an outcome counts as open. */
  async stageOutcomes(): Promise<StageOutcomes> {
    const entries = (await this.picklists.forModule('potentials')).values('sales_stage');
    return {
      open: entries
        .filter((entry) => entry.outcome !== 'won' && entry.outcome !== 'lost')
        .map((e) => e.value),
      won: entries.filter((entry) => entry.outcome === 'won').map((entry) => entry.value),
    };
  }

  /** Returns the saved best case and commit thresholds, or the defaults of 30 % and 70 %. */
  async thresholds(): Promise<ForecastThresholds> {
    const rows = await this.dataSource
      .getRepository(AppSetting)
      .findBy({ name: In(Object.values(THRESHOLD_SETTINGS)) });
    const valueOf = (name: string, fallback: number) => {
      const value = Number(rows.find((row) => row.name === name)?.value);
      return Number.isInteger(value) ? value : fallback;
    };
    return {
      bestCase: valueOf(THRESHOLD_SETTINGS.bestCase, DEFAULT_THRESHOLDS.bestCase),
      commit: valueOf(THRESHOLD_SETTINGS.commit, DEFAULT_THRESHOLDS.commit),
    };
  }

  /** Saves both thresholds in one transaction. The caller checks that the user is an administrator. */
  async saveThresholds(thresholds: ForecastThresholds): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const [key, name] of Object.entries(THRESHOLD_SETTINGS)) {
        const value = String(thresholds[key as keyof ForecastThresholds]);
        await manager.delete(AppSetting, { name });
        await manager.insert(AppSetting, { name, value });
      }
    });
  }

  /** Runs one grouped aggregate query: the sums of the filtered potentials by row key. */
  private async sumByRow(
    user: CurrentUser,
    filters: ListFilters,
    grouping: BudgetGrouping,
    hiddenFields: ReadonlySet<string>,
  ): Promise<Map<string | null, FigureSums>> {
    const query = this.records.filteredQuery('potentials', user, { filters, hiddenFields }, [], 'none');
    const keyColumns = this.groupColumns(grouping);
    if (grouping === 'team') query.leftJoin('users', 'row_user', `row_user.id = ${ALIAS}.assigned_user_id`);
    query.select(keyColumns[0], 'row_key');
    if (keyColumns[1]) query.addSelect(keyColumns[1], 'row_group');
    query
      .addSelect(`SUM(${ALIAS}.amount_cents)`, 'cents')
      .addSelect(`SUM(${ALIAS}.amount_cents * ${ALIAS}.probability)`, 'weighted_cents');
    for (const column of keyColumns) query.addGroupBy(column);

    const rows = await query.getRawMany<{
      row_key: string | number | null;
      row_group?: string | number | null;
      cents: string | number | null;
      weighted_cents: string | number | null;
    }>();
    const sums = new Map<string | null, FigureSums>();
    for (const row of rows) {
      const key = rowKeyOf(row.row_key, row.row_group);
      sums.set(key, {
        cents: new Decimal(String(row.cents ?? 0)),
        weightedCents: new Decimal(String(row.weighted_cents ?? 0)),
      });
    }
    return sums;
  }

  /** Returns the SQL columns a grouping groups by; they come from this list, never from the request. */
  private groupColumns(grouping: BudgetGrouping): string[] {
    if (grouping === 'salesperson') return [`${ALIAS}.assigned_user_id`, `${ALIAS}.${OWNER_GROUP_COLUMN}`];
    if (grouping === 'team') return ['row_user.role_id'];
    return [`${ALIAS}.product_line`];
  }
}

/** Turns a row's grouped columns into its key: a user's id, `group:<id>`, a role's id or a product line. */
function rowKeyOf(key: string | number | null, group: string | number | null | undefined): string | null {
  if (key !== null && key !== '') return String(key);
  if (group !== null && group !== undefined) return `group:${String(group)}`;
  return null;
}

/** Adds the sums of several queries row by row. */
function addSums(parts: Map<string | null, FigureSums>[]): Map<string | null, FigureSums> {
  if (parts.length === 1) return parts[0];
  const total = new Map<string | null, FigureSums>();
  for (const part of parts) {
    for (const [key, sums] of part) {
      const previous = total.get(key);
      total.set(
        key,
        previous
          ? {
              cents: previous.cents.plus(sums.cents),
              weightedCents: previous.weightedCents.plus(sums.weightedCents),
            }
          : sums,
      );
    }
  }
  return total;
}
