import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { inTransaction } from '../../src/database/transaction.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import {
  confirmedDuplicate,
  DetailExtras,
  FormSection,
  RecordPagesController,
} from '../../src/records/record-pages.controller.js';
import { RecordIdPipe } from '../../src/records/record-id.pipe.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService, SaveResult, StoredRecord } from '../../src/records/records.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { UsersService } from '../../src/users/users.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QuoteFormPage } from './quote-form.page.js';
import { isPricingInput, MORE_LINES_INPUT, readPricingForm } from './quote-line-form.js';
import { QuoteLinesService } from './quote-lines.service.js';
import { QuoteDetailPage } from './quote-detail.page.js';
import { QuoteRevisionPage } from './quote-revision.page.js';
import { QuoteRevisionsService } from './quote-revisions.service.js';
import { setFlash } from '../../src/web/flash.js';
import { copyAccountAddress } from './quote-address.js';
import { TAX_MODES } from './quotes.manifest.js';

/** Stops a quote's transaction when its record or its lines have errors, so that nothing is saved. */
class QuoteNotSaved extends Error {
  constructor(readonly result: SaveResult & { ok: false }) {
    super('The quote has errors');
  }
}

@Controller('quotes')
export class QuotesController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lines: QuoteLinesService,
    private readonly formPage: QuoteFormPage,
    private readonly quoteDetail: QuoteDetailPage,
    private readonly revisions: QuoteRevisionsService,
    private readonly revisionPage: QuoteRevisionPage,
  ) {
    super('quotes', registry, records, views, picklists, users, permissions);
  }

  /**
   * Saves the quote, its lines and its totals in one transaction, or nothing when the record or any line has
   * an error. "Add more lines" saves nothing and shows the form again with more empty rows.
   */
  protected override async saveForm(
    user: CurrentUser,
    id: number | null,
    body: Record<string, unknown>,
  ): Promise<SaveResult> {
    if (body[MORE_LINES_INPUT]) return { ok: false, errors: {} };

    const format = this.formatOf(user);
    const taxMode = body.tax_mode === TAX_MODES.group ? 'group' : 'individual';
    const priced = await this.lines.price(user, id, readPricingForm(body), taxMode, format.numberFormat);
    const input = Object.fromEntries(
      Object.entries(this.formInput(body)).filter(([name]) => !isPricingInput(name)),
    );
    if (id === null) await copyAccountAddress(this.records, user, input);

    try {
      return await inTransaction(this.dataSource, async (manager) => {
        const result = await this.records.save('quotes', user, id, input, format, 'form', manager, {
          confirmed: confirmedDuplicate(body),
        });
        const lineErrors = priced.ok ? {} : priced.errors;
        if (!result.ok) throw new QuoteNotSaved({ ...result, errors: { ...result.errors, ...lineErrors } });
        if (!priced.ok) throw new QuoteNotSaved({ ok: false, errors: lineErrors });
        await this.lines.store(manager, user, result.id, priced.quote);
        return result;
      });
    } catch (error) {
      if (error instanceof QuoteNotSaved) return error.result;
      throw error;
    }
  }

  protected override async formSections(
    user: CurrentUser,
    id: number | null,
    submitted: Record<string, unknown> | undefined,
    errors: FieldErrors,
  ): Promise<FormSection[]> {
    return [await this.formPage.section(user, id, submitted, errors)];
  }

  /** Shows what revising the quote will do, or why it cannot be revised. */
  @Get(':id/revise')
  async revisePage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const plan = await this.revisions.plan(user, id);
    const model = this.revisionPage.model(user, plan);
    response.status(plan.ok ? 200 : 409).render('quotes/views/revise', model);
  }

  /** Creates the quote's next revision and opens it for editing. */
  @Post(':id/revise')
  async revise(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const result = await this.revisions.revise(user, id, this.formatOf(user));
    if (!result.ok) {
      const quote = await this.records.findVisible('quotes', user, id);
      const model = this.revisionPage.model(user, { ok: false, quote, rejection: result.rejection });
      response.status(409).render('quotes/views/revise', model);
      return;
    }
    setFlash(response, 'quotes.revise.done', { number: result.revision.number });
    response.redirect(303, `/quotes/${result.revision.id}/edit`);
  }

  protected override async extraDetailModel(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    const revisions = await this.revisionPage.detailExtras(user, record, permissions);
    return {
      ...revisions,
      detailSections: [await this.quoteDetail.section(user, record), ...revisions.detailSections],
    };
  }
}
