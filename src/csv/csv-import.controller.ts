import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import {
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { AppConfig } from '../../config/configuration.js';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService, UserPermissions } from '../access/permissions.service.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { User } from '../auth/current-user.decorator.js';
import { ImportJob } from '../database/core.entities.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { DATE_FORMAT_OF, NUMBER_FORMAT_OF } from '../records/values.js';
import { CsvReadError, DELIMITERS, ENCODINGS } from './csv-file.js';
import { CsvImportService, DuplicatePreview, UnlistedValue, UploadProblem } from './csv-import.service.js';
import { ImportPageModels, MappingError } from './import-page-models.js';
import {
  DATE_FORMATS,
  DUPLICATE_ACTIONS,
  duplicateActionOf,
  importTargets,
  ImportSettings,
  NUMBER_FORMATS,
} from './import-settings.js';
import { runUpload } from '../web/upload.js';
import { CsrfTokenInUploadBody } from '../web/upload-csrf.js';

type FormBody = Record<string, unknown>;

const MAX_DEFAULT_LENGTH = 255;

/**
 * The import pages of every module: upload, mapping (with unlisted picklist values), and the result
 * with its failed rows. Only the user who uploaded a file can open its job.
 */
@Controller('import')
export class CsvImportController {
  private readonly upload: ReturnType<multer.Multer['single']>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly imports: CsvImportService,
    private readonly pages: ImportPageModels,
    private readonly permissions: PermissionsService,
  ) {
    this.upload = multer({
      storage: multer.diskStorage({
        destination: imports.uploadDir,
        filename: (_request, _file, done) => done(null, `${randomUUID()}.csv`),
      }),
      limits: { fileSize: config.importMaxBytes, files: 1, fields: 20 },
    }).single('file');
  }

  @Get(':module')
  async uploadPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Res() response: Response,
  ): Promise<void> {
    this.registry.get(moduleName);
    await this.permissions.require(user, moduleName, 'import');
    this.renderUpload(response, user, moduleName, undefined);
  }

  @Post(':module')
  @CsrfTokenInUploadBody()
  async receiveUpload(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    this.registry.get(moduleName);
    // Checked before Multer runs, so that the file of a user without the import right is never stored.
    await this.permissions.require(user, moduleName, 'import');
    const problem = await runUpload(this.upload, request, response);
    if (problem)
      return this.renderUpload(
        response.status(problem === 'tooLarge' ? 413 : 422),
        user,
        moduleName,
        problem,
      );
    if (!request.file) return this.renderUpload(response.status(422), user, moduleName, 'noFile');

    const body = (request.body ?? {}) as FormBody;
    const created = await this.imports.createJob(
      user,
      moduleName,
      { storedName: request.file.filename, originalName: request.file.originalname },
      {
        encoding: pick(body.encoding, ENCODINGS),
        delimiter: pick(body.delimiter, DELIMITERS),
        numberFormat: pick(body.numberFormat, NUMBER_FORMATS) ?? NUMBER_FORMAT_OF[user.locale],
        dateFormat: pick(body.dateFormat, DATE_FORMATS) ?? DATE_FORMAT_OF[user.locale],
      },
    );
    if (!created.ok)
      return this.renderUpload(response.status(422), user, moduleName, created.problem, created.params);
    response.redirect(303, `/import/${moduleName}/${created.jobId}`);
  }

  private renderUpload(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    problem?: UploadProblem,
    params: Record<string, string | number> = {},
  ) {
    response.render('csv/upload', this.pages.upload(user, moduleName, problem, params));
  }

  private async renderMapping(
    response: Response,
    user: CurrentUser,
    job: ImportJob,
    settings: ImportSettings,
    errors: MappingError[],
    unlisted: UnlistedValue[],
    duplicates?: DuplicatePreview,
  ): Promise<void> {
    response.render(
      'csv/mapping',
      await this.pages.mapping(user, job, settings, errors, unlisted, duplicates),
    );
  }

  @Get(':module/:jobId')
  async jobPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('jobId', ParseIntPipe) jobId: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.permissions.require(user, moduleName, 'import');
    const job = await this.imports.findJob(user, moduleName, jobId);
    if (job.status === 'done') return response.render('csv/result', this.pages.result(user, job));
    if (this.imports.isExpired(job))
      return this.renderUpload(response.status(410), user, moduleName, 'expired', {
        days: this.config.importKeepDays,
      });
    await this.renderMapping(response, user, job, this.imports.settingsOf(job), [], []);
  }

  @Post(':module/:jobId')
  async submitMapping(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('jobId', ParseIntPipe) jobId: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, moduleName, 'import');
    const job = await this.imports.findJob(user, moduleName, jobId);
    if (job.status !== 'uploaded' || this.imports.isExpired(job))
      return response.redirect(303, `/import/${moduleName}/${jobId}`);
    let settings = this.imports.settingsOf(job);

    const encoding = pick(body.encoding, ENCODINGS) ?? settings.encoding;
    const delimiter = pick(body.delimiter, DELIMITERS) ?? settings.delimiter;
    if (encoding !== settings.encoding || delimiter !== settings.delimiter || body.action === 'reread') {
      settings = await this.imports.rereadHeader(
        job,
        {
          ...settings,
          encoding,
          delimiter,
          numberFormat: pick(body.numberFormat, NUMBER_FORMATS) ?? settings.numberFormat,
          dateFormat: pick(body.dateFormat, DATE_FORMATS) ?? settings.dateFormat,
        },
        user,
      );
      await this.imports.saveSettings(job, settings);
      return response.redirect(303, `/import/${moduleName}/${jobId}`);
    }

    const { settings: mapped, rejectedFields } = await this.readMappingForm(job, settings, body, permissions);
    settings = mapped;
    await this.imports.saveSettings(job, settings);
    const errors = this.checkMapping(job, settings, user, rejectedFields);
    if (errors.length > 0) return this.renderMapping(response.status(422), user, job, settings, errors, []);

    let unlisted: UnlistedValue[];
    let duplicates: DuplicatePreview;
    try {
      unlisted = await this.imports.unlistedValues(job, settings, user);
      duplicates = await this.imports.duplicateRows(job, settings, user);
    } catch (error) {
      if (!(error instanceof CsvReadError)) throw error;
      const readError = { key: 'csv.errors.unreadable', params: { line: error.line, code: error.reason } };
      return this.renderMapping(response.status(422), user, job, settings, [readError], []);
    }
    // Unlisted values are shown until the user has chosen for each; a value is never added to a list here.
    // Duplicate rows likewise, until the user has chosen to import or skip them.
    const unlistedOpen = unlisted.some((value) => !(value.key in settings.picklistChoices));
    const duplicatesOpen =
      duplicates.count > 0 && !duplicateActionOf(this.registry.get(moduleName), settings);
    if (unlistedOpen || duplicatesOpen)
      return this.renderMapping(response.status(200), user, job, settings, [], unlisted, duplicates);

    await this.imports.run(job, user);
    response.redirect(303, `/import/${moduleName}/${jobId}`);
  }

  /**
   * Reads the formats, the column mapping, the defaults and the choices for unlisted picklist values.
   * A column mapped to a field the user's profile hides or makes read-only is left unmapped and the
   * field returned in `rejectedFields`, so that the mapping page reports it.
   */
  private async readMappingForm(
    job: ImportJob,
    settings: ImportSettings,
    body: FormBody,
    permissions: UserPermissions,
  ): Promise<{ settings: ImportSettings; rejectedFields: string[] }> {
    const targets = new Set(importTargets(this.registry, job.module, permissions).map((field) => field.name));
    const restricted = permissions.restrictedFields(job.module);
    const rejectedFields = settings.headers
      .map((_header, index) => body[`map_${index}`])
      .filter((target): target is string => typeof target === 'string' && restricted.has(target));
    const picklistSet = await this.picklists.forModule(job.module);

    const picklistChoices: Record<string, string> = {};
    for (let index = 0; typeof body[`unlisted_${index}_key`] === 'string'; index++) {
      const key = body[`unlisted_${index}_key`] as string;
      const field = key.slice(0, key.indexOf(':'));
      const choice =
        typeof body[`unlisted_${index}`] === 'string' ? (body[`unlisted_${index}`] as string) : '';
      picklistChoices[key] = choice === '' ? '' : (picklistSet.match(field, choice)?.value ?? '');
    }

    const mapping = settings.headers.map((_header, index) => {
      const target = body[`map_${index}`];
      return typeof target === 'string' && targets.has(target) ? target : '';
    });
    const read = {
      ...settings,
      numberFormat: pick(body.numberFormat, NUMBER_FORMATS) ?? settings.numberFormat,
      dateFormat: pick(body.dateFormat, DATE_FORMATS) ?? settings.dateFormat,
      mapping,
      // Defaults of columns left out are dropped, which also keeps the settings JSON small.
      defaults: settings.headers.map((_header, index) => {
        const value = body[`default_${index}`];
        return typeof value === 'string' && mapping[index] ? value.slice(0, MAX_DEFAULT_LENGTH) : '';
      }),
      picklistChoices,
      duplicateChoice: readDuplicateChoice(body) ?? settings.duplicateChoice,
    };
    return { settings: read, rejectedFields: [...new Set(rejectedFields)] };
  }

  /**
   * Checks that no field takes two columns and that required fields have one, unless they have a default
   * (the assigned user defaults to the importer).
   */
  private checkMapping(
    job: ImportJob,
    settings: ImportSettings,
    user: CurrentUser,
    rejectedFields: string[],
  ): MappingError[] {
    const errors: MappingError[] = [];
    const childColumns = this.registry.csvChildRowsOf(job.module)?.columns ?? [];
    const label = (name: string) =>
      translate(
        user.locale,
        (this.registry.field(job.module, name) ?? childColumns.find((column) => column.name === name))!.label,
      );

    for (const name of rejectedFields) {
      const readOnlyForAll = this.registry.field(job.module, name)?.readOnlyForAll;
      const key = readOnlyForAll ? 'csv.errors.readOnlyNotImportable' : 'profiles.errors.notImportable';
      errors.push({ key, params: { field: label(name) } });
    }

    const mapped = settings.mapping.filter(Boolean);
    for (const name of new Set(mapped.filter((name, index) => mapped.indexOf(name) !== index)))
      errors.push({ key: 'csv.errors.mappedTwice', params: { field: label(name) } });

    for (const field of this.registry.writableFields(job.module)) {
      const filled = field.name === 'assigned_user_id' || field.defaultValue !== undefined;
      if (field.required && !filled && !settings.mapping.includes(field.name))
        errors.push({ key: 'csv.errors.requiredNotMapped', params: { field: label(field.name) } });
    }
    return errors;
  }

  @Get(':module/:jobId/failed.csv')
  async failedRows(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('jobId', ParseIntPipe) jobId: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.permissions.require(user, moduleName, 'import');
    const job = await this.imports.findJob(user, moduleName, jobId);
    const path = this.imports.failedPathOf(job);
    if (job.status !== 'done' || !existsSync(path)) throw new NotFoundException();

    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="${moduleName}-failed-rows-${job.id}.csv"`,
    );
    response.setHeader('X-Content-Type-Options', 'nosniff');
    createReadStream(path).pipe(response);
  }
}

/**
 * Reads the choice for duplicate rows, with the column that was mapped to the checked field when the page
 * listed them: the choice applies while that column stays mapped to it.
 */
function readDuplicateChoice(body: FormBody): ImportSettings['duplicateChoice'] {
  const action = pick(body.duplicates_action, DUPLICATE_ACTIONS);
  const column = typeof body.duplicates_column === 'string' ? body.duplicates_column : '';
  if (!action || !/^\d{1,4}$/.test(column)) return undefined;
  return { action, column: Number(column) };
}

/** The value when it is one of the allowed ones. */
function pick<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}
