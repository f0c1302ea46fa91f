import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { setFlash } from '../../src/web/flash.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { formatForDisplay } from '../../src/records/field-codec.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import {
  listQueryFrom,
  queryString,
  withoutHiddenFields,
} from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { formatMoney } from '../../src/records/values.js';

type QueryParams = Record<string, string | string[] | undefined>;

/** Cards shown in one column; the column's count and total always cover all its potentials. */
const CARDS_PER_COLUMN = 50;

/** The pipeline board: a column per sales stage, and moving a card changes the potential's stage. */
@Controller('pipeline')
export class PipelineBoardController {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly views: RecordViews,
    private readonly picklists: PicklistsService,
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get()
  async board(
    @User() user: CurrentUser,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const locale = user.locale;
    const manifest = this.registry.get('potentials');
    const permissions = await this.permissions.require(user, 'potentials', 'view');
    const fields = this.registry.fields('potentials');
    const request = withoutHiddenFields(listQueryFrom(params), fields, 'potentials', permissions);
    delete request.filters.sales_stage;
    const stages = (await this.picklists.forModule('potentials')).values('sales_stage');
    const field = (name: string) => this.registry.field('potentials', name)!;
    // A field the user's profile hides shows as empty text on the cards and in the column headers.
    const isVisible = (name: string) => !permissions.isHidden('potentials', field(name));
    const canMove =
      permissions.can('potentials', 'edit') && !permissions.isReadOnly('potentials', field('sales_stage'));

    const columns = [];
    for (const stage of stages) {
      const result = await this.records.list('potentials', user, {
        ...request,
        filters: { ...request.filters, sales_stage: stage.value },
        sort: 'expected_close_date',
        direction: 'asc',
        pageSize: CARDS_PER_COLUMN,
      });
      columns.push({
        stage: stage.value,
        outcome: stage.outcome,
        probability: stage.probability,
        count: result.total,
        total: isVisible('amount') ? formatMoney(result.totals.amount, locale) : '',
        weighted: isVisible('weighted_amount') ? formatMoney(result.totals.weighted_amount, locale) : '',
        listHref: `/potentials${queryString(params, { sales_stage: stage.value, page: undefined })}`,
        more: result.total > result.records.length,
        cards: result.records.map((record) => ({
          id: record.id,
          name: String(record.values.potential_name ?? ''),
          account: isVisible('account_id')
            ? this.views.displayCell(
                field('account_id'),
                record.values.account_id ?? null,
                result.names,
                locale,
              )
            : { text: '' },
          amount: isVisible('amount')
            ? formatForDisplay(field('amount'), record.values.amount ?? null, locale)
            : '',
          closeDate: isVisible('expected_close_date')
            ? formatForDisplay(
                field('expected_close_date'),
                record.values.expected_close_date ?? null,
                locale,
              )
            : '',
          assignee: this.views.displayCell(
            field('assigned_user_id'),
            record.values.assigned_user_id ?? null,
            result.names,
            locale,
          ).text,
          stageOptions: stages.map((s) => ({ value: s.value, selected: s.value === stage.value })),
        })),
      });
    }

    response.render('potentials/views/board', {
      title: 'board.title',
      module: manifest.name,
      moduleLabel: translate(locale, manifest.label),
      columns,
      canMove,
      newHref: permissions.can('potentials', 'create') ? '/potentials/new' : undefined,
      returnTo: `/pipeline${queryString(params, {})}`,
      // The list shows the same potentials as the board: same search and filters.
      listViewHref: `/potentials${queryString(params, {})}`,
      search: typeof params.q === 'string' ? params.q : '',
      userOptions: [{ value: '', label: translate(locale, 'list.any'), selected: !params.assigned_user_id }],
      ownerSections: await this.views.ownerChoices(
        user,
        'filter',
        typeof params.assigned_user_id === 'string' ? params.assigned_user_id : '',
      ),
      closeFrom: typeof params.expected_close_date_from === 'string' ? params.expected_close_date_from : '',
      closeTo: typeof params.expected_close_date_to === 'string' ? params.expected_close_date_to : '',
    });
  }

  /** Moves a potential to another stage; works as a plain form post and for drag and drop. */
  @Post('move')
  async move(
    @User() user: CurrentUser,
    @Body() body: { id?: string; sales_stage?: string; returnTo?: string },
    @Res() response: Response,
  ): Promise<void> {
    const id = Number(body.id);
    const result = await this.records.save(
      'potentials',
      user,
      Number.isSafeInteger(id) ? id : 0,
      { sales_stage: body.sales_stage ?? '' },
      { numberFormat: 'dot', dateFormat: 'iso' },
      'board',
    );
    const back =
      typeof body.returnTo === 'string' && body.returnTo.startsWith('/pipeline')
        ? body.returnTo
        : '/pipeline';
    if (!result.ok) {
      // The potential itself fails validation (for example a required field left empty by an import), so its form shows why.
      response.redirect(303, `/potentials/${id}/edit`);
      return;
    }
    setFlash(response, 'flash.moved', { stage: body.sales_stage ?? '' });
    response.redirect(303, back);
  }
}
