import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { AppConfig } from '../../config/configuration.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { APP_CONFIG } from '../../src/app-config.provider.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { localToday, NUMBER_FORMAT_OF, NumberFormat } from '../../src/records/values.js';
import { setFlash } from '../../src/web/flash.js';
import { csvFileUpload, runUpload } from '../../src/web/upload.js';
import { CsrfTokenInUploadBody } from '../../src/web/upload-csrf.js';
import { TargetScopeKind } from './budget-target.entity.js';
import { BudgetTargetsService, MonthTarget } from './budget-targets.service.js';
import { isValidYear } from './periods.js';
import { readGridForm, readSpreadForm, TargetsPage, TargetsPageState } from './targets.page.js';
import { csvDelimiterFor, TARGET_COLUMNS, TargetImportOutcome, TargetsCsv } from './targets-csv.js';
import { TargetScope, TargetScopesService } from './target-scopes.service.js';
import { sendCsvDownload } from './csv-download.js';

type QueryParams = Record<string, unknown>;

/** A form of the targets page as read: its errors for the page, or its targets and the message after saving. */
type FormOutcome =
  | { errors: Pick<TargetsPageState, 'grid' | 'spread'> }
  | { targets: MonthTarget[]; flash: (changed: number) => [string, Record<string, string | number>] };

/** The targets pages: the grid of a year's targets, the "spread evenly" form, and the CSV export and import. */
@Controller('budget/targets')
export class TargetsController {
  private readonly upload: RequestHandler;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly targets: BudgetTargetsService,
    private readonly scopes: TargetScopesService,
    private readonly page: TargetsPage,
    private readonly csv: TargetsCsv,
  ) {
    this.upload = csvFileUpload(join(config.storageDir, 'target-imports'), config.importMaxBytes);
  }

  @Get()
  async show(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const state = await this.stateFrom(user, query);
    response.render('budget/views/targets', await this.page.model(user, state));
  }

  /** Saves the grid: every month of every row the user may set, or nothing when any cell has an error. */
  @Post()
  async saveGrid(
    @User() user: CurrentUser,
    @Body() body: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    await this.saveForm(user, body, response, (scopes, state, format) => {
      const form = readGridForm(body, scopes, state.year, format);
      if (!form.ok) return { errors: { grid: form } };
      return { targets: form.targets, flash: (changed) => ['budget.targets.saved', { count: changed }] };
    });
  }

  /** Spreads an amount evenly over the months of a year, a half, a quarter or one month of one scope. */
  @Post('spread')
  async spread(
    @User() user: CurrentUser,
    @Body() body: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    await this.saveForm(user, body, response, (scopes, state, format) => {
      const form = readSpreadForm(body, scopes, state.year, format);
      if (!form.ok) return { errors: { spread: form } };
      return { targets: form.targets, flash: () => ['budget.targets.spreadSaved', { name: form.scopeName }] };
    });
  }

  /**
   * Reads a form of the targets page against the scopes of its kind, then saves its targets and returns to
   * the page, or shows the page again with the form's errors and saves nothing.
   */
  private async saveForm(
    user: CurrentUser,
    body: QueryParams,
    response: Response,
    read: (scopes: TargetScope[], state: TargetsPageState, format: NumberFormat) => FormOutcome,
  ): Promise<void> {
    const state = await this.stateFrom(user, body);
    const access = await this.scopes.accessFor(user);
    const scopes = await this.scopes.list(access, state.kind);
    const outcome = read(scopes, state, NUMBER_FORMAT_OF[user.locale]);
    if ('errors' in outcome) {
      const model = await this.page.model(user, { ...state, ...outcome.errors });
      return response.status(422).render('budget/views/targets', model);
    }

    const changed = await this.targets.saveMonths(user.id, scopes, outcome.targets);
    setFlash(response, ...outcome.flash(changed));
    response.redirect(303, pageUrl(state));
  }

  @Get('export')
  async export(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const { year } = await this.stateFrom(user, query);
    const format = NUMBER_FORMAT_OF[user.locale];
    const lines = await this.csv.exportLines(user, year, format);
    const text = stringify([[...TARGET_COLUMNS], ...lines], {
      delimiter: csvDelimiterFor(format),
      record_delimiter: 'windows',
    });

    sendCsvDownload(response, `targets-${year}.csv`, text);
  }

  @Get('import')
  async importPage(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    await this.requireImporter(user);
    const { year } = await this.stateFrom(user, query);
    response.render('budget/views/import', this.page.importModel(user, year, NUMBER_FORMAT_OF[user.locale]));
  }

  @Post('import')
  @HttpCode(200)
  @CsrfTokenInUploadBody()
  async import(@User() user: CurrentUser, @Req() request: Request, @Res() response: Response): Promise<void> {
    // Checked before Multer runs, so that the file of a user who may set no target is never stored.
    await this.requireImporter(user);
    const problem = await runUpload(this.upload, request, response);
    const body = (request.body ?? {}) as QueryParams;
    const year = Number(body.year);
    const format: NumberFormat =
      body.numberFormat === 'dot' || body.numberFormat === 'comma'
        ? body.numberFormat
        : NUMBER_FORMAT_OF[user.locale];
    const render = (
      status: number,
      outcome:
        | Exclude<TargetImportOutcome, { ok: true }>
        | { ok: false; problem: string; params?: Record<string, string | number> },
    ) =>
      response
        .status(status)
        .render(
          'budget/views/import',
          this.page.importModel(user, isValidYear(year) ? year : currentYear(), format, outcome),
        );

    if (problem) {
      if (request.file) await rm(request.file.path, { force: true });
      return render(problem === 'tooLarge' ? 413 : 422, {
        ok: false,
        problem,
        params: { maxMb: this.config.importMaxBytes / 1024 / 1024 },
      });
    }
    if (!request.file) return render(422, { ok: false, problem: 'noFile' });

    const path = request.file.path;
    const outcome = await this.csv.importFile(path, user, format).finally(() => rm(path, { force: true }));
    if (!outcome.ok) return render(422, outcome);
    const message = outcome.changed === 0 ? 'budget.import.unchanged' : 'budget.import.done';
    setFlash(response, message, { rows: outcome.rows, count: outcome.changed });
    response.redirect(303, pageUrl({ year: outcome.year, kind: outcome.kind, view: 'month' }));
  }

  /** Rejects a user who may set no target, such as a salesperson, because every row of their file would fail. */
  private async requireImporter(user: CurrentUser): Promise<void> {
    const access = await this.scopes.accessFor(user);
    if (!access.maySetAnyTarget()) throw new ForbiddenException();
  }

  /**
   * Reads the year, scope kind and view of the page from the query or the form. A kind the user may not see
   * is forbidden; a missing or invalid year is the current one.
   */
  private async stateFrom(user: CurrentUser, params: QueryParams): Promise<TargetsPageState> {
    const year = Number(params.year);
    const access = await this.scopes.accessFor(user);
    const kinds = access.viewableKinds();
    const kind =
      typeof params.kind === 'string' && params.kind !== '' ? (params.kind as TargetScopeKind) : kinds[0];
    if (!kinds.includes(kind)) throw new ForbiddenException();
    return {
      year: isValidYear(year) ? year : currentYear(),
      kind,
      view: params.view === 'quarter' ? 'quarter' : 'month',
    };
  }
}

function currentYear(): number {
  return Number(localToday().slice(0, 4));
}

function pageUrl(state: Pick<TargetsPageState, 'year' | 'kind' | 'view'>): string {
  const query = new URLSearchParams({ year: String(state.year), kind: state.kind, view: state.view });
  return `/budget/targets?${query.toString()}`;
}
