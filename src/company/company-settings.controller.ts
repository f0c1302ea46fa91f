import { Body, Controller, Get, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { AdministratorGuard } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import type { FieldErrors } from '../records/record-validation.js';
import { RecordViews } from '../records/record-views.js';
import { setFlash } from '../web/flash.js';
import { COMPANY_FIELDS, CompanySettingsService } from './company-settings.service.js';
import type { CompanySettingsInput } from './company-settings.service.js';

/** The input type of each field type. The form has `novalidate`, so only the server's checks apply. */
const INPUT_KINDS: Partial<Record<string, string>> = {
  textarea: 'textarea',
  phone: 'tel',
  email: 'email',
  url: 'url',
};

/** Fields with a hint under them, whose text is the catalogue key `company.hints.<field>`. */
const HINTED_FIELDS = new Set(['name', 'country', 'vatNumber', 'taxCode', 'website']);

/** The company details page, where an administrator enters what printed quotes show as the seller. */
@Controller('admin/company')
@UseGuards(AdministratorGuard)
export class CompanySettingsController {
  constructor(
    private readonly companySettings: CompanySettingsService,
    private readonly views: RecordViews,
  ) {}

  @Get()
  async page(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    const settings = await this.companySettings.get();
    this.render(response, user, settings, {}, settings.configured);
  }

  @Post()
  async save(
    @User() user: CurrentUser,
    @Body() body: CompanySettingsInput,
    @Res() response: Response,
  ): Promise<void> {
    const result = await this.companySettings.save(body);
    if (!result.ok) {
      const configured = (await this.companySettings.get()).configured;
      return this.render(response.status(422), user, body, result.errors, configured);
    }
    setFlash(response, 'company.saved');
    response.redirect(303, '/admin/company');
  }

  private render(
    response: Response,
    user: CurrentUser,
    values: CompanySettingsInput,
    errors: FieldErrors,
    configured: boolean,
  ): void {
    const locale = user.locale;
    const fields = COMPANY_FIELDS.map((field) => ({
      name: field.name,
      label: translate(locale, field.label),
      kind: INPUT_KINDS[field.type] ?? 'text',
      value: typeof values[field.name] === 'string' ? values[field.name] : '',
      required: field.required ?? false,
      hint: HINTED_FIELDS.has(field.name) ? translate(locale, `company.hints.${field.name}`) : undefined,
      error: errors[field.name] ? this.views.errorMessage(locale, errors[field.name]) : undefined,
    }));
    response.render('admin/company', {
      title: 'company.title',
      configured,
      fields,
      errorSummary: fields.filter((field) => field.error),
    });
  }
}
