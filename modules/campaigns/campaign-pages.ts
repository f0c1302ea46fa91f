import { Injectable, OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { DetailExtensions, DetailExtras } from '../../src/records/detail-extensions.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { formatMoney, Locale } from '../../src/records/values.js';
import { MEMBER_MODULES, MEMBER_STATUSES, MemberModule } from './campaign-members.js';
import { CampaignMembersService, MemberRow } from './campaign-members.service.js';
import { CampaignReturnService } from './campaign-return.service.js';

/** Members a section of the campaign page lists before its "show all" link. */
export const MEMBERS_SHOWN = 20;

/** The record columns a members list reads, besides the name, when the user's profile shows them. */
const MEMBER_COLUMNS: Record<MemberModule, { company: string; email: string }> = {
  leads: { company: 'company', email: 'email' },
  contacts: { company: 'account_id', email: 'email' },
};

/** Returns the label of a stored member status, or "Not contacted" for none. */
export function statusLabel(status: string | null, locale: Locale): string {
  const known = MEMBER_STATUSES.find((entry) => entry.value === status);
  if (known) return translate(locale, known.label);
  return status === null ? translate(locale, 'campaigns.members.statuses.none') : status;
}

/**
 * The view models of the campaign pages: the return figures and the members sections of a campaign, the
 * page of all its members, and the campaigns section of a lead's or contact's page.
 */
@Injectable()
export class CampaignPages implements OnModuleInit {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly members: CampaignMembersService,
    private readonly campaignReturn: CampaignReturnService,
    private readonly detailExtensions: DetailExtensions,
  ) {}

  onModuleInit(): void {
    for (const module of MEMBER_MODULES)
      this.detailExtensions.register(module, 'campaigns', (user, record, permissions) =>
        this.membershipsSection(user, module, record, permissions),
      );
  }

  /** Builds the return figures and the members sections of a campaign's detail page. */
  async campaignDetail(
    user: CurrentUser,
    campaign: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    const canEdit = await this.canEditMembers(user, campaign.id, permissions);
    const sections = [];
    const counts: Partial<Record<MemberModule, number>> = {};
    for (const module of MEMBER_MODULES) {
      if (!permissions.can(module, 'view')) continue;
      const model = await this.membersModel(user, campaign.id, module, permissions, canEdit, {
        limit: MEMBERS_SHOWN,
      });
      counts[module] = model.visible;
      sections.push({ partial: 'campaigns-members', model });
    }
    return {
      detailSections: [
        { partial: 'campaigns-return', model: await this.returnModel(user, campaign, counts, permissions) },
        ...sections,
      ],
    };
  }

  /** Tells whether the user may change the campaign's members: edit it by profile and by sharing scope. */
  async canEditMembers(
    user: CurrentUser,
    campaignId: number,
    permissions: UserPermissions,
  ): Promise<boolean> {
    return (
      permissions.can('campaigns', 'edit') &&
      (await this.records.scopeAllows('campaigns', user, campaignId, 'write'))
    );
  }

  /** Builds one members list: the rows of a page, the count of members out of reach, and the forms. */
  async membersModel(
    user: CurrentUser,
    campaignId: number,
    module: MemberModule,
    permissions: UserPermissions,
    canEdit: boolean,
    page: { limit: number; offset?: number; all?: boolean },
  ) {
    const locale = user.locale;
    const visibleField = (name: string) => {
      const field = this.registry.field(module, name);
      return field && !field.custom && !permissions.isHidden(module, field) ? field : undefined;
    };
    const company = visibleField(MEMBER_COLUMNS[module].company);
    const email = visibleField(MEMBER_COLUMNS[module].email);
    const columns = ['first_name', 'last_name', company?.name, email?.name].filter((name): name is string =>
      Boolean(name),
    );
    const result = await this.members.members(user, campaignId, module, columns, page);
    const companyNames =
      company?.type === 'link' ? await this.linkedNames(module, company.name, result.rows, user) : undefined;
    const base = `/campaigns/${campaignId}/members`;

    return {
      module,
      anchor: `campaign-${module}`,
      heading: translate(locale, `campaigns.return.members.${module}`),
      visible: result.visible,
      hiddenText:
        result.hidden > 0
          ? translate(locale, 'campaigns.members.hidden', { count: result.hidden })
          : undefined,
      companyLabel: company ? translate(locale, company.label) : undefined,
      emailLabel: email ? translate(locale, email.label) : undefined,
      canEdit,
      addHref: canEdit ? `${base}/${module}/add` : undefined,
      addLabel: translate(locale, `campaigns.members.add.${module}`),
      showAllHref: !page.all && result.visible > result.rows.length ? `${base}/${module}` : undefined,
      returnTo: page.all ? 'all' : 'detail',
      rows: result.rows.map((row) => {
        const name = [textOf(row.values.first_name), textOf(row.values.last_name)].filter(Boolean).join(' ');
        const companyValue = company ? row.values[company.name] : null;
        const linkedId = company?.type === 'link' ? numberOrNull(companyValue) : null;
        const linked = linkedId === null ? undefined : companyNames?.get(linkedId);
        return {
          name: name || `#${row.recordId}`,
          href: `/${module}/${row.recordId}`,
          company: linked ? linked.name : textOf(companyValue),
          companyHref: linked?.openable ? `/${company!.link}/${linkedId}` : undefined,
          email: email ? textOf(row.values[email.name]) : '',
          statusText: statusLabel(row.status, locale),
          statusAction: `${base}/${row.memberId}/status`,
          removeAction: `${base}/${row.memberId}/remove`,
          statusId: `member-status-${row.memberId}`,
          statusOptions: [
            { value: '', label: statusLabel(null, locale), selected: row.status === null },
            ...MEMBER_STATUSES.map((status) => ({
              value: status.value,
              label: translate(locale, status.label),
              selected: status.value === row.status,
            })),
          ],
        };
      }),
    };
  }

  /** Looks up the names of the records a link column of the members points to, and which the user may open. */
  private async linkedNames(module: MemberModule, fieldName: string, rows: MemberRow[], user: CurrentUser) {
    const manifest = this.registry.get(module);
    const field = this.registry.field(module, fieldName)!;
    const records = rows.map((row) => ({
      id: row.recordId,
      values: { [fieldName]: numberOrNull(row.values[fieldName]) },
    }));
    return (await this.records.linkNames(manifest, records, user)).get(field.link!);
  }

  /** Builds the return figures, each linked to the list that shows its records where a list can filter them. */
  private async returnModel(
    user: CurrentUser,
    campaign: StoredRecord,
    counts: Partial<Record<MemberModule, number>>,
    permissions: UserPermissions,
  ) {
    const locale = user.locale;
    const figures = await this.campaignReturn.figures(user, campaign.id);
    const potentialsList = `/potentials?campaign_id=${campaign.id}`;
    const wonList = `${potentialsList}${figures.wonStages.map((stage) => `&sales_stage=${encodeURIComponent(stage)}`).join('')}`;
    const canViewPotentials = permissions.can('potentials', 'view');
    const expectedField = this.registry.field('campaigns', 'expected_revenue');
    const expected = campaign.values.expected_revenue;
    const showExpected = expectedField && !permissions.isHidden('campaigns', expectedField);
    const rows = [
      ...MEMBER_MODULES.filter((module) => counts[module] !== undefined).map((module) => ({
        label: translate(locale, `campaigns.return.members.${module}`),
        value: String(counts[module]),
        href: `#campaign-${module}`,
      })),
      { label: translate(locale, 'campaigns.return.convertedLeads'), value: String(figures.convertedLeads) },
      {
        label: translate(locale, 'campaigns.return.leadsWithPotential'),
        value: String(figures.leadsWithPotential),
      },
      {
        label: translate(locale, 'campaigns.return.wonFromLeads'),
        value: formatMoney(figures.wonFromLeads.amount, locale),
        note: translate(locale, 'campaigns.return.potentialCount', { count: figures.wonFromLeads.count }),
      },
      {
        label: translate(locale, 'campaigns.return.potentials'),
        value: String(figures.potentials),
        href: canViewPotentials ? potentialsList : undefined,
      },
      {
        label: translate(locale, 'campaigns.return.won'),
        value: formatMoney(figures.won.amount, locale),
        note: translate(locale, 'campaigns.return.potentialCount', { count: figures.won.count }),
        href: canViewPotentials && figures.wonStages.length > 0 ? wonList : undefined,
      },
    ];
    if (showExpected)
      rows.push({
        label: translate(locale, expectedField.label),
        value: expected instanceof Decimal ? formatMoney(expected, locale) : '',
      });
    return { rows, rule: translate(locale, 'campaigns.return.rule') };
  }

  /** Builds the campaigns section of a lead's or contact's detail page. */
  private async membershipsSection(
    user: CurrentUser,
    module: MemberModule,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    if (!permissions.can('campaigns', 'view')) return {};
    const locale = user.locale;
    const { campaigns, hidden } = await this.members.memberships(user, module, record.id);
    const model = {
      heading: translate(locale, 'campaigns.plural'),
      campaigns: campaigns.map((campaign) => ({
        name: campaign.campaignName,
        href: `/campaigns/${campaign.campaignId}`,
        status: statusLabel(campaign.status, locale),
      })),
      hiddenText:
        hidden > 0 ? translate(locale, 'campaigns.members.hiddenCampaigns', { count: hidden }) : undefined,
      note: module === 'leads' ? translate(locale, 'campaigns.members.conversionNote') : undefined,
    };
    return { detailSections: [{ partial: 'campaigns-memberships', model }] };
  }
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Returns a raw column value as text: a string or a number as it is, anything else as ''. */
function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
