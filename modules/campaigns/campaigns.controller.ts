import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { DetailExtras } from '../../src/records/detail-extensions.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordIdPipe } from '../../src/records/record-id.pipe.js';
import { RecordPagesController } from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { setFlash } from '../../src/web/flash.js';
import { memberModuleOf, MemberModule, memberStatusOf } from './campaign-members.js';
import { CampaignMembersService } from './campaign-members.service.js';
import { CampaignPages } from './campaign-pages.js';

/** Members the page of all members lists a page at a time. */
const MEMBERS_PAGE_SIZE = 100;
/** Records the add page offers a search at a time. */
const CANDIDATES_SHOWN = 50;

@Controller('campaigns')
export class CampaignsController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
    private readonly members: CampaignMembersService,
    private readonly pages: CampaignPages,
  ) {
    super('campaigns', registry, records, views, picklists, users, permissions);
  }

  protected override extraDetailModel(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    return this.pages.campaignDetail(user, record, permissions);
  }

  /** Lists every member of one module that the user may see, a page at a time. */
  @Get(':id/members/:module')
  async membersPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('module') moduleName: string,
    @Query('page') pageParam: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const module = this.memberModule(moduleName);
    const permissions = await this.permissions.require(user, 'campaigns', 'view');
    permissions.require(module, 'view');
    const campaign = await this.records.findVisible('campaigns', user, id);
    const page =
      typeof pageParam === 'string' && /^\d{1,6}$/.test(pageParam) ? Math.max(1, Number(pageParam)) : 1;
    const canEdit = await this.pages.canEditMembers(user, id, permissions);
    const model = await this.pages.membersModel(user, id, module, permissions, canEdit, {
      limit: MEMBERS_PAGE_SIZE,
      offset: (page - 1) * MEMBERS_PAGE_SIZE,
      all: true,
    });
    const pageCount = Math.max(1, Math.ceil(model.visible / MEMBERS_PAGE_SIZE));
    const base = `/campaigns/${id}/members/${module}`;
    // A bookmark of a page that no longer exists, after members were removed, shows the first page.
    if (page > pageCount) return response.redirect(303, base);
    response.render('campaigns/views/members', {
      titleText: `${model.heading} · ${String(campaign.values.campaign_name ?? '')}`,
      campaignName: String(campaign.values.campaign_name ?? ''),
      campaignHref: `/campaigns/${id}`,
      moduleLabel: translate(user.locale, 'campaigns.plural'),
      model,
      page,
      pageCount,
      paged: pageCount > 1,
      previousHref: page > 1 ? `${base}?page=${page - 1}` : undefined,
      nextHref: page < pageCount ? `${base}?page=${page + 1}` : undefined,
    });
  }

  /** Offers the visible records of a module that match a search, to tick and add to the campaign. */
  @Get(':id/members/:module/add')
  async addPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('module') moduleName: string,
    @Query('q') search: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const module = this.memberModule(moduleName);
    await this.requireMemberChange(user, id, module);
    await this.renderAddPage(response, user, id, module, typeof search === 'string' ? search : '', []);
  }

  @Post(':id/members/:module')
  async add(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('module') moduleName: string,
    @Body() body: { record_ids?: unknown; q?: unknown },
    @Res() response: Response,
  ): Promise<void> {
    const module = this.memberModule(moduleName);
    const search = typeof body.q === 'string' ? body.q : '';
    const ticked = (Array.isArray(body.record_ids) ? body.record_ids : [body.record_ids]).filter(
      (value): value is string => typeof value === 'string' && /^\d{1,10}$/.test(value),
    );
    await this.requireMemberChange(user, id, module);
    if (ticked.length === 0)
      return this.renderAddPage(response.status(422), user, id, module, search, [
        'campaigns.members.add.noneTicked',
      ]);

    const added = await this.members.add(user, id, module, ticked.map(Number));
    if (added === undefined)
      return this.renderAddPage(response.status(422), user, id, module, search, [
        'campaigns.members.add.notFound',
      ]);
    setFlash(response, 'campaigns.members.added', { count: added });
    response.redirect(303, `/campaigns/${id}#campaign-${module}`);
  }

  @Post(':id/members/:memberId/status')
  async setStatus(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('memberId', RecordIdPipe) memberId: number,
    @Body() body: { status?: unknown; return_to?: unknown },
    @Res() response: Response,
  ): Promise<void> {
    const status = memberStatusOf(body.status);
    // The select offers the known statuses only, so another value comes from no form of this app.
    if (status === undefined) throw new BadRequestException();
    const module = await this.members.setStatus(user, id, memberId, status);
    setFlash(response, 'campaigns.members.statusSaved');
    response.redirect(303, this.returnHref(id, module, body.return_to));
  }

  @Post(':id/members/:memberId/remove')
  async remove(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('memberId', RecordIdPipe) memberId: number,
    @Body() body: { return_to?: unknown },
    @Res() response: Response,
  ): Promise<void> {
    const module = await this.members.remove(user, id, memberId);
    setFlash(response, 'campaigns.members.removed');
    response.redirect(303, this.returnHref(id, module, body.return_to));
  }

  private memberModule(name: string): MemberModule {
    const module = memberModuleOf(name);
    if (!module) throw new NotFoundException();
    return module;
  }

  /** Checks, before any change, that the user may edit the campaign and see the module's records. */
  private async requireMemberChange(user: CurrentUser, id: number, module: MemberModule): Promise<void> {
    const permissions = await this.permissions.require(user, 'campaigns', 'edit');
    permissions.require(module, 'view');
    await this.records.findChangeable('campaigns', user, id, 'write');
  }

  /** Returns to the page of all members when the form was there, else to the campaign's members section. */
  private returnHref(id: number, module: MemberModule, returnTo: unknown): string {
    return returnTo === 'all' ? `/campaigns/${id}/members/${module}` : `/campaigns/${id}#campaign-${module}`;
  }

  private async renderAddPage(
    response: Response,
    user: CurrentUser,
    id: number,
    module: MemberModule,
    search: string,
    errors: string[],
  ): Promise<void> {
    const locale = user.locale;
    const campaign = await this.records.findVisible('campaigns', user, id);
    const result = search.trim()
      ? await this.records.list(module, user, { search, filters: {}, pageSize: CANDIDATES_SHOWN })
      : undefined;
    const members = result
      ? await this.members.memberIds(
          id,
          module,
          result.records.map((record) => record.id),
        )
      : new Set<number>();
    const manifest = this.registry.get(module);
    response.render('campaigns/views/add-members', {
      titleText: translate(locale, `campaigns.members.add.${module}`),
      heading: translate(locale, `campaigns.members.add.${module}`),
      campaignName: String(campaign.values.campaign_name ?? ''),
      campaignHref: `/campaigns/${id}`,
      moduleLabel: translate(locale, 'campaigns.plural'),
      module,
      action: `/campaigns/${id}/members/${module}`,
      search,
      searched: result !== undefined,
      errorSummary: errors.map((key) => ({
        name: 'records',
        label: translate(locale, manifest.label),
        error: translate(locale, key),
      })),
      total: result?.total ?? 0,
      more: result !== undefined && result.total > result.records.length,
      candidates: (result?.records ?? []).map((record) => ({
        id: record.id,
        name:
          [record.values.first_name, record.values.last_name].filter(Boolean).join(' ') || `#${record.id}`,
        href: `/${module}/${record.id}`,
        detail: this.candidateDetail(module, record, result!.names),
        email: typeof record.values.email === 'string' ? record.values.email : '',
        member: members.has(record.id),
      })),
    });
  }

  /** Returns the company of a lead, or the account name of a contact, for the add page's rows. */
  private candidateDetail(
    module: MemberModule,
    record: StoredRecord,
    names: Awaited<ReturnType<RecordsService['linkNames']>>,
  ): string {
    if (module === 'leads') return typeof record.values.company === 'string' ? record.values.company : '';
    const accountId = record.values.account_id;
    return typeof accountId === 'number' ? (names.get('accounts')?.get(accountId)?.name ?? '') : '';
  }
}
