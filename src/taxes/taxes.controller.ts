import { Body, Controller, Get, NotFoundException, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { AdministratorGuard } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { FieldErrors } from '../records/record-validation.js';
import { RecordViews } from '../records/record-views.js';
import { formatDecimal, NUMBER_FORMAT_OF } from '../records/values.js';
import { setFlash } from '../web/flash.js';
import { MAX_RATE_DECIMAL_PLACES, MAX_TAX_NAME_LENGTH, TaxesService } from './taxes.service.js';
import type { Tax, TaxInput } from './taxes.service.js';

/** Taxes: the list, and a form to add or change one. A tax is deactivated rather than deleted. */
@Controller('admin/taxes')
@UseGuards(AdministratorGuard)
export class TaxesController {
  constructor(
    private readonly taxes: TaxesService,
    private readonly views: RecordViews,
  ) {}

  @Get()
  async list(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    const taxes = (await this.taxes.list()).map((tax) => ({
      ...tax,
      rateText: formatRate(tax, user),
    }));
    response.render('admin/taxes', { title: 'taxes.title', taxes });
  }

  @Get('new')
  newPage(@User() user: CurrentUser, @Res() response: Response): void {
    this.renderForm(response, user, null, { active: '1' }, {});
  }

  @Post()
  async create(@User() user: CurrentUser, @Body() body: TaxInput, @Res() response: Response): Promise<void> {
    const result = await this.taxes.save(user, null, body, NUMBER_FORMAT_OF[user.locale]);
    if (!result.ok) return this.renderForm(response.status(422), user, null, body, result.errors);
    setFlash(response, 'taxes.saved', { name: result.tax.name });
    response.redirect(303, '/admin/taxes');
  }

  @Get(':id/edit')
  async editPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const tax = await this.taxes.find(id);
    if (!tax) throw new NotFoundException();
    const values = {
      name: tax.name,
      rate: formatRate(tax, user),
      active: tax.active ? '1' : '0',
      sortOrder: String(tax.sortOrder),
    };
    this.renderForm(response, user, id, values, {});
  }

  @Post(':id')
  async update(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: TaxInput,
    @Res() response: Response,
  ): Promise<void> {
    if (!(await this.taxes.find(id))) throw new NotFoundException();
    const result = await this.taxes.save(user, id, body, NUMBER_FORMAT_OF[user.locale]);
    if (!result.ok) return this.renderForm(response.status(422), user, id, body, result.errors);
    setFlash(response, 'taxes.saved', { name: result.tax.name });
    response.redirect(303, '/admin/taxes');
  }

  private renderForm(
    response: Response,
    user: CurrentUser,
    id: number | null,
    values: TaxInput,
    errors: FieldErrors,
  ): void {
    const locale = user.locale;
    const message = (field: string) =>
      errors[field] ? this.views.errorMessage(locale, errors[field]) : undefined;
    const lastOf = (value: string | string[] | undefined) =>
      Array.isArray(value) ? value[value.length - 1] : value;
    const fields = [
      {
        name: 'name',
        label: translate(locale, 'taxes.fields.name'),
        kind: 'text',
        value: values.name ?? '',
        required: true,
        hint: translate(locale, 'taxes.hints.name', { maxLength: MAX_TAX_NAME_LENGTH }),
        error: message('name'),
      },
      {
        name: 'rate',
        label: translate(locale, 'taxes.fields.rate'),
        kind: 'text',
        inputMode: 'decimal',
        value: values.rate ?? '',
        required: true,
        hint: translate(locale, 'taxes.hints.rate', { count: MAX_RATE_DECIMAL_PLACES }),
        error: message('rate'),
      },
      {
        name: 'active',
        label: translate(locale, 'taxes.fields.active'),
        kind: 'checkbox',
        checked: lastOf(values.active) === '1',
        required: false,
        hint: translate(locale, 'taxes.hints.active'),
        error: message('active'),
      },
      {
        name: 'sortOrder',
        label: translate(locale, 'taxes.fields.sortOrder'),
        kind: 'text',
        inputMode: 'numeric',
        value: values.sortOrder ?? '',
        required: false,
        hint: translate(locale, 'taxes.hints.sortOrder'),
        error: message('sortOrder'),
      },
    ];
    response.render('admin/tax-form', {
      title: id === null ? 'taxes.new' : 'taxes.edit',
      action: id === null ? '/admin/taxes' : `/admin/taxes/${id}`,
      fields,
      errorSummary: fields.filter((field) => field.error),
    });
  }
}

/** Shows a rate in the user's locale with only the decimal places it has: 22, 5.5, 10.125. */
function formatRate(tax: Tax, user: CurrentUser): string {
  return formatDecimal(tax.rate, user.locale, tax.rate.decimalPlaces());
}
