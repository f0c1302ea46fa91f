import { EntitySchema } from 'typeorm';

/** The path by which a potential's sales stage changed. */
export type StageChangeSource = 'form' | 'board' | 'mass' | 'import' | 'conversion';

/** One change of a potential's sales stage, with the amount and probability the save left. */
export interface PotentialStageChangeRow {
  id: number;
  potentialId: number;
  /** UTC, YYYY-MM-DD HH:MM:SS. */
  changedAt: string;
  /** Null when the potential was created: creation enters its first stage. */
  fromStage: string | null;
  toStage: string;
  /** The potential's amount after the save, in cents; null when the amount was empty. */
  amountCents: string | null;
  probability: number | null;
  /** The potential's effective close date (YYYY-MM-DD) when the change entered a closed stage, otherwise null. */
  effectiveCloseDate: string | null;
  source: StageChangeSource;
  /** The user who saved; null once the user is deleted. */
  userId: number | null;
  /** Declared so that the foreign keys exist. Never loaded. */
  potential?: unknown;
  user?: unknown;
}

export const PotentialStageChangeEntity = new EntitySchema<PotentialStageChangeRow>({
  name: 'PotentialStageChange',
  tableName: 'potential_stage_changes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    potentialId: { name: 'potential_id', type: 'int' },
    changedAt: { name: 'changed_at', type: 'datetime' },
    fromStage: { name: 'from_stage', type: 'varchar', length: 255, nullable: true },
    toStage: { name: 'to_stage', type: 'varchar', length: 255 },
    amountCents: { name: 'amount_cents', type: 'bigint', nullable: true },
    probability: { type: 'int', nullable: true },
    effectiveCloseDate: { name: 'effective_close_date', type: 'date', nullable: true },
    source: { type: 'varchar', length: 10 },
    userId: { name: 'user_id', type: 'int', nullable: true },
  },
  relations: {
    potential: {
      type: 'many-to-one',
      target: 'potentials',
      joinColumn: {
        name: 'potential_id',
        foreignKeyConstraintName: 'fk_potential_stage_changes_potential_id',
      },
      onDelete: 'CASCADE',
    },
    user: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'fk_potential_stage_changes_user_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    { name: 'ix_potential_stage_changes_potential', columns: ['potentialId', 'changedAt'] },
    { name: 'ix_potential_stage_changes_stage', columns: ['toStage', 'potentialId'] },
    { name: 'ix_potential_stage_changes_user', columns: ['userId'] },
  ],
});
