import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { inTransaction } from '../database/transaction.js';
import { EventBus } from '../events/event-bus.js';
import { RecordDeletedEvent, RecordRestoredEvent } from '../events/record-changes.event.js';
import { UserEntity } from '../users/user.entity.js';
import { BIN_COLUMNS, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { recordName, recordNameSql } from '../records/record-names.js';
import { nameKey } from '../records/records.service.js';

/** A record in the recycle bin, as its page lists it. */
export interface BinnedRecord {
  module: string;
  id: number;
  name: string;
  deletedAt: string;
  deletedBy: string | null;
}

/** The outcome of a restore: the record's name, or the catalogue key under `recycleBin.errors` of the rejection. */
export type RestoreResult =
  | { ok: true; name: string }
  | { ok: false; code: 'nameTaken' | 'ownerInactive'; params: Record<string, string> };

/** The maximum number of records the recycle bin's page lists, newest deletions first. */
export const BIN_PAGE_SIZE = 200;

const ALIAS = 'b';

/**
 * The recycle bin: the records users deleted, which keep their rows and links until they are restored or
 * purged. An administrator handles every binned record. Any other user handles only the records they deleted.
 */
@Injectable()
export class RecycleBinService {
  private readonly logger = new Logger(RecycleBinService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly permissions: PermissionsService,
    private readonly events: EventBus,
  ) {}

  /** Returns the modules whose binned records the user may handle: for a non-administrator, those they may delete in. */
  async modulesOf(user: CurrentUser): Promise<ModuleManifest[]> {
    const permissions = await this.permissions.forUser(user);
    return this.registry.all().filter((manifest) => permissions.can(manifest.name, 'delete'));
  }

  /** Lists the binned records the user may handle, newest deletions first, of one module or of all. */
  async list(user: CurrentUser, moduleName?: string): Promise<BinnedRecord[]> {
    const modules = (await this.modulesOf(user)).filter(
      (manifest) => moduleName === undefined || manifest.name === moduleName,
    );
    const records: BinnedRecord[] = [];
    for (const manifest of modules) {
      const rows = await this.binnedQuery(this.dataSource.manager, manifest, user)
        .select(`${ALIAS}.id`, 'id')
        .addSelect(recordNameSql(manifest, ALIAS), 'name')
        .addSelect(`${ALIAS}.${BIN_COLUMNS.deletedAt}`, 'deletedAt')
        .addSelect('deleter.full_name', 'deletedBy')
        .leftJoin('users', 'deleter', `deleter.id = ${ALIAS}.${BIN_COLUMNS.deletedBy}`)
        .orderBy(`${ALIAS}.${BIN_COLUMNS.deletedAt}`, 'DESC')
        .addOrderBy(`${ALIAS}.id`, 'DESC')
        .limit(BIN_PAGE_SIZE)
        .getRawMany<{
          id: number | string;
          name: string | null;
          deletedAt: string;
          deletedBy: string | null;
        }>();
      for (const row of rows)
        records.push({
          module: manifest.name,
          id: Number(row.id),
          name: row.name ?? '',
          deletedAt: String(row.deletedAt).slice(0, 19),
          deletedBy: row.deletedBy,
        });
    }
    records.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt) || b.id - a.id);
    return records.slice(0, BIN_PAGE_SIZE);
  }

  /** Returns the name of a binned record the user may handle, or throws NotFound. */
  async find(user: CurrentUser, moduleName: string, id: number): Promise<BinnedRecord> {
    const manifest = await this.handledModule(user, moduleName);
    const row = await this.binnedQuery(this.dataSource.manager, manifest, user)
      .select(`${ALIAS}.id`, 'id')
      .addSelect(recordNameSql(manifest, ALIAS), 'name')
      .addSelect(`${ALIAS}.${BIN_COLUMNS.deletedAt}`, 'deletedAt')
      .andWhere(`${ALIAS}.id = :id`, { id })
      .getRawOne<{ id: number | string; name: string | null; deletedAt: string }>();
    if (!row) throw new NotFoundException();
    return {
      module: moduleName,
      id,
      name: row.name ?? '',
      deletedAt: String(row.deletedAt).slice(0, 19),
      deletedBy: null,
    };
  }

  /**
   * Takes a record out of the bin with its links, which stayed in place. It is rejected while a record that
   * is not in the bin has its unique name, or while the user it is assigned to is inactive.
   */
  async restore(user: CurrentUser, moduleName: string, id: number): Promise<RestoreResult> {
    const manifest = await this.handledModule(user, moduleName);
    const result = await inTransaction(this.dataSource, async (manager): Promise<RestoreResult> => {
      const row = await this.binnedQuery(manager, manifest, user)
        .select(`${ALIAS}.*`)
        .andWhere(`${ALIAS}.id = :id`, { id })
        .getRawOne<Record<string, unknown>>();
      if (!row) throw new NotFoundException();

      const ownerProblem = await this.ownerProblem(manager, manifest, row);
      if (ownerProblem) return ownerProblem;

      const update: Record<string, string | null> = {
        [BIN_COLUMNS.deletedAt]: null,
        [BIN_COLUMNS.deletedBy]: null,
      };
      for (const field of manifest.fields.filter((candidate) => candidate.uniqueKey)) {
        const value = row[field.name];
        if (typeof value !== 'string') continue;
        const key = nameKey(value);
        const holder = await manager
          .createQueryBuilder()
          .select('live.id', 'id')
          .from(manifest.table, 'live')
          .where(`live.${field.name}_key = :key`, { key })
          .getRawOne<{ id: number | string }>();
        if (holder) return { ok: false, code: 'nameTaken', params: { value } };
        update[`${field.name}_key`] = key;
      }

      await manager
        .createQueryBuilder()
        .update(manifest.table)
        .set(update)
        .where('id = :id', { id })
        .execute();
      await this.events.emit(RecordRestoredEvent, new RecordRestoredEvent(manager, user, moduleName, id));
      return { ok: true, name: recordName(manifest, row) };
    });
    if (result.ok) this.logger.log(`Restored ${moduleName} ${id} from the recycle bin by user ${user.id}`);
    else this.logger.log(`Rejected the restore of ${moduleName} ${id} by user ${user.id}: ${result.code}`);
    return result;
  }

  /**
   * Deletes a binned record for good and returns its name. The `record.deleted` handlers run in the same
   * transaction and remove its many-to-many links and campaign memberships. Link fields of other records that
   * pointed to it are emptied by their foreign keys.
   */
  async purge(user: CurrentUser, moduleName: string, id: number): Promise<string> {
    const manifest = await this.handledModule(user, moduleName);
    const { deleted, name } = await inTransaction(this.dataSource, async (manager) => {
      const row = await this.binnedQuery(manager, manifest, user)
        .select(`${ALIAS}.id`, 'id')
        .addSelect(recordNameSql(manifest, ALIAS), 'name')
        .andWhere(`${ALIAS}.id = :id`, { id })
        .getRawOne<{ id: number | string; name: string | null }>();
      if (!row) throw new NotFoundException();
      return { deleted: await this.deleteRow(manager, user, manifest, id), name: row.name ?? '' };
    });
    await this.events.committed(RecordDeletedEvent, deleted);
    this.logger.log(`Purged ${moduleName} ${id} from the recycle bin by user ${user.id}`);
    return name;
  }

  /** Counts the binned records the user may handle, of one module or of all, including those past the page. */
  async count(user: CurrentUser, moduleName?: string): Promise<number> {
    const modules = (await this.modulesOf(user)).filter(
      (manifest) => moduleName === undefined || manifest.name === moduleName,
    );
    let total = 0;
    for (const manifest of modules) {
      const row = await this.binnedQuery(this.dataSource.manager, manifest, user)
        .select('COUNT(*)', 'total')
        .getRawOne<{ total: number | string }>();
      total += Number(row?.total ?? 0);
    }
    return total;
  }

  /**
   * Purges every binned record the user may handle, of one module or of all. Returns how many went and how
   * many could not, because a record outside the bin still needs them (a product on a quote's line).
   */
  async empty(user: CurrentUser, moduleName?: string): Promise<{ purged: number; failed: number }> {
    const modules = (await this.modulesOf(user)).filter(
      (manifest) => moduleName === undefined || manifest.name === moduleName,
    );
    let purged = 0;
    let failed = 0;
    for (const manifest of modules) {
      const rows = await this.binnedQuery(this.dataSource.manager, manifest, user)
        .select(`${ALIAS}.id`, 'id')
        .orderBy(`${ALIAS}.id`, 'ASC')
        .getRawMany<{ id: number | string }>();
      // One transaction per record, so that a record that cannot go fails alone.
      for (const { id } of rows) {
        try {
          const deleted = await inTransaction(this.dataSource, (manager) =>
            this.deleteRow(manager, user, manifest, Number(id)),
          );
          await this.events.committed(RecordDeletedEvent, deleted);
          purged++;
        } catch (error) {
          failed++;
          this.logger.warn(`Could not purge ${manifest.name} ${String(id)}: ${String(error)}`);
        }
      }
    }
    this.logger.log(`Emptied the recycle bin by user ${user.id}: ${purged} purged, ${failed} failed`);
    return { purged, failed };
  }

  /**
   * Deletes a record's row and runs the `record.deleted` handlers in the caller's transaction. Returns the
   * event, whose after-commit observers (a document's files) the caller runs once the transaction committed.
   */
  private async deleteRow(
    manager: EntityManager,
    user: CurrentUser,
    manifest: ModuleManifest,
    id: number,
  ): Promise<RecordDeletedEvent> {
    await manager.createQueryBuilder().delete().from(manifest.table).where('id = :id', { id }).execute();
    const deleted = new RecordDeletedEvent(manager, user, manifest.name, id);
    await this.events.emit(RecordDeletedEvent, deleted);
    return deleted;
  }

  /** A query on the module's binned records that the user may handle: all for an administrator, else their own. */
  private binnedQuery(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
  ): SelectQueryBuilder<ObjectLiteral> {
    const query = manager
      .createQueryBuilder()
      .from(manifest.table, ALIAS)
      .where(`${ALIAS}.${BIN_COLUMNS.deletedAt} IS NOT NULL`);
    if (!user.isAdmin) query.andWhere(`${ALIAS}.${BIN_COLUMNS.deletedBy} = :binUser`, { binUser: user.id });
    return query;
  }

  /** Returns an enabled module whose binned records the user may handle, or throws NotFound. */
  private async handledModule(user: CurrentUser, moduleName: string): Promise<ModuleManifest> {
    const manifest = (await this.modulesOf(user)).find((candidate) => candidate.name === moduleName);
    if (!manifest) throw new NotFoundException();
    return manifest;
  }

  /** Returns the rejection of a record assigned to a user who was deactivated while it was in the bin. */
  private async ownerProblem(
    manager: EntityManager,
    manifest: ModuleManifest,
    row: Record<string, unknown>,
  ): Promise<RestoreResult | undefined> {
    const owner = this.registry.ownerField(manifest.name);
    const ownerId = owner ? row[owner.name] : null;
    if (ownerId === null || ownerId === undefined) return undefined;
    const assignee = await manager.findOneBy(UserEntity, { id: Number(ownerId) });
    if (!assignee || assignee.isActive) return undefined;
    return { ok: false, code: 'ownerInactive', params: { value: assignee.fullName } };
  }
}
