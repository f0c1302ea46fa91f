import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordIdPipe } from '../../src/records/record-id.pipe.js';
import { DetailExtras, RecordPagesController } from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { formatDateTime } from '../../src/records/values.js';
import { UsersService } from '../../src/users/users.service.js';
import { MAPPING_PATH } from './lead-field-mapping.pages.js';
import { setFlash } from '../../src/web/flash.js';
import { LeadConversionPage } from './lead-conversion.page.js';
import { LeadConversionService } from './lead-conversion.service.js';

/** The lead fields that link to the records a converted lead became. */
const CONVERTED_LINKS = ['converted_account_id', 'converted_contact_id', 'converted_potential_id'];

@Controller('leads')
export class LeadsController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
    private readonly conversion: LeadConversionService,
    private readonly conversionPage: LeadConversionPage,
  ) {
    super('leads', registry, records, views, picklists, users, permissions);
  }

  /** Links the list to the conversion mapping editor for the users who may use the Layout Editor. */
  protected override async extraListModel(user: CurrentUser): Promise<Record<string, unknown>> {
    if (!(await this.permissions.mayAdminister(user, 'layout'))) return {};
    return { moduleLinks: [{ href: MAPPING_PATH, label: translate(user.locale, 'leadMapping.title') }] };
  }

  @Get(':id/convert')
  async convertPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const start = await this.conversion.start(user, id);
    response.render('leads/views/convert', await this.conversionPage.model(user, start));
  }

  @Post(':id/convert')
  async convert(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const outcome = await this.conversion.convert(user, id, body);
    if (!outcome.ok) {
      const start = await this.conversion.start(user, id);
      const model = await this.conversionPage.model(user, start, outcome.form, outcome.errors);
      response.status(422).render('leads/views/convert', model);
      return;
    }
    setFlash(response, 'leads.convert.done');
    response.redirect(303, `/leads/${id}`);
  }

  /** Adds the Convert button to a lead the user may convert, and the notice of what a converted lead became. */
  protected override async extraDetailModel(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    const locale = user.locale;
    const convertedAt = record.values.converted_at;
    if (typeof convertedAt !== 'string') {
      const mayConvert =
        permissions.can('leads', 'edit') &&
        (permissions.can('accounts', 'create') ||
          permissions.can('accounts', 'view') ||
          permissions.can('contacts', 'create')) &&
        (await this.records.scopeAllows('leads', user, record.id, 'write'));
      if (!mayConvert) return {};
      return {
        detailActions: [
          { href: `/leads/${record.id}/convert`, label: translate(locale, 'leads.convert.action') },
        ],
      };
    }

    const names = await this.records.linkNames(this.manifest, [record], user);
    const links = [];
    for (const name of CONVERTED_LINKS) {
      const field = this.registry.field('leads', name)!;
      const cell = this.views.displayCell(field, record.values[name] ?? null, names, locale);
      const target = translate(locale, this.registry.get(field.link!).singularLabel);
      if (cell.href) links.push({ href: cell.href, label: `${target}: ${cell.text}` });
    }
    const date = formatDateTime(convertedAt, locale);
    return { detailNotices: [{ text: translate(locale, 'leads.convert.convertedNotice', { date }), links }] };
  }
}
