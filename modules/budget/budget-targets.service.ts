import { ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, EntityManager, In } from 'typeorm';
import { inTransaction } from '../../src/database/transaction.js';
import { centsToMoney, utcNow } from '../../src/records/values.js';
import { BudgetTargetEntity, BudgetTargetRow, TargetScopeKind } from './budget-target.entity.js';
import { monthsOf, Period } from './periods.js';
import type { TargetScope } from './target-scopes.service.js';

/** A user, role or product line, as budget_targets stores it. */
export interface ScopeRef {
  kind: TargetScopeKind;
  key: string;
}

/** The target of one scope for one month in whole cents; null removes the target. */
export interface MonthTarget {
  scope: ScopeRef;
  year: number;
  month: number;
  cents: Decimal | null;
}

/** Rows a multi-row INSERT writes at a time, well below the parameter limits of both databases. */
const INSERT_BATCH = 200;
const DELETE_BATCH = 500;

const scopeId = (scope: ScopeRef) => `${scope.kind}:${scope.key}`;
const monthId = (target: Omit<MonthTarget, 'cents'>) =>
  `${scopeId(target.scope)}:${target.year}:${target.month}`;

/**
 * The targets of the Budget module. They are stored per month, so the target of any period is the sum of
 * its months, computed by the database in whole cents on both databases.
 */
@Injectable()
export class BudgetTargetsService {
  private readonly logger = new Logger(BudgetTargetsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Returns the target of one scope for a year, half, quarter or month, in euro; 0 when none is set. */
  async targetOf(scope: ScopeRef, period: Period): Promise<Decimal> {
    const targets = await this.targetsOf(scope.kind, period, [scope.key]);
    return targets.get(scope.key) ?? new Decimal(0);
  }

  /**
   * Returns the targets of every scope of the kind for the period, in euro, by scope key, or of the keys
   * given only. A scope without any target in the period is missing from the map.
   */
  async targetsOf(kind: TargetScopeKind, period: Period, keys?: string[]): Promise<Map<string, Decimal>> {
    if (keys?.length === 0) return new Map();
    const query = this.dataSource
      .getRepository(BudgetTargetEntity)
      .createQueryBuilder('t')
      .select('t.scopeKey', 'scopeKey')
      .addSelect('SUM(t.amountCents)', 'cents')
      .where('t.scopeKind = :kind', { kind })
      .andWhere('t.year = :year', { year: period.year })
      .andWhere('t.month IN (:...months)', { months: monthsOf(period) })
      .groupBy('t.scopeKey');
    if (keys) query.andWhere('t.scopeKey IN (:...keys)', { keys });

    const rows = await query.getRawMany<{ scopeKey: string; cents: string | number }>();
    return new Map(rows.map((row) => [row.scopeKey, centsToMoney(row.cents)]));
  }

  /** Returns the monthly targets of every scope of the kind for the year in cents, by scope key; null where none is set. */
  async monthsOfYear(kind: TargetScopeKind, year: number): Promise<Map<string, (Decimal | null)[]>> {
    const rows = await this.dataSource
      .getRepository(BudgetTargetEntity)
      .find({ where: { scopeKind: kind, year } });
    const byScope = new Map<string, (Decimal | null)[]>();
    for (const row of rows) {
      const months = byScope.get(row.scopeKey) ?? Array<Decimal | null>(12).fill(null);
      months[row.month - 1] = new Decimal(String(row.amountCents));
      byScope.set(row.scopeKey, months);
    }
    return byScope;
  }

  /** Lists every target of the year in the scopes given, for the CSV export. */
  async listYear(year: number, scopes: ScopeRef[]): Promise<BudgetTargetRow[]> {
    const visible = new Set(scopes.map(scopeId));
    const rows = await this.dataSource
      .getRepository(BudgetTargetEntity)
      .find({ where: { year }, order: { scopeKind: 'ASC', scopeKey: 'ASC', month: 'ASC' } });
    return rows.filter((row) => visible.has(scopeId({ kind: row.scopeKind, key: row.scopeKey })));
  }

  /**
   * Sets the monthly targets given, in one transaction, and returns how many months changed. Months equal
   * to the stored target are left alone, so their last change keeps its author. Every target must belong to a
   * scope the user may set; otherwise nothing is saved and the request is forbidden.
   */
  async saveMonths(userId: number, editable: TargetScope[], targets: MonthTarget[]): Promise<number> {
    const allowed = new Set(editable.filter((scope) => scope.editable).map(scopeId));
    if (targets.some((target) => !allowed.has(scopeId(target.scope)))) throw new ForbiddenException();
    if (targets.length === 0) return 0;

    const changed = await inTransaction(this.dataSource, (manager) => this.write(manager, userId, targets));
    this.logger.log(`User ${userId} changed ${changed} monthly targets`);
    return changed;
  }

  private async write(manager: EntityManager, userId: number, targets: MonthTarget[]): Promise<number> {
    const stored = await this.storedMonths(manager, targets);
    const changes = targets.filter((target) => {
      const row = stored.get(monthId(target));
      if (!row) return target.cents !== null;
      return target.cents === null || !target.cents.equals(String(row.amountCents));
    });

    const replacedIds = changes.flatMap((target) => {
      const row = stored.get(monthId(target));
      return row ? [row.id] : [];
    });
    for (let start = 0; start < replacedIds.length; start += DELETE_BATCH)
      await manager.delete(BudgetTargetEntity, { id: In(replacedIds.slice(start, start + DELETE_BATCH)) });

    const now = utcNow();
    const inserts = changes
      .filter((target) => target.cents !== null)
      .map((target) => ({
        scopeKind: target.scope.kind,
        scopeKey: target.scope.key,
        year: target.year,
        month: target.month,
        amountCents: target.cents!.toFixed(0),
        updatedAt: now,
        updatedBy: userId,
      }));
    for (let start = 0; start < inserts.length; start += INSERT_BATCH)
      await manager.insert(BudgetTargetEntity, inserts.slice(start, start + INSERT_BATCH));
    return changes.length;
  }

  /** Loads the stored rows of the years and scope kinds the targets touch, by scope, year and month. */
  private async storedMonths(
    manager: EntityManager,
    targets: MonthTarget[],
  ): Promise<Map<string, BudgetTargetRow>> {
    const years = [...new Set(targets.map((target) => target.year))];
    const kinds = [...new Set(targets.map((target) => target.scope.kind))];
    const rows = await manager.find(BudgetTargetEntity, { where: { year: In(years), scopeKind: In(kinds) } });
    return new Map(
      rows.map((row) => [
        monthId({ scope: { kind: row.scopeKind, key: row.scopeKey }, year: row.year, month: row.month }),
        row,
      ]),
    );
  }
}
