import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/configuration.js';
import { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { ImportJob } from '../database/core.entities.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { DateFormat, NumberFormat, utcNow } from '../records/values.js';
import {
  checkFile,
  CsvDelimiter,
  CsvEncoding,
  decode,
  detectDelimiter,
  readCsvRows,
  CsvReadError,
  readPreview,
} from './csv-file.js';
import { addFormulaGuard } from './formula-guard.js';
import { DuplicateFinder } from '../records/duplicate-finder.service.js';
import { checkedValueOf, DuplicateRow, DuplicateTracker } from './import-duplicates.js';
import {
  checkedColumn,
  guessMapping,
  importTargets,
  ImportResult,
  ImportSettings,
  picklistKey,
  RowFailure,
} from './import-settings.js';
import { ImportOutcome, mappedInput } from './import-run.js';
import { RecordImporter } from './record-importer.service.js';

/** Reason code of a rejected upload; each has a message under `csv.errors.` in the catalogues. */
export type UploadProblem =
  | 'noFile'
  | 'emptyFile'
  | 'binaryFile'
  | 'tooLarge'
  | 'noDataRows'
  | 'headerTooLong'
  | 'uploadFailed'
  | 'unreadable'
  | 'expired';

export interface UploadOptions {
  encoding?: CsvEncoding;
  delimiter?: CsvDelimiter;
  numberFormat: NumberFormat;
  dateFormat: DateFormat;
}

/** A picklist value in the file that is not in the list, shown on the mapping page to be mapped. */
export interface UnlistedValue {
  key: string;
  field: string;
  /** The value as first typed in the file. */
  value: string;
  rows: number;
}

/** The rows of a file that repeat a checked value, as the mapping page lists them. */
export interface DuplicatePreview {
  /** Every such row of the file. */
  count: number;
  /** The first of them. */
  rows: DuplicateRow[];
  /** The column mapped to the checked field, or -1 when none is and nothing was checked. */
  column: number;
}

/** Duplicate rows listed on the mapping page; the count covers the others. */
const DUPLICATES_LISTED = 50;
/** Rows whose values the mapping page looks up together, one query per compared module. */
const DUPLICATE_BATCH = 1000;

/**
 * Bytes of header text a job keeps. Its settings are one TEXT column (65,535 bytes on MariaDB/MySQL),
 * which also holds the mapping, the defaults and the picklist choices.
 */
const MAX_HEADER_BYTES = 30000;
/** Bytes read from the start of an upload to find its delimiter. */
const DELIMITER_SAMPLE_BYTES = 65536;

/** Uploaded files on their way through the mapping page to the import, one import job each. */
@Injectable()
export class CsvImportService {
  private readonly logger = new Logger(CsvImportService.name);
  /**
   * Uploads live here under generated names, never under the name the user's file had. ImportFilesCleanup
   * removes them, and the files of failed rows, after IMPORT_KEEP_DAYS.
   */
  readonly uploadDir: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly importer: RecordImporter,
    private readonly permissions: PermissionsService,
    private readonly duplicateFinder: DuplicateFinder,
  ) {
    this.uploadDir = join(config.storageDir, 'imports');
    mkdirSync(this.uploadDir, { recursive: true });
  }

  /** Checks a stored upload and opens a job for it; a file that cannot be imported is deleted at once. */
  async createJob(
    user: CurrentUser,
    moduleName: string,
    upload: { storedName: string; originalName: string },
    options: UploadOptions,
  ): Promise<
    | { ok: true; jobId: number }
    | { ok: false; problem: UploadProblem; params?: Record<string, string | number> }
  > {
    const path = join(this.uploadDir, upload.storedName);
    const content = await readFile(path);
    const check = checkFile(content);
    if (check.problem) {
      await rm(path, { force: true });
      return { ok: false, problem: check.problem };
    }

    const encoding = options.encoding ?? check.encoding;
    const delimiter =
      options.delimiter ?? detectDelimiter(decode(content.subarray(0, DELIMITER_SAMPLE_BYTES), encoding));
    let preview: Awaited<ReturnType<typeof readPreview>>;
    try {
      preview = await readPreview(path, { encoding, delimiter }, 1);
    } catch (error) {
      if (!(error instanceof CsvReadError)) throw error;
      // A quote left open in the first rows makes the file unreadable before any mapping page exists.
      await rm(path, { force: true });
      return { ok: false, problem: 'unreadable', params: { line: error.line, code: error.reason } };
    }
    if (preview.rows.length === 0) {
      await rm(path, { force: true });
      return { ok: false, problem: 'noDataRows' };
    }
    if (Buffer.byteLength(JSON.stringify(preview.headers)) > MAX_HEADER_BYTES) {
      await rm(path, { force: true });
      return { ok: false, problem: 'headerTooLong' };
    }

    const settings: ImportSettings = {
      encoding,
      detectedEncoding: check.encoding,
      hasBom: check.hasBom,
      delimiter,
      detectedDelimiter: detectDelimiter(decode(content.subarray(0, DELIMITER_SAMPLE_BYTES), check.encoding)),
      numberFormat: options.numberFormat,
      dateFormat: options.dateFormat,
      headers: preview.headers,
      mapping: guessMapping(
        preview.headers,
        importTargets(this.registry, moduleName, await this.permissions.forUser(user)),
        this.registry.shipped(moduleName).fields,
      ),
      defaults: preview.headers.map(() => ''),
      picklistChoices: {},
    };
    const job = await this.dataSource.getRepository(ImportJob).save({
      module: moduleName,
      userId: user.id,
      fileName: upload.originalName.slice(0, 255),
      storedName: upload.storedName,
      status: 'uploaded',
      settings: JSON.stringify(settings),
      result: null,
      createdAt: utcNow(),
    });
    this.logger.log(
      `Import job ${job.id} of ${moduleName} uploaded by user ${user.id} (${content.length} bytes)`,
    );
    return { ok: true, jobId: job.id };
  }

  /** Loads a job of the module that the user uploaded; anyone else's job is not found. */
  async findJob(user: CurrentUser, moduleName: string, id: number): Promise<ImportJob> {
    const job = Number.isSafeInteger(id)
      ? await this.dataSource.getRepository(ImportJob).findOneBy({ id, module: moduleName, userId: user.id })
      : null;
    if (!job) throw new NotFoundException();
    return job;
  }

  /**
   * Tells whether the job's upload is gone: expired by ImportFilesCleanup, or removed just before the job
   * was marked.
   */
  isExpired(job: ImportJob): boolean {
    return job.status === 'expired' || (job.status === 'uploaded' && !existsSync(this.pathOf(job)));
  }

  settingsOf(job: ImportJob): ImportSettings {
    return JSON.parse(job.settings) as ImportSettings;
  }

  resultOf(job: ImportJob): ImportResult | null {
    return job.result ? (JSON.parse(job.result) as ImportResult) : null;
  }

  async saveSettings(job: ImportJob, settings: ImportSettings): Promise<void> {
    job.settings = JSON.stringify(settings);
    await this.dataSource.getRepository(ImportJob).update({ id: job.id }, { settings: job.settings });
  }

  /** Re-reads the header after the encoding or delimiter changed, and maps the columns afresh. */
  async rereadHeader(job: ImportJob, settings: ImportSettings, user: CurrentUser): Promise<ImportSettings> {
    const preview = await readPreview(this.pathOf(job), settings, 1);
    const targets = importTargets(this.registry, job.module, await this.permissions.forUser(user));
    return {
      ...settings,
      headers: preview.headers,
      mapping: guessMapping(preview.headers, targets, this.registry.shipped(job.module).fields),
      defaults: preview.headers.map(() => ''),
      picklistChoices: {},
      duplicateChoice: undefined,
    };
  }

  preview(job: ImportJob, settings: ImportSettings, rowCount: number) {
    return readPreview(this.pathOf(job), settings, rowCount);
  }

  /**
   * Reads the whole file and lists the values of mapped picklist columns (and their defaults) that match
   * no listed value, even without regard to case. Throws CsvReadError when the file cannot be read.
   */
  async unlistedValues(
    job: ImportJob,
    settings: ImportSettings,
    user: CurrentUser,
  ): Promise<UnlistedValue[]> {
    const picklistSet = await this.picklists.forModule(job.module);
    const picklistFields = new Set(
      importTargets(this.registry, job.module, await this.permissions.forUser(user))
        .filter((field) => field.type === 'picklist')
        .map((field) => field.name),
    );
    const found = new Map<string, UnlistedValue>();
    let headerSeen = false;

    for await (const row of readCsvRows(this.pathOf(job), settings)) {
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      const input = mappedInput({ ...settings, picklistChoices: {} }, row.cells);
      for (const [field, text] of Object.entries(input)) {
        if (!picklistFields.has(field) || text.trim() === '' || picklistSet.match(field, text)) continue;
        const key = picklistKey(field, text);
        const entry = found.get(key) ?? { key, field, value: text.trim(), rows: 0 };
        entry.rows++;
        found.set(key, entry);
      }
    }
    return [...found.values()];
  }

  /**
   * Reads the whole file and finds the rows whose value of the module's duplicate check visible records, or
   * earlier rows, already have. Throws CsvReadError when the file cannot be read.
   */
  async duplicateRows(
    job: ImportJob,
    settings: ImportSettings,
    user: CurrentUser,
  ): Promise<DuplicatePreview> {
    const manifest = this.registry.get(job.module);
    const preview: DuplicatePreview = { count: 0, rows: [], column: checkedColumn(manifest, settings) };
    if (preview.column < 0) return preview;

    const tracker = new DuplicateTracker(this.duplicateFinder, manifest, user);
    const format = {
      numberFormat: settings.numberFormat,
      dateFormat: settings.dateFormat,
      referencesByName: true,
    };
    let batch: { line: number; value: string }[] = [];
    const lookUp = async () => {
      const found = await tracker.check(batch);
      preview.count += found.length;
      preview.rows.push(...found.slice(0, Math.max(0, DUPLICATES_LISTED - preview.rows.length)));
      batch = [];
    };

    let headerSeen = false;
    for await (const row of readCsvRows(this.pathOf(job), settings)) {
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      // The import fails a row of the wrong width before it looks at its values.
      if (row.cells.length !== settings.headers.length) continue;
      const value = checkedValueOf(manifest, settings, row.cells, format);
      if (value !== undefined) batch.push({ line: row.line, value });
      if (batch.length >= DUPLICATE_BATCH) await lookUp();
    }
    if (batch.length > 0) await lookUp();
    return preview;
  }

  /**
   * Runs the import once, keeps the result and the failed rows, and deletes the upload.
   * NOTE: the import runs inside the request. 8,800 rows take a few seconds, but a file near the size
   * limit may take long enough for a proxy in front of the app to time the request out.
   */
  async run(job: ImportJob, user: CurrentUser): Promise<void> {
    const claimed = await this.dataSource
      .createQueryBuilder()
      .update(ImportJob)
      .set({ status: 'running' })
      .where('id = :id AND status = :status', { id: job.id, status: 'uploaded' })
      .execute();
    // A second click on "Import" while the first is running must not import the rows twice.
    if (!claimed.affected) return;

    const settings = this.settingsOf(job);
    let outcome: ImportOutcome;
    try {
      outcome = await this.importer.run(job.module, this.pathOf(job), settings, user);
    } catch (error) {
      // The importer throws only before its first batch, so nothing was written and the job can run again.
      await this.dataSource.getRepository(ImportJob).update({ id: job.id }, { status: 'uploaded' });
      throw error;
    }

    if (outcome.failedRows.length > 0) {
      try {
        await this.writeFailedRows(job, settings, outcome.failedRows, user);
      } catch (error) {
        // The result page still lists the first failed rows; only the download is missing.
        this.logger.error(`Failed rows of import job ${job.id} could not be written: ${String(error)}`);
      }
    }
    await this.dataSource
      .getRepository(ImportJob)
      .update({ id: job.id }, { status: 'done', result: JSON.stringify(outcome.result) });
    await rm(this.pathOf(job), { force: true });
  }

  /** The failed rows as a CSV file: the original columns and a reason column, in the upload's delimiter. */
  private async writeFailedRows(
    job: ImportJob,
    settings: ImportSettings,
    failedRows: { cells: string[]; failure: RowFailure }[],
    user: CurrentUser,
  ): Promise<void> {
    const reasonHeader = translate(user.locale, 'csv.result.reasonColumn');
    const lines = [
      [...settings.headers, reasonHeader],
      // The reason goes under its own header even when a row has fewer or more values than the header:
      // a short row is padded, and a long row's extra values follow the reason.
      ...failedRows.map(({ cells, failure }) => {
        const width = settings.headers.length;
        const padded = [
          ...cells.slice(0, width),
          ...Array<string>(Math.max(0, width - cells.length)).fill(''),
        ];
        return [
          ...padded.map(addFormulaGuard),
          addFormulaGuard(this.describeFailure(failure, user)),
          ...cells.slice(width).map(addFormulaGuard),
        ];
      }),
    ];
    const text = stringify(lines, {
      delimiter: settings.delimiter,
      record_delimiter: 'windows',
      quoted_match: /[\r\n]/,
    });
    await writeFile(this.failedPathOf(job), `\uFEFF${text}`, 'utf8');
  }

  /** Describes a failed row's problems, one sentence each, in the user's language. */
  describeFailure(failure: RowFailure, user: CurrentUser): string {
    return failure.problems
      .map((problem) => {
        const column =
          problem.column || (problem.fieldLabel ? translate(user.locale, problem.fieldLabel) : '');
        const reason = translate(user.locale, problem.reason, problem.params ?? {});
        return column ? `${column}: ${reason}` : reason;
      })
      .join(' ');
  }

  pathOf(job: ImportJob): string {
    return join(this.uploadDir, job.storedName);
  }

  failedPathOf(job: ImportJob): string {
    return join(this.uploadDir, `${job.storedName}.failed.csv`);
  }
}
