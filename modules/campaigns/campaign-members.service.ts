import { Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { inTransaction } from '../../src/database/transaction.js';
import { EventBus } from '../../src/events/event-bus.js';
import { CONVERSION_ORDER, LeadConvertedEvent } from '../../src/events/lead-converted.event.js';
import { RecordDeletedEvent, RecordsSavedEvent } from '../../src/events/record-changes.event.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordsService } from '../../src/records/records.service.js';
import { utcNow } from '../../src/records/values.js';
import { CampaignMember, CampaignMemberEntity } from './campaign-member.entity.js';
import { memberModuleOf, MemberModule } from './campaign-members.js';

/** One member as the campaign page lists it: the columns of its record that the member lists show. */
export interface MemberRow {
  memberId: number;
  recordId: number;
  status: string | null;
  values: Record<string, unknown>;
}

/** A page of a campaign's members of one module that the user may see, and how many others they may not. */
export interface MemberPage {
  rows: MemberRow[];
  visible: number;
  hidden: number;
}

/** A campaign a record belongs to, as the record's page lists it. */
export interface Membership {
  campaignId: number;
  campaignName: string;
  status: string | null;
}

/** Rows of one multi-row INSERT of members. */
const INSERT_CHUNK = 500;

/**
 * The leads and contacts of each campaign. Members are listed and changed through the access scope: a user
 * sees the members whose records they may see, and changes them when they may edit the campaign.
 */
@Injectable()
export class CampaignMembersService implements OnModuleInit {
  private readonly logger = new Logger(CampaignMembersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.events.on(RecordsSavedEvent, (event) => this.joinCampaignSource(event), {
      order: 10,
      owner: 'campaigns',
    });
    this.events.on(RecordDeletedEvent, (event) => this.forgetDeletedRecord(event), {
      order: 10,
      owner: 'campaigns',
    });
    this.events.on(LeadConvertedEvent, (event) => this.moveToContact(event), {
      order: CONVERSION_ORDER.related,
      owner: 'campaigns',
    });
  }

  /**
   * Lists the campaign's members of a module whose records the user may see, by name, with the record
   * columns given. `hidden` counts the members whose records exist but are out of the user's scope.
   */
  async members(
    user: CurrentUser,
    campaignId: number,
    module: MemberModule,
    columns: string[],
    page: { limit: number; offset?: number },
  ): Promise<MemberPage> {
    const query = this.records.visibleQuery(this.registry.get(module), user, undefined, 'none');
    const alias = query.alias;
    query.innerJoin(
      'campaign_members',
      'm',
      `m.record_id = ${alias}.id AND m.module = :memberModule AND m.campaign_id = :memberCampaign`,
      { memberModule: module, memberCampaign: campaignId },
    );
    const counted = await query.clone().select('COUNT(*)', 'count').getRawOne<{ count: number | string }>();
    const visible = Number(counted?.count ?? 0);

    query.select('m.id', 'memberId').addSelect(`${alias}.id`, 'recordId').addSelect('m.status', 'status');
    for (const column of columns) query.addSelect(`${alias}.${column}`, column);
    const rows = await query
      .orderBy(`${alias}.last_name`, 'ASC')
      .addOrderBy(`${alias}.first_name`, 'ASC')
      .addOrderBy(`${alias}.id`, 'ASC')
      .offset(page.offset ?? 0)
      .limit(page.limit)
      .getRawMany<Record<string, unknown>>();

    return {
      rows: rows.map((row) => ({
        memberId: Number(row.memberId),
        recordId: Number(row.recordId),
        status: (row.status as string | null) ?? null,
        values: row,
      })),
      visible,
      hidden: (await this.countExisting(campaignId, module)) - visible,
    };
  }

  /** Counts the campaign's members of a module whose records exist outside the recycle bin, visible or not. */
  private async countExisting(campaignId: number, module: MemberModule): Promise<number> {
    const row = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from('campaign_members', 'm')
      .innerJoin(this.registry.get(module).table, 'r', 'r.id = m.record_id AND r.deleted_at IS NULL')
      .where('m.campaign_id = :campaignId AND m.module = :module', { campaignId, module })
      .getRawOne<{ count: number | string }>();
    return Number(row?.count ?? 0);
  }

  /**
   * Lists the campaigns the user may see that a record belongs to, by name, and counts the others it
   * belongs to.
   */
  async memberships(
    user: CurrentUser,
    module: MemberModule,
    recordId: number,
  ): Promise<{ campaigns: Membership[]; hidden: number }> {
    const query = this.records.visibleQuery(this.registry.get('campaigns'), user, undefined, 'none');
    const alias = query.alias;
    const rows = await query
      .innerJoin(
        'campaign_members',
        'm',
        `m.campaign_id = ${alias}.id AND m.module = :memberModule AND m.record_id = :memberRecord`,
        { memberModule: module, memberRecord: recordId },
      )
      .select(`${alias}.id`, 'campaignId')
      .addSelect(`${alias}.campaign_name`, 'campaignName')
      .addSelect('m.status', 'status')
      .orderBy(`${alias}.campaign_name`, 'ASC')
      .addOrderBy(`${alias}.id`, 'ASC')
      .getRawMany<{ campaignId: number | string; campaignName: string; status: string | null }>();
    const total = await this.dataSource.getRepository(CampaignMemberEntity).countBy({ module, recordId });
    return {
      campaigns: rows.map((row) => ({
        campaignId: Number(row.campaignId),
        campaignName: row.campaignName,
        status: row.status ?? null,
      })),
      hidden: total - rows.length,
    };
  }

  /**
   * Adds records the user may see to a campaign they may edit, and returns how many were not members yet.
   * When one of the records is not found or out of the user's scope, nothing is added and the result is
   * `undefined`.
   */
  async add(
    user: CurrentUser,
    campaignId: number,
    module: MemberModule,
    recordIds: number[],
  ): Promise<number | undefined> {
    await this.permissions.require(user, 'campaigns', 'edit');
    await this.permissions.require(user, module, 'view');
    const ids = [...new Set(recordIds)];

    const added = await inTransaction(this.dataSource, async (manager) => {
      await this.records.findChangeable('campaigns', user, campaignId, 'write', manager);
      const query = this.records.visibleQuery(this.registry.get(module), user, manager, 'none');
      const found = await query
        .select(`${query.alias}.id`, 'id')
        .andWhere(`${query.alias}.id IN (:...addedIds)`, { addedIds: ids })
        .getRawMany<{ id: number | string }>();
      if (found.length !== ids.length) return undefined;
      return this.insertMissing(manager, campaignId, module, ids, user.id);
    });
    if (added !== undefined)
      this.logger.log(`Added ${added} ${module} to campaign ${campaignId} by user ${user.id}`);
    return added;
  }

  /** Removes a member the user may see from a campaign they may edit, and returns the member's module. */
  async remove(user: CurrentUser, campaignId: number, memberId: number): Promise<MemberModule> {
    await this.permissions.require(user, 'campaigns', 'edit');
    const module = await inTransaction(this.dataSource, async (manager) => {
      await this.records.findChangeable('campaigns', user, campaignId, 'write', manager);
      const member = await this.findVisibleMember(manager, user, campaignId, memberId);
      await manager.delete(CampaignMemberEntity, { id: member.id });
      return member.module;
    });
    this.logger.log(`Removed member ${memberId} from campaign ${campaignId} by user ${user.id}`);
    return module;
  }

  /**
   * Sets the status of a member the user may see, of a campaign they may edit, and returns the member's
   * module. A null status is "not contacted".
   */
  async setStatus(
    user: CurrentUser,
    campaignId: number,
    memberId: number,
    status: string | null,
  ): Promise<MemberModule> {
    await this.permissions.require(user, 'campaigns', 'edit');
    return inTransaction(this.dataSource, async (manager) => {
      await this.records.findChangeable('campaigns', user, campaignId, 'write', manager);
      const member = await this.findVisibleMember(manager, user, campaignId, memberId);
      await manager.update(CampaignMemberEntity, { id: member.id }, { status });
      return member.module;
    });
  }

  /** Finds a member of the campaign whose record the user may see, or throws NotFound as for no member. */
  private async findVisibleMember(
    manager: EntityManager,
    user: CurrentUser,
    campaignId: number,
    memberId: number,
  ): Promise<CampaignMember & { module: MemberModule }> {
    const member = await manager.findOneBy(CampaignMemberEntity, { id: memberId, campaignId });
    const module = member ? memberModuleOf(member.module) : undefined;
    if (!member || !module) throw new NotFoundException();
    if (!(await this.permissions.forUser(user)).can(module, 'view')) throw new NotFoundException();
    await this.records.findVisible(module, user, member.recordId, manager);
    return { ...member, module };
  }

  /** Returns which of the given records are members of the campaign. */
  async memberIds(
    campaignId: number,
    module: MemberModule,
    recordIds: number[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Set<number>> {
    if (recordIds.length === 0) return new Set();
    const rows = await manager
      .createQueryBuilder()
      .select('m.record_id', 'recordId')
      .from('campaign_members', 'm')
      .where('m.campaign_id = :campaignId AND m.module = :module', { campaignId, module })
      .andWhere('m.record_id IN (:...recordIds)', { recordIds })
      .getRawMany<{ recordId: number | string }>();
    return new Set(rows.map((row) => Number(row.recordId)));
  }

  /** Adds the records that are not yet members of the campaign, without a status, and returns how many. */
  private async insertMissing(
    manager: EntityManager,
    campaignId: number,
    module: MemberModule,
    recordIds: number[],
    addedById: number,
  ): Promise<number> {
    const members = await this.memberIds(campaignId, module, recordIds, manager);
    const missing = recordIds.filter((id) => !members.has(id));

    const addedAt = utcNow();
    for (let start = 0; start < missing.length; start += INSERT_CHUNK) {
      const rows = missing
        .slice(start, start + INSERT_CHUNK)
        .map((recordId) => ({ campaignId, module, recordId, status: null, addedAt, addedById }));
      await manager.createQueryBuilder().insert().into(CampaignMemberEntity).values(rows).execute();
    }
    return missing.length;
  }

  /**
   * Makes each saved lead a member of its Campaign Source when that field was set or changed. A lead keeps
   * the campaigns it already belonged to when its Campaign Source changes.
   */
  private async joinCampaignSource(event: RecordsSavedEvent): Promise<void> {
    if (event.moduleName !== 'leads') return;
    const leadsByCampaign = new Map<number, number[]>();
    for (const record of event.records) {
      const campaignId = record.values.campaign_id;
      if (typeof campaignId !== 'number' || record.previous?.campaign_id === campaignId) continue;
      leadsByCampaign.set(campaignId, [...(leadsByCampaign.get(campaignId) ?? []), record.id]);
    }
    for (const [campaignId, leadIds] of leadsByCampaign)
      await this.insertMissing(event.manager, campaignId, 'leads', leadIds, event.user.id);
  }

  /** Removes a deleted lead or contact from its campaigns. A deleted campaign's members go by foreign key. */
  private async forgetDeletedRecord(event: RecordDeletedEvent): Promise<void> {
    const module = memberModuleOf(event.moduleName);
    if (!module) return;
    await event.manager.delete(CampaignMemberEntity, { module, recordId: event.id });
  }

  /**
   * Moves a converted lead's memberships to the contact the conversion created or chose, with their status.
   * Where the contact is already a member, it keeps its own status unless it has none. A conversion without
   * a contact leaves the memberships on the lead.
   */
  private async moveToContact(event: LeadConvertedEvent): Promise<void> {
    const contactId = event.contactId;
    if (contactId === null) return;
    const { manager } = event;
    const leadMemberships = await manager.findBy(CampaignMemberEntity, {
      module: 'leads',
      recordId: event.leadId,
    });

    for (const membership of leadMemberships) {
      const contactMembership = await manager.findOneBy(CampaignMemberEntity, {
        campaignId: membership.campaignId,
        module: 'contacts',
        recordId: contactId,
      });
      if (!contactMembership) {
        await manager.update(
          CampaignMemberEntity,
          { id: membership.id },
          { module: 'contacts', recordId: contactId },
        );
        continue;
      }
      if (contactMembership.status === null && membership.status !== null)
        await manager.update(
          CampaignMemberEntity,
          { id: contactMembership.id },
          { status: membership.status },
        );
      await manager.delete(CampaignMemberEntity, { id: membership.id });
    }
    if (leadMemberships.length > 0)
      this.logger.log(
        `Moved ${leadMemberships.length} campaign memberships of lead ${event.leadId} to contact ${contactId}`,
      );
  }
}
