import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { RecordAssignmentEntity } from '../access/record-assignment.entity.js';
import { inTransaction } from '../database/transaction.js';
import { GroupEntity } from '../groups/group.entity.js';
import { recordOwnerMove } from '../history/owner-move-history.js';
import { ownerColumns } from '../records/field-codec.js';
import { OWNER_GROUP_COLUMN, VERSION_COLUMN } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { utcNow } from '../records/values.js';
import { UserEntity } from './user.entity.js';

/** Rows of reassignment history written per INSERT statement. */
const HISTORY_BATCH = 500;

/** Whom records belong to: a user's id, or `group:<id>` for a group (as an owner field's value). */
export type Owner = number | string;

export type RecordTransferFailure = 'targetMissing' | 'targetInactive' | 'sameUser';
export type RecordTransferResult =
  { ok: true; moved: { module: string; count: number }[] } | { ok: false; code: RecordTransferFailure };

/** Moves every record assigned to one user or group to another, in every module that has an owner. */
@Injectable()
export class RecordTransferService {
  private readonly logger = new Logger(RecordTransferService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  /**
   * Reassigns all records of `from` to `to` in one transaction, with one UPDATE per module, and records
   * each change in the reassignment history and in each record's history, with the administrator as the
   * one who made it. The target
   * must be an active user or an existing group, as for any new assignment.
   */
  async moveAll(admin: CurrentUser, from: Owner, to: Owner): Promise<RecordTransferResult> {
    const moved = await inTransaction(this.dataSource, async (manager) => {
      const problem = await this.checkTarget(manager, from, to);
      return problem ? problem : this.moveWithin(manager, admin, from, to);
    });
    if (!Array.isArray(moved)) return { ok: false, code: moved };
    return { ok: true, moved };
  }

  /** Tells why records cannot move from one owner to the other, or undefined when they can. */
  async checkTarget(
    manager: EntityManager,
    from: Owner,
    to: Owner,
  ): Promise<RecordTransferFailure | undefined> {
    if (from === to) return 'sameUser';
    const { userId, groupId } = ownerColumns(to);
    if (groupId !== null)
      return (await manager.existsBy(GroupEntity, { id: groupId })) ? undefined : 'targetMissing';
    if (userId === null || !Number.isSafeInteger(userId)) return 'targetMissing';
    const target = await manager.findOneBy(UserEntity, { id: userId });
    if (!target) return 'targetMissing';
    return target.isActive ? undefined : 'targetInactive';
  }

  /** Moves the records inside the caller's transaction, once the target has been checked. */
  async moveWithin(
    manager: EntityManager,
    admin: CurrentUser,
    from: Owner,
    to: Owner,
  ): Promise<{ module: string; count: number }[]> {
    const counts: { module: string; count: number }[] = [];
    const now = utcNow();
    const source = ownerColumns(from);
    const target = ownerColumns(to);

    for (const manifest of this.registry.all()) {
      const owner = this.registry.ownerField(manifest.name);
      if (!owner) continue;
      const [column, id] =
        source.groupId !== null ? [OWNER_GROUP_COLUMN, source.groupId] : [owner.name, source.userId];

      const query = manager
        .createQueryBuilder()
        .select('r.id', 'id')
        .from(manifest.table, 'r')
        .where(`r.${column} = :from`, { from: id });
      // The rows are locked so that the history lists exactly the rows the UPDATE below changes. SQLite
      // has no row locks and needs none, because its transactions run one at a time.
      if (this.dataSource.options.type !== 'better-sqlite3') query.setLock('pessimistic_write');
      const rows = await query.getRawMany<{ id: number | string }>();
      counts.push({ module: manifest.name, count: rows.length });
      if (rows.length === 0) continue;

      await manager
        .createQueryBuilder()
        .update(manifest.table)
        .set({
          [owner.name]: target.userId,
          [OWNER_GROUP_COLUMN]: target.groupId,
          updated_at: now,
          modified_by_id: admin.id,
          // A form opened before the move would assign the record back, so it becomes stale.
          [VERSION_COLUMN]: () => `${VERSION_COLUMN} + 1`,
        })
        .where(`${column} = :from`, { from: id })
        .execute();
      for (let start = 0; start < rows.length; start += HISTORY_BATCH) {
        await manager.insert(
          RecordAssignmentEntity,
          rows.slice(start, start + HISTORY_BATCH).map((row) => ({
            module: manifest.name,
            recordId: Number(row.id),
            fromUserId: source.userId,
            fromGroupId: source.groupId,
            toUserId: target.userId,
            toGroupId: target.groupId,
            changedById: admin.id,
            changedAt: now,
          })),
        );
        await recordOwnerMove(manager, {
          module: manifest.name,
          ownerField: owner.name,
          recordIds: rows.slice(start, start + HISTORY_BATCH).map((row) => Number(row.id)),
          from,
          to,
          userId: admin.id,
          changedAt: now,
        });
      }
    }

    const summary = counts.map((entry) => `${entry.count} ${entry.module}`).join(', ');
    this.logger.log(`Moved the records of ${String(from)} to ${String(to)} (${summary}) by user ${admin.id}`);
    return counts;
  }
}
