import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordsService } from '../../src/records/records.service.js';
import { localToday } from '../../src/records/values.js';

/** Dates of effective close, both included, as YYYY-MM-DD. */
export interface CloseDateWindow {
  from: string;
  to: string;
}

/** The outcome of the potentials that passed through one sales stage. */
export interface StageWinRate {
  stage: string;
  /** The probability the stage sets. Null for a stage no longer in the picklist (renamed or removed). */
  probability: number | null;
  /** Potentials closed in the window that were in this stage at some time. */
  potentials: number;
  /** Those of them that were won. */
  won: number;
  /** won × 100 / potentials, unrounded. Null when no potential passed through the stage. */
  winPercent: Decimal | null;
}

export interface StageWinRates {
  window: CloseDateWindow;
  /** The open stages in picklist order, then stages found only in the history. Empty when sales_stage is hidden. */
  stages: StageWinRate[];
}

/**
 * Every stage a potential was in: the stages it entered, and the first stage of a change recorded before it.
 * NOTE: the database builds this union over the whole history before the join keeps the window's potentials,
 * so the query slows down as the history grows.
 */
const STAGES_ENTERED = `(SELECT potential_id, to_stage AS stage FROM potential_stage_changes
  UNION SELECT potential_id, from_stage AS stage FROM potential_stage_changes WHERE from_stage IS NOT NULL)`;

/**
 * Computes, per sales stage, the share of potentials that went on to be won, beside the probability the stage
 * sets, so that a manager can spot the probabilities that are wrong.
 */
@Injectable()
export class StageWinRatesService {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly picklists: PicklistsService,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * Counts the potentials the user may see that closed (won or lost) with an effective close date in the
   * window, the 12 months up to today unless given, per stage they were in, and how many of them were won.
   * A potential still open is left out, because its outcome is not known yet. Throws 403 when the user may
   * not view potentials.
   */
  async winRates(user: CurrentUser, window: CloseDateWindow = lastTwelveMonths()): Promise<StageWinRates> {
    const permissions = await this.permissions.require(user, 'potentials', 'view');
    const stageField = this.registry.field('potentials', 'sales_stage');
    if (!stageField || permissions.isHidden('potentials', stageField)) return { window, stages: [] };

    const entries = (await this.picklists.forModule('potentials')).values('sales_stage');
    const wonStages = entries.filter((entry) => entry.outcome === 'won').map((entry) => entry.value);
    const closedStages = entries
      .filter((entry) => entry.outcome === 'won' || entry.outcome === 'lost')
      .map((entry) => entry.value);
    const counts = await this.countByStage(user, window, wonStages, closedStages);

    const stages: StageWinRate[] = entries
      .filter((entry) => entry.outcome !== 'won' && entry.outcome !== 'lost')
      .map((entry) => rateOf(entry.value, entry.probability, counts.get(entry.value)));
    for (const [stage, count] of counts) {
      if (!entries.some((entry) => entry.value === stage)) stages.push(rateOf(stage, null, count));
    }
    return { window, stages };
  }

  private async countByStage(
    user: CurrentUser,
    window: CloseDateWindow,
    wonStages: string[],
    closedStages: string[],
  ): Promise<Map<string, { potentials: number; won: number }>> {
    const counts = new Map<string, { potentials: number; won: number }>();
    if (closedStages.length === 0) return counts;

    const query = this.records.visibleQuery(this.registry.get('potentials'), user, undefined, 'none');
    const alias = query.alias;
    const wonCase =
      wonStages.length === 0
        ? 'NULL'
        : `CASE WHEN ${alias}.sales_stage IN (:...winRateWonStages) THEN ${alias}.id END`;
    const rows = await query
      .innerJoin(STAGES_ENTERED, 'entered', `entered.potential_id = ${alias}.id`)
      .select('entered.stage', 'stage')
      .addSelect(`COUNT(DISTINCT ${alias}.id)`, 'potentials')
      .addSelect(`COUNT(DISTINCT ${wonCase})`, 'won')
      .andWhere(`${alias}.sales_stage IN (:...winRateClosedStages)`, { winRateClosedStages: closedStages })
      .andWhere(`${alias}.effective_close_date BETWEEN :winRateFrom AND :winRateTo`, {
        winRateFrom: window.from,
        winRateTo: window.to,
      })
      .setParameter('winRateWonStages', wonStages)
      .groupBy('entered.stage')
      .getRawMany<{ stage: string; potentials: number | string; won: number | string }>();

    for (const row of rows)
      counts.set(row.stage, { potentials: Number(row.potentials), won: Number(row.won) });
    return counts;
  }
}

function rateOf(
  stage: string,
  probability: number | null,
  count: { potentials: number; won: number } | undefined,
): StageWinRate {
  const potentials = count?.potentials ?? 0;
  const won = count?.won ?? 0;
  return {
    stage,
    probability,
    potentials,
    won,
    winPercent: potentials === 0 ? null : new Decimal(won).times(100).dividedBy(potentials),
  };
}

/** Returns the 12 months up to and including today: from the day after the same date a year ago. */
export function lastTwelveMonths(today = localToday()): CloseDateWindow {
  const [year, month, day] = today.split('-').map(Number);
  // Day 0 of the next month is the last day of this one, so 29 February falls back to the 28th.
  const lastDay = new Date(Date.UTC(year - 1, month, 0)).getUTCDate();
  const from = new Date(Date.UTC(year - 1, month - 1, Math.min(day, lastDay) + 1));
  return { from: from.toISOString().slice(0, 10), to: today };
}
