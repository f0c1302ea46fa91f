import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccessScope } from '../access/access-scope.service.js';
import type { CurrentUser } from '../access/current-user.js';
import { RecordAssignmentEntity } from '../access/record-assignment.entity.js';
import { SharingRuleEntity } from '../access/sharing-rule.entity.js';
import { inTransaction } from '../database/transaction.js';
import { groupOwner } from '../records/field-codec.js';
import { OWNER_GROUP_COLUMN } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { FieldErrors } from '../records/record-validation.js';
import { nameKey } from '../records/records.service.js';
import { utcNow } from '../records/values.js';
import { Owner, RecordTransferService } from '../users/record-transfer.service.js';
import { UserEntity } from '../users/user.entity.js';
import { Group, GroupEntity, GroupMemberEntity } from './group.entity.js';

export interface GroupInput {
  name?: string;
  description?: string;
  /** Ids of the members, as the form's checkboxes send them. */
  memberIds?: string[];
}

export interface GroupSummary extends Group {
  memberCount: number;
}

export type GroupSaveResult = { ok: true; group: Group } | { ok: false; errors: FieldErrors };
export type GroupDeleteResult =
  | { ok: true; moved: { module: string; count: number }[] }
  | { ok: false; code: 'transferRequired' | 'targetMissing' | 'targetInactive' | 'sameUser' };

const MAX_NAME_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 255;

/** Groups of users, which records can be assigned to, and their members. */
@Injectable()
export class GroupsService {
  private readonly logger = new Logger(GroupsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessScope,
    private readonly registry: ModuleRegistry,
    private readonly transfers: RecordTransferService,
  ) {}

  /** Lists every group by name, for pickers and filters. */
  all(): Promise<Group[]> {
    return this.dataSource.getRepository(GroupEntity).find({ order: { name: 'ASC' } });
  }

  /** Lists every group by name, with its number of members. */
  async list(): Promise<GroupSummary[]> {
    const groups = await this.all();
    const counts = await this.dataSource
      .getRepository(GroupMemberEntity)
      .createQueryBuilder('m')
      .select('m.groupId', 'groupId')
      .addSelect('COUNT(*)', 'count')
      .groupBy('m.groupId')
      .getRawMany<{ groupId: number; count: number | string }>();
    const countOf = new Map(counts.map((row) => [Number(row.groupId), Number(row.count)]));
    return groups.map((group) => ({ ...group, memberCount: countOf.get(group.id) ?? 0 }));
  }

  async get(id: number): Promise<Group> {
    const group = Number.isSafeInteger(id)
      ? await this.dataSource.getRepository(GroupEntity).findOneBy({ id })
      : null;
    if (!group) throw new NotFoundException();
    return group;
  }

  async memberIds(groupId: number): Promise<number[]> {
    const rows = await this.dataSource.getRepository(GroupMemberEntity).findBy({ groupId });
    return rows.map((row) => row.userId);
  }

  /** Lists the groups a user may assign records to, by name, for assignment pickers. */
  listAssignable(user: CurrentUser): Promise<Group[]> {
    const query = this.dataSource.getRepository(GroupEntity).createQueryBuilder('g');
    this.access.restrictAssignableGroups(query, 'g', user);
    return query.orderBy('g.name', 'ASC').getMany();
  }

  /** Counts the records of every module assigned to the group, visible to the user or not. */
  async recordCount(groupId: number, manager: EntityManager = this.dataSource.manager): Promise<number> {
    let total = 0;
    for (const manifest of this.registry.all()) {
      if (!this.registry.ownerField(manifest.name)) continue;
      const row = await manager
        .createQueryBuilder()
        .select('COUNT(*)', 'count')
        .from(manifest.table, 'r')
        .where(`r.${OWNER_GROUP_COLUMN} = :groupId`, { groupId })
        .getRawOne<{ count: number | string }>();
      total += Number(row?.count ?? 0);
    }
    return total;
  }

  /**
   * Creates (id null) or updates a group with its members. The name is required and unique without regard
   * to case; members are existing users. Members who are deactivated stay members.
   */
  async save(id: number | null, input: GroupInput): Promise<GroupSaveResult> {
    const existing = id === null ? null : await this.get(id);
    const name = (input.name ?? '').trim().replace(/\s+/g, ' ');
    const description = (input.description ?? '').trim();
    const errors: FieldErrors = {};

    if (name === '') errors.name = { code: 'required' };
    else if (name.length > MAX_NAME_LENGTH)
      errors.name = { code: 'tooLong', params: { maxLength: MAX_NAME_LENGTH } };
    if (description.length > MAX_DESCRIPTION_LENGTH)
      errors.description = { code: 'tooLong', params: { maxLength: MAX_DESCRIPTION_LENGTH } };

    const requested = [...new Set(input.memberIds ?? [])];
    const memberIds = requested.filter((value) => /^\d{1,10}$/.test(value)).map(Number);
    const found =
      memberIds.length === 0
        ? []
        : await this.dataSource.getRepository(UserEntity).findBy({ id: In(memberIds) });
    if (memberIds.length < requested.length || found.length < memberIds.length)
      errors.memberIds = { code: 'memberNotFound' };

    return inTransaction(this.dataSource, async (manager) => {
      const clash = name === '' ? null : await manager.findOneBy(GroupEntity, { nameKey: nameKey(name) });
      if (clash && clash.id !== id) errors.name = { code: 'notUnique', params: { value: name } };
      if (Object.keys(errors).length > 0) return { ok: false, errors } as const;

      const now = utcNow();
      const group = await manager.save(GroupEntity, {
        ...(existing ?? { createdAt: now }),
        name,
        nameKey: nameKey(name),
        description,
        updatedAt: now,
      });
      await manager.delete(GroupMemberEntity, { groupId: group.id });
      if (memberIds.length > 0)
        await manager.insert(
          GroupMemberEntity,
          memberIds.map((userId) => ({ groupId: group.id, userId })),
        );
      this.logger.log(`Saved group ${group.id} with ${memberIds.length} members`);
      return { ok: true, group } as const;
    });
  }

  /**
   * Deletes a group after moving its records to the chosen user or group in the same transaction. A group
   * that still has records is not deleted without a target. Sharing rules naming the group go with it.
   */
  async remove(admin: CurrentUser, id: number, transferTo: Owner | undefined): Promise<GroupDeleteResult> {
    const group = await this.get(id);
    const result = await inTransaction(this.dataSource, async (manager) => {
      let moved: { module: string; count: number }[] = [];
      if (transferTo !== undefined) {
        const problem = await this.transfers.checkTarget(manager, groupOwner(id), transferTo);
        if (problem) return problem;
        moved = await this.transfers.moveWithin(manager, admin, groupOwner(id), transferTo);
      } else if ((await this.recordCount(id, manager)) > 0) {
        return 'transferRequired' as const;
      }
      await manager.update(RecordAssignmentEntity, { fromGroupId: id }, { fromGroupName: group.name });
      await manager.update(RecordAssignmentEntity, { toGroupId: id }, { toGroupName: group.name });
      await manager.delete(SharingRuleEntity, { sourceGroupId: id });
      await manager.delete(SharingRuleEntity, { targetGroupId: id });
      await manager.delete(GroupEntity, { id });
      return moved;
    });
    if (!Array.isArray(result)) return { ok: false, code: result };
    this.logger.log(`Deleted group ${id} by user ${admin.id}`);
    return { ok: true, moved: result };
  }
}
