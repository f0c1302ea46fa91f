import { EntitySchema } from 'typeorm';

/** The cause of a change of a potential's amount: a user (form, mass edit, board or import) or a quote. */
export type AmountChangeCause = 'user' | 'quote';

/** One change of a potential's amount. Null cents are an empty amount; old is null for a new potential. */
export interface PotentialAmountChangeRow {
  id: number;
  potentialId: number;
  /** UTC, YYYY-MM-DD HH:MM:SS. */
  changedAt: string;
  oldCents: string | null;
  newCents: string | null;
  cause: AmountChangeCause;
  /** The user who saved the form or the quote; null once the user is deleted. */
  userId: number | null;
  /** The quote whose total set the amount; null for a user's change or once the quote is deleted. */
  quoteId: number | null;
  /** Declared so that the foreign keys exist. Never loaded. */
  potential?: unknown;
  user?: unknown;
  quote?: unknown;
}

export const PotentialAmountChangeEntity = new EntitySchema<PotentialAmountChangeRow>({
  name: 'PotentialAmountChange',
  tableName: 'potential_amount_changes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    potentialId: { name: 'potential_id', type: 'int' },
    changedAt: { name: 'changed_at', type: 'datetime' },
    oldCents: { name: 'old_cents', type: 'bigint', nullable: true },
    newCents: { name: 'new_cents', type: 'bigint', nullable: true },
    cause: { type: 'varchar', length: 10 },
    userId: { name: 'user_id', type: 'int', nullable: true },
    quoteId: { name: 'quote_id', type: 'int', nullable: true },
  },
  relations: {
    potential: {
      type: 'many-to-one',
      target: 'potentials',
      joinColumn: {
        name: 'potential_id',
        foreignKeyConstraintName: 'fk_potential_amount_changes_potential_id',
      },
      onDelete: 'CASCADE',
    },
    user: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'fk_potential_amount_changes_user_id' },
      onDelete: 'SET NULL',
    },
    quote: {
      type: 'many-to-one',
      target: 'quotes',
      joinColumn: { name: 'quote_id', foreignKeyConstraintName: 'fk_potential_amount_changes_quote_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    { name: 'ix_potential_amount_changes_potential', columns: ['potentialId', 'changedAt'] },
    { name: 'ix_potential_amount_changes_user', columns: ['userId'] },
    { name: 'ix_potential_amount_changes_quote', columns: ['quoteId'] },
  ],
});
