import { Controller, Get, Logger, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { RecordIdPipe } from '../../src/records/record-id.pipe.js';
import { recordName } from '../../src/records/record-names.js';
import { inTransaction } from '../../src/database/transaction.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import {
  confirmedDuplicate,
  DetailExtras,
  FormSection,
  RecordPagesController,
} from '../../src/records/record-pages.controller.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import { RecordViews } from '../../src/records/record-views.js';
import { openedVersionOf } from '../../src/records/stale-save.js';
import { RecordsService, SaveResult, StoredRecord } from '../../src/records/records.service.js';
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
import { QuotePdfError, QuotePdfService } from './quote-pdf.service.js';
import { PdfOffer, PRINT_VIEW, QuotePrintPage } from './quote-print.page.js';
import { TAX_MODES } from './quotes.manifest.js';

/** Stops a quote's transaction when its record or its lines have errors, so that nothing is saved. */
class QuoteNotSaved extends Error {
  constructor(readonly result: SaveResult & { ok: false }) {
    super('The quote has errors');
  }
}

@Controller('quotes')
export class QuotesController extends RecordPagesController {
  private readonly logger = new Logger(QuotesController.name);

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
    private readonly printPage: QuotePrintPage,
    private readonly pdf: QuotePdfService,
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
          openedVersion: openedVersionOf(body),
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
      detailActions: [
        { href: `/quotes/${record.id}/print`, label: translate(user.locale, 'quotes.print.action') },
        { href: `/quotes/${record.id}/pdf`, label: translate(user.locale, 'quotes.print.pdfAction') },
        ...revisions.detailActions,
      ],
      detailSections: [
        await this.quoteDetail.section(user, record, permissions),
        ...revisions.detailSections,
      ],
    };
  }

  /** The printable quote: a page of its own, without the app's menu, that the browser prints or saves. */
  @Get(':id/print')
  async print(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, 'quotes', 'view');
    const record = await this.records.findVisible('quotes', user, id);
    const pdf: PdfOffer = this.pdf.available()
      ? { href: `/quotes/${id}/pdf` }
      : { hint: translate(user.locale, 'quotes.print.pdfFromBrowser') };
    response.render(
      PRINT_VIEW,
      await this.printPage.model(user, record, permissions, { pdf, inlineStyles: false }),
    );
  }

  /**
   * Sends the print page as a PDF download, made by Chromium. Without Chromium, or when it fails or is busy,
   * it responds with a 503 page that explains how to save a PDF from the browser's print dialog instead.
   */
  @Get(':id/pdf')
  async downloadPdf(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, 'quotes', 'view');
    const record = await this.records.findVisible('quotes', user, id);
    if (!this.pdf.available()) return this.pdfUnavailable(response, user, record, 'quotes.print.pdfMissing');

    const model = await this.printPage.model(user, record, permissions, {
      pdf: { href: '' },
      inlineStyles: true,
    });
    const html = await renderToString(response, PRINT_VIEW, model);
    let file: Buffer;
    try {
      file = await this.pdf.render(html);
    } catch (error) {
      if (!(error instanceof QuotePdfError)) throw error;
      const reason = error.reason === 'busy' ? 'quotes.print.pdfBusy' : 'quotes.print.pdfFailed';
      return this.pdfUnavailable(response, user, record, reason);
    }
    this.logger.log(`Made the PDF of quote ${id} (${file.length} bytes)`);
    response
      .status(200)
      .set({
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="${this.printPage.fileName(record)}"`,
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .end(file);
  }

  private pdfUnavailable(response: Response, user: CurrentUser, record: StoredRecord, message: string): void {
    response.status(503).render('quotes/views/pdf-unavailable', {
      title: 'quotes.print.pdfUnavailableTitle',
      recordName: recordName(this.manifest, record.values),
      message: translate(user.locale, message),
      backHref: `/quotes/${record.id}`,
      printHref: `/quotes/${record.id}/print`,
    });
  }
}

/** Renders a view to a string, with the response's locals, as Express renders a page. */
function renderToString(response: Response, view: string, model: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    response.render(view, model, (error: Error | null, html?: string) =>
      error ? reject(error) : resolve(html ?? ''),
    );
  });
}
