import { EntityManager } from 'typeorm';
import { insertEntries } from './record-history-writer.service.js';

/** Records of one module that an administrator moved together from one owner to another. */
export interface OwnerMove {
  module: string;
  ownerField: string;
  recordIds: number[];
  /** Owner values in code: a user's id or `group:<id>`. */
  from: number | string;
  to: number | string;
  userId: number;
  changedAt: string;
}

/**
 * Writes an 'assigned' entry for each moved record, with source 'transfer'. The entries go in multi-row
 * INSERTs, and their one changed field in one INSERT ... SELECT, because every record of the move has the
 * same old and new owner. The entries just written are the move's entries of these records without a field.
 */
export async function recordOwnerMove(manager: EntityManager, move: OwnerMove): Promise<void> {
  if (move.recordIds.length === 0) return;
  await insertEntries(
    manager,
    move.recordIds.map((recordId) => ({
      module: move.module,
      recordId,
      kind: 'assigned',
      source: 'transfer',
      userId: move.userId,
      changedAt: move.changedAt,
      relation: null,
      relatedModule: null,
      relatedId: null,
      fields: [],
    })),
  );

  const placeholders = move.recordIds.map(() => '?').join(', ');
  await manager.query(
    `INSERT INTO record_change_fields (change_id, field, old_value, new_value)
     SELECT c.id, ?, ?, ? FROM record_changes c
      WHERE c.module = ? AND c.source = 'transfer' AND c.user_id = ?
        AND c.record_id IN (${placeholders})
        AND NOT EXISTS (SELECT 1 FROM record_change_fields f WHERE f.change_id = c.id)`,
    [move.ownerField, String(move.from), String(move.to), move.module, move.userId, ...move.recordIds],
  );
}
