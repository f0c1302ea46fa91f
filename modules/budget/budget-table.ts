import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, In } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { GroupEntity } from '../../src/groups/group.entity.js';
import { ownerGroupId } from '../../src/records/field-codec.js';
import { centsToMoney } from '../../src/records/values.js';
import { RoleEntity } from '../../src/roles/role.entity.js';
import { UserEntity } from '../../src/users/user.entity.js';
import type { TargetScopeKind } from './budget-target.entity.js';
import { BudgetTargetsService } from './budget-targets.service.js';
import {
  BudgetGrouping,
  figureFilters,
  FigureSet,
  ForecastThresholds,
  ListFilters,
  rowFilters,
  StageOutcomes,
} from './budget-figures.js';
import { BudgetFigures, BudgetService, FigureSums } from './budget.service.js';
import { Period } from './periods.js';
import { TargetScopesService } from './target-scopes.service.js';

/** The columns of the table that sum potentials; weighted sums the pipeline's potentials. */
export type FigureColumn = 'pipeline' | 'weighted' | 'bestCase' | 'commit' | 'closedWon';
export const FIGURE_COLUMNS: FigureColumn[] = ['pipeline', 'weighted', 'bestCase', 'commit', 'closedWon'];

const SET_OF: Record<FigureColumn, FigureSet> = {
  pipeline: 'pipeline',
  weighted: 'pipeline',
  bestCase: 'bestCase',
  commit: 'commit',
  closedWon: 'closedWon',
};

export const TARGET_KIND_OF: Record<BudgetGrouping, TargetScopeKind> = {
  salesperson: 'user',
  team: 'role',
  product_line: 'product_line',
};

/** One figure in euro and the potentials list's filters that give it as the list's total. */
export interface BudgetFigure {
  amount: Decimal;
  filters: ListFilters;
}

/** One row of the Budget table, or its totals row. Amounts are in euro. */
export interface BudgetRow {
  /** A user's id or `group:<id>`, a role's id, a product line; null for potentials without one. */
  key: string | null;
  name: string;
  /** Null when no target is set or the user may not see it. */
  target: Decimal | null;
  figures: Record<FigureColumn, BudgetFigure>;
  /** target − closed won; null without a target. */
  gap: Decimal | null;
  /** closed won × 100 / target; null when the target is missing or 0. */
  attainment: Decimal | null;
}

export interface BudgetTable {
  period: Period;
  grouping: BudgetGrouping;
  stages: StageOutcomes;
  thresholds: ForecastThresholds;
  rows: BudgetRow[];
  totals: BudgetRow;
}

const ZERO: FigureSums = { cents: new Decimal(0), weightedCents: new Decimal(0) };

/**
 * Builds the Budget table: one row per user (or group), role or product line that has a figure or a target
 * the user may see, and a totals row. Rows never overlap, so the totals are the sums of the rows.
 */
@Injectable()
export class BudgetTableBuilder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly budget: BudgetService,
    private readonly targets: BudgetTargetsService,
    private readonly scopes: TargetScopesService,
  ) {}

  async build(user: CurrentUser, period: Period, grouping: BudgetGrouping): Promise<BudgetTable> {
    const figures = await this.budget.figures(user, period, grouping);
    const kind = TARGET_KIND_OF[grouping];
    const access = await this.scopes.accessFor(user);
    const scopes = (await this.scopes.list(access, kind)).filter((scope) => !scope.inactive);
    const targets = await this.targets.targetsOf(
      kind,
      period,
      scopes.map((scope) => scope.key),
    );

    const keys = this.rowKeys(
      figures,
      scopes.map((scope) => scope.key),
    );
    const names = await this.namesOf(grouping, keys);
    const rows = keys.map((key) => {
      const target = key === null ? null : (targets.get(key) ?? null);
      return rowOf({
        key,
        name: key === null ? '' : (names.get(key) ?? key),
        target,
        sums: (set) => figures.sets[set].get(key) ?? ZERO,
        filters: (set) => ({
          ...figureFilters(set, period, figures.stages, figures.thresholds),
          ...rowFilters(grouping, key),
        }),
      });
    });

    const anyTarget = rows.some((row) => row.target !== null);
    const totals = rowOf({
      key: null,
      name: '',
      target: anyTarget ? rows.reduce((sum, row) => sum.plus(row.target ?? 0), new Decimal(0)) : null,
      sums: (set) => sumOf([...figures.sets[set].values()]),
      filters: (set) => figureFilters(set, period, figures.stages, figures.thresholds),
    });
    return { period, grouping, stages: figures.stages, thresholds: figures.thresholds, rows, totals };
  }

  /**
   * Lists the row keys: the target scopes the user may see, in their order, then the other keys that have
   * figures (groups, users and roles outside those scopes, product lines no longer offered), and last the
   * potentials without a key.
   */
  private rowKeys(figures: BudgetFigures, scopeKeys: string[]): (string | null)[] {
    const withFigures = new Set<string | null>();
    for (const sums of Object.values(figures.sets)) for (const key of sums.keys()) withFigures.add(key);
    const listed = new Set(scopeKeys);
    const rest = [...withFigures].filter((key): key is string => key !== null && !listed.has(key)).sort();
    return [...scopeKeys, ...rest, ...(withFigures.has(null) ? [null] : [])];
  }

  /** Looks up the names of the rows' users, groups, roles; a product line is its own name. */
  private async namesOf(grouping: BudgetGrouping, keys: (string | null)[]): Promise<Map<string, string>> {
    const present = keys.filter((key): key is string => key !== null);
    if (grouping === 'product_line') return new Map(present.map((key) => [key, key]));

    const names = new Map<string, string>();
    if (grouping === 'team') {
      const ids = present.map(Number).filter(Number.isInteger);
      const roles = ids.length ? await this.dataSource.getRepository(RoleEntity).findBy({ id: In(ids) }) : [];
      for (const role of roles) names.set(String(role.id), role.name);
      return names;
    }

    const userIds = present.filter((key) => /^\d+$/.test(key)).map(Number);
    const groupIds = present.map((key) => ownerGroupId(key)).filter((id) => id !== undefined);
    const users = userIds.length
      ? await this.dataSource.getRepository(UserEntity).findBy({ id: In(userIds) })
      : [];
    const groups = groupIds.length
      ? await this.dataSource.getRepository(GroupEntity).findBy({ id: In(groupIds) })
      : [];
    for (const user of users) names.set(String(user.id), user.fullName);
    for (const group of groups) names.set(`group:${group.id}`, group.name);
    return names;
  }
}

/** Builds one row from its sums: the amounts in euro, the weighted pipeline rounded to the cent as the list rounds it. */
function rowOf(input: {
  key: string | null;
  name: string;
  target: Decimal | null;
  sums: (set: FigureSet) => FigureSums;
  filters: (set: FigureSet) => ListFilters;
}): BudgetRow {
  const figures = Object.fromEntries(
    FIGURE_COLUMNS.map((column) => {
      const sums = input.sums(SET_OF[column]);
      const amount =
        column === 'weighted'
          ? sums.weightedCents.dividedBy(10000).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
          : centsToMoney(sums.cents.toFixed(0));
      return [column, { amount, filters: input.filters(SET_OF[column]) }];
    }),
  ) as Record<FigureColumn, BudgetFigure>;
  const closedWon = figures.closedWon.amount;
  const target = input.target;
  return {
    key: input.key,
    name: input.name,
    target,
    figures,
    gap: target === null ? null : target.minus(closedWon),
    attainment: target === null || target.isZero() ? null : closedWon.times(100).dividedBy(target),
  };
}

function sumOf(sums: FigureSums[]): FigureSums {
  return sums.reduce(
    (total, sum) => ({
      cents: total.cents.plus(sum.cents),
      weightedCents: total.weightedCents.plus(sum.weightedCents),
    }),
    ZERO,
  );
}
