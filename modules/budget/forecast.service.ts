import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { ALIAS, RecordsService } from '../../src/records/records.service.js';
import { centsToMoney } from '../../src/records/values.js';
import { forecastMonths, ForecastMonth } from './forecast-months.js';

/** The potentials' list filters of a figure: the list at /potentials with them shows the same potentials. */
export type PotentialFilters = Record<string, string | string[]>;

/** Count and sums of a set of open potentials. Amounts are null when the user's profile hides the field. */
export interface PipelineFigures {
  count: number;
  amount: Decimal | null;
  weightedAmount: Decimal | null;
  filters: PotentialFilters;
}

export interface ForecastBucket extends PipelineFigures {
  month: ForecastMonth;
}

/** Open potentials by expected close month, from today's month through the 11 months after it. */
export interface Forecast {
  /** Open potentials whose expected close date is before today. */
  overdue: PipelineFigures;
  months: ForecastBucket[];
  /** The twelve months together. */
  total: PipelineFigures;
}

export interface FunnelStageFigures extends PipelineFigures {
  stage: string;
}

/**
 * The figures a user's profile lets the forecast show. Without the stage or the expected close date the potentials
 * list cannot be filtered as the figures are, so the sections show nothing.
 */
export interface PipelineFields {
  available: boolean;
  amount: boolean;
  weightedAmount: boolean;
}

/** A grouped row of the figures query: the group's key, its count and its sums in cents and cents × percent. */
interface FigureRow {
  bucket: string;
  total: number | string;
  amount: number | string | null;
  weighted: number | string | null;
}

/** The open pipeline a user may see, by expected close month and by stage, with one grouped query each. */
@Injectable()
export class ForecastService {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly picklists: PicklistsService,
    private readonly permissions: PermissionsService,
  ) {}

  /** Returns which figures the user's profile lets them see. Throws 403 when they may not view potentials. */
  async fields(user: CurrentUser): Promise<PipelineFields> {
    const permissions = await this.permissions.require(user, 'potentials', 'view');
    const visible = (name: string) => {
      const field = this.registry.field('potentials', name);
      return field !== undefined && !permissions.isHidden('potentials', field);
    };
    return {
      available: visible('sales_stage') && visible('expected_close_date'),
      amount: visible('amount'),
      weightedAmount: visible('weighted_amount'),
    };
  }

  /**
   * Counts and sums the open potentials the user may see by expected close month, for the twelve months that
   * start with today's month, and those overdue apart. The first month starts today, because potentials
   * expected to close earlier in the month are overdue.
   */
  async forecast(user: CurrentUser, today: string): Promise<Forecast> {
    const fields = await this.fields(user);
    const openStages = await this.openStages();
    const months = forecastMonths(today);
    const end = months[months.length - 1].to;
    const dayBefore = months[0].dayBefore;
    const stageFilter = { sales_stage: openStages };

    const rows = fields.available
      ? await this.grouped(
          user,
          fields,
          { ...stageFilter, expected_close_date_to: end },
          `CASE WHEN ${ALIAS}.expected_close_date < :forecastToday THEN 'overdue' ELSE SUBSTR(${ALIAS}.expected_close_date, 1, 7) END`,
          { forecastToday: today },
        )
      : new Map<string, FigureRow>();

    const figuresOf = (row: FigureRow | undefined, filters: PotentialFilters) =>
      toFigures(row, fields, { ...stageFilter, ...filters });
    const monthRows = months.map((month) => rows.get(month.key));
    return {
      overdue: figuresOf(rows.get('overdue'), { expected_close_date_to: dayBefore }),
      months: months.map((month, index) => ({
        month,
        ...figuresOf(monthRows[index], {
          expected_close_date_from: month.from,
          expected_close_date_to: month.to,
        }),
      })),
      total: figuresOf(addRows(monthRows), { expected_close_date_from: today, expected_close_date_to: end }),
    };
  }

  /** Counts and sums the open potentials the user may see per open stage, in pipeline order. */
  async funnel(user: CurrentUser): Promise<FunnelStageFigures[]> {
    const fields = await this.fields(user);
    if (!fields.available) return [];
    const openStages = await this.openStages();
    const rows = await this.grouped(user, fields, { sales_stage: openStages }, `${ALIAS}.sales_stage`);
    return openStages.map((stage) => ({
      stage,
      ...toFigures(rows.get(stage), fields, { sales_stage: stage }),
    }));
  }

  /** Returns the stages of the pipeline whose outcome is still open, in picklist order. */
  async openStages(): Promise<string[]> {
    const entries = (await this.picklists.forModule('potentials')).values('sales_stage');
    return entries
      .filter((entry) => entry.outcome !== 'won' && entry.outcome !== 'lost')
      .map((entry) => entry.value);
  }

  /**
   * Runs one query that groups the potentials the list would show for the filters by a SQL expression, so the
   * access scope and the filters are the list's own. The weighted sum is cents × percent, as the list total's.
   */
  private async grouped(
    user: CurrentUser,
    fields: PipelineFields,
    filters: PotentialFilters,
    groupExpression: string,
    parameters: ObjectLiteral = {},
  ): Promise<Map<string, FigureRow>> {
    const query: SelectQueryBuilder<ObjectLiteral> = this.records.filteredQuery(
      'potentials',
      user,
      { filters, hiddenFields: new Set() },
      [],
      'none',
    );
    query
      .select(groupExpression, 'bucket')
      .addSelect('COUNT(*)', 'total')
      .addSelect(fields.amount ? `SUM(${ALIAS}.amount_cents)` : 'NULL', 'amount')
      .addSelect(
        fields.weightedAmount ? `SUM(${ALIAS}.amount_cents * ${ALIAS}.probability)` : 'NULL',
        'weighted',
      )
      .setParameters(parameters)
      .groupBy('bucket');
    const rows = await query.getRawMany<FigureRow>();
    return new Map(rows.map((row) => [String(row.bucket), row]));
  }
}

function toFigures(
  row: FigureRow | undefined,
  fields: PipelineFields,
  filters: PotentialFilters,
): PipelineFigures {
  return {
    count: Number(row?.total ?? 0),
    amount: fields.amount ? centsToMoney(String(row?.amount ?? 0)) : null,
    weightedAmount: fields.weightedAmount ? weightedFromSum(row?.weighted ?? 0) : null,
    filters,
  };
}

/**
 * Converts a sum of cents × percent to euro, rounded half up to the cent as the potentials list's total is.
 * Rounding the sum once, not each potential, is what makes the two totals equal.
 */
function weightedFromSum(sum: number | string): Decimal {
  return new Decimal(String(sum)).dividedBy(10000).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Adds up grouped rows before any rounding, so that a total is rounded once, as the list's total is. */
function addRows(rows: (FigureRow | undefined)[]): FigureRow {
  const add = (pick: (row: FigureRow) => number | string | null) =>
    rows
      .reduce((total, row) => (row ? total.plus(String(pick(row) ?? 0)) : total), new Decimal(0))
      .toFixed(0);
  return {
    bucket: 'total',
    total: add((row) => row.total),
    amount: add((row) => row.amount),
    weighted: add((row) => row.weighted),
  };
}
