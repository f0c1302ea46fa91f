import { EntitySchema } from 'typeorm';

/** The kind of scope a target is set for: one user, one role (the team of its users), or one product line. */
export type TargetScopeKind = 'user' | 'role' | 'product_line';
export const TARGET_SCOPE_KINDS: TargetScopeKind[] = ['user', 'role', 'product_line'];

/**
 * The target of one scope for one month. Targets are stored per month, the finest period, so that the
 * target of a quarter, a half or a year is the sum of its months.
 */
export interface BudgetTargetRow {
  id: number;
  scopeKind: TargetScopeKind;
  /** The user's or role's id as decimal text, or the product line's picklist value. */
  scopeKey: string;
  year: number;
  /** 1 (January) to 12. */
  month: number;
  /** Whole cents: mysql2 returns a BIGINT as a string, better-sqlite3 as a number. */
  amountCents: string | number;
  /** UTC, YYYY-MM-DD HH:MM:SS. */
  updatedAt: string;
  /** The user who last set the target; null once that user is deleted. */
  updatedBy: number | null;
  /** Declared so that the foreign key exists. Never loaded. */
  updater?: unknown;
}

export const BudgetTargetEntity = new EntitySchema<BudgetTargetRow>({
  name: 'BudgetTarget',
  tableName: 'budget_targets',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    scopeKind: { name: 'scope_kind', type: 'varchar', length: 20 },
    scopeKey: { name: 'scope_key', type: 'varchar', length: 255 },
    year: { type: 'int' },
    month: { type: 'int' },
    amountCents: { name: 'amount_cents', type: 'bigint' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
    updatedBy: { name: 'updated_by', type: 'int', nullable: true },
  },
  relations: {
    updater: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'updated_by', foreignKeyConstraintName: 'fk_budget_targets_updated_by' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    {
      name: 'uq_budget_targets_scope_month',
      columns: ['scopeKind', 'scopeKey', 'year', 'month'],
      unique: true,
    },
    { name: 'ix_budget_targets_year', columns: ['year', 'scopeKind'] },
    { name: 'ix_budget_targets_updated_by', columns: ['updatedBy'] },
  ],
});
