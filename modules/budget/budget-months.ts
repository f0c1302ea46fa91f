import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { Clock } from '../../src/layout/clock.js';
import { centsToMoney, Locale, localToday } from '../../src/records/values.js';
import type { TargetScopeKind } from './budget-target.entity.js';
import { BudgetTable, TARGET_KIND_OF } from './budget-table.js';
import { BudgetTargetsService } from './budget-targets.service.js';
import { BudgetService } from './budget.service.js';
import type { CumulativeMonth } from './charts.js';
import { monthsOf } from './periods.js';

/**
 * Builds the months of the Budget page's cumulative line. Each month has the closed won of the potentials the
 * user may see and the target of the table's rows, so the months add up to the table's totals.
 */
@Injectable()
export class BudgetMonthsBuilder {
  constructor(
    private readonly budget: BudgetService,
    private readonly targets: BudgetTargetsService,
    private readonly clock: Clock,
  ) {}

  /** Returns the period's months, or null when the user's profile hides the amount or the effective close date. */
  async months(user: CurrentUser, table: BudgetTable): Promise<CumulativeMonth[] | null> {
    const closedWon = await this.budget.closedWonByMonth(user, table.period);
    if (closedWon === null) return null;
    const targets = await this.monthlyTargets(table);
    const today = localToday(this.clock.now());
    // The line must end at the table's total, so it runs through the last month with closed won potentials
    // even when that month is still to come.
    const lastWonMonth = Math.max(0, ...closedWon.keys());

    return monthsOf(table.period).map((month) => ({
      label: monthLabel(user.locale, month),
      closedWon:
        month > lastWonMonth && isToCome(table.period.year, month, today)
          ? null
          : centsToMoney((closedWon.get(month) ?? new Decimal(0)).toFixed(0)),
      target: targets.get(month) ?? null,
    }));
  }

  /**
   * Adds up the monthly targets of the rows that have one, in euro by month. These are the targets the table's
   * total adds up, so the months sum to it. A month where none of them has a target is missing from the map.
   */
  private async monthlyTargets(table: BudgetTable): Promise<Map<number, Decimal>> {
    const kind: TargetScopeKind = TARGET_KIND_OF[table.grouping];
    const keys = new Set(table.rows.filter((row) => row.target !== null).map((row) => row.key));
    if (keys.size === 0) return new Map();

    const byScope = await this.targets.monthsOfYear(kind, table.period.year);
    const cents = new Map<number, Decimal>();
    for (const [key, months] of byScope) {
      if (!keys.has(key)) continue;
      for (const month of monthsOf(table.period)) {
        const value = months[month - 1];
        if (value !== null) cents.set(month, (cents.get(month) ?? new Decimal(0)).plus(value));
      }
    }
    return new Map([...cents].map(([month, value]) => [month, centsToMoney(value.toFixed(0))]));
  }
}

/** Returns the month's short name in the user's language, such as `Mar` or `mar`. */
export function monthLabel(locale: Locale, month: number): string {
  return translate(locale, `budget.months.${month}`);
}

/** Returns whether a month is after today's month, where the line of closed won stops. */
export function isToCome(year: number, month: number, today: string): boolean {
  const current = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7));
  return year * 12 + month > current;
}
