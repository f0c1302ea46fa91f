import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { RecordAssignmentEntity } from '../access/record-assignment.entity.js';
import { inTransaction } from '../database/transaction.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { utcNow } from '../records/values.js';
import { UserEntity } from './user.entity.js';

/** Rows of reassignment history written per INSERT statement. */
const HISTORY_BATCH = 500;

export type RecordTransferResult =
  | { ok: true; moved: { module: string; count: number }[] }
  | { ok: false; code: 'targetMissing' | 'targetInactive' | 'sameUser' };

/** Moves every record assigned to one user to another, in every module that has an assigned user. */
@Injectable()
export class RecordTransferService {
  private readonly logger = new Logger(RecordTransferService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  /**
   * Reassigns all records of `fromUserId` to `toUserId` in one transaction, with one UPDATE per module,
   * and records each change in the reassignment history with the administrator as the one who made it.
   * The target must be an active user, as for any new assignment.
   */
  async moveAll(admin: CurrentUser, fromUserId: number, toUserId: number): Promise<RecordTransferResult> {
    if (fromUserId === toUserId) return { ok: false, code: 'sameUser' };
    if (!Number.isSafeInteger(toUserId)) return { ok: false, code: 'targetMissing' };
    const target = await this.dataSource.getRepository(UserEntity).findOneBy({ id: toUserId });
    if (!target) return { ok: false, code: 'targetMissing' };
    if (!target.isActive) return { ok: false, code: 'targetInactive' };

    const moved = await inTransaction(this.dataSource, async (manager) => {
      const counts: { module: string; count: number }[] = [];
      const now = utcNow();

      for (const manifest of this.registry.all()) {
        if (!this.registry.field(manifest.name, 'assigned_user_id')) continue;

        const query = manager
          .createQueryBuilder()
          .select('r.id', 'id')
          .from(manifest.table, 'r')
          .where('r.assigned_user_id = :from', { from: fromUserId });
        // The rows are locked so that the history lists exactly the rows the UPDATE below changes. SQLite
        // has no row locks and needs none, because its transactions run one at a time.
        if (this.dataSource.options.type !== 'better-sqlite3') query.setLock('pessimistic_write');
        const rows = await query.getRawMany<{ id: number | string }>();
        if (rows.length === 0) {
          counts.push({ module: manifest.name, count: 0 });
          continue;
        }

        await manager
          .createQueryBuilder()
          .update(manifest.table)
          .set({ assigned_user_id: toUserId, updated_at: now, modified_by_id: admin.id })
          .where('assigned_user_id = :from', { from: fromUserId })
          .execute();
        for (let start = 0; start < rows.length; start += HISTORY_BATCH) {
          await manager.insert(
            RecordAssignmentEntity,
            rows.slice(start, start + HISTORY_BATCH).map((row) => ({
              module: manifest.name,
              recordId: Number(row.id),
              fromUserId,
              toUserId,
              changedById: admin.id,
              changedAt: now,
            })),
          );
        }
        counts.push({ module: manifest.name, count: rows.length });
      }
      return counts;
    });

    const summary = moved.map((entry) => `${entry.count} ${entry.module}`).join(', ');
    this.logger.log(
      `Moved the records of user ${fromUserId} to user ${toUserId} (${summary}) by user ${admin.id}`,
    );
    return { ok: true, moved };
  }
}
