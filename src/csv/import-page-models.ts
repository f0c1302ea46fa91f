import { existsSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/configuration.js';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { ImportJob } from '../database/core.entities.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { DATE_FORMAT_OF, NUMBER_FORMAT_OF } from '../records/values.js';
import { CsvDelimiter, DELIMITERS, ENCODINGS } from './csv-file.js';
import { CsvImportService, DuplicatePreview, UnlistedValue, UploadProblem } from './csv-import.service.js';
import {
  DATE_FORMATS,
  DUPLICATE_ACTIONS,
  duplicateActionOf,
  importTargets,
  ImportSettings,
  NUMBER_FORMATS,
} from './import-settings.js';
import { duplicateName } from '../records/duplicate-names.js';

/** Rows of the file shown on the mapping page. */
const PREVIEW_ROWS = 5;

/** An error of the mapping form, as a catalogue key with its parameters. */
export interface MappingError {
  key: string;
  params?: Record<string, string | number>;
}

/** Builds what the upload, mapping and result templates show, in the user's language. */
@Injectable()
export class ImportPageModels {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly imports: CsvImportService,
    private readonly permissions: PermissionsService,
  ) {}

  /** Builds the upload page, with the reason when the last upload was rejected. */
  upload(
    user: CurrentUser,
    moduleName: string,
    problem?: UploadProblem,
    params: Record<string, string | number> = {},
  ) {
    const manifest = this.registry.get(moduleName);
    const locale = user.locale;
    return {
      title: 'csv.upload.title',
      module: moduleName,
      moduleLabel: translate(locale, manifest.label),
      error: problem
        ? translate(locale, `csv.errors.${problem}`, {
            maxMb: this.config.importMaxBytes / 1024 / 1024,
            ...params,
          })
        : undefined,
      maxMb: this.config.importMaxBytes / 1024 / 1024,
      numberFormats: options(NUMBER_FORMATS, NUMBER_FORMAT_OF[locale], (value) =>
        translate(locale, `csv.numberFormat.${value}`),
      ),
      dateFormats: options(DATE_FORMATS, DATE_FORMAT_OF[locale], (value) =>
        translate(locale, `csv.dateFormat.${value}`),
      ),
    };
  }

  /** Builds the mapping page: settings, preview, a field and a default per column, unlisted values. */
  async mapping(
    user: CurrentUser,
    job: ImportJob,
    settings: ImportSettings,
    errors: MappingError[],
    unlisted: UnlistedValue[],
    duplicates?: DuplicatePreview,
  ) {
    const locale = user.locale;
    const manifest = this.registry.get(job.module);
    const targets = importTargets(this.registry, job.module, await this.permissions.forUser(user));
    const picklistSet = await this.picklists.forModule(job.module);
    const preview = await this.imports.preview(job, settings, PREVIEW_ROWS);

    const targetLabel = (name: string) => {
      const field = targets.find((f) => f.name === name)!;
      const text = translate(locale, field.label);
      return field.readOnly ? translate(locale, 'csv.mapping.importedOnly', { field: text }) : text;
    };

    return {
      title: 'csv.mapping.title',
      module: job.module,
      moduleLabel: translate(locale, manifest.label),
      jobId: job.id,
      fileName: job.fileName,
      detected: translate(locale, 'csv.mapping.detected', {
        encoding: translate(locale, `csv.encoding.${settings.detectedEncoding}`),
        bom: settings.hasBom ? translate(locale, 'csv.mapping.withBom') : '',
        delimiter: translate(locale, `csv.delimiter.${delimiterName(settings.detectedDelimiter)}`),
      }),
      errors: errors.map((error) => translate(locale, error.key, error.params ?? {})),
      encodings: options(ENCODINGS, settings.encoding, (value) => translate(locale, `csv.encoding.${value}`)),
      delimiters: options(DELIMITERS, settings.delimiter, (value) =>
        translate(locale, `csv.delimiter.${delimiterName(value)}`),
      ),
      numberFormats: options(NUMBER_FORMATS, settings.numberFormat, (value) =>
        translate(locale, `csv.numberFormat.${value}`),
      ),
      dateFormats: options(DATE_FORMATS, settings.dateFormat, (value) =>
        translate(locale, `csv.dateFormat.${value}`),
      ),
      headers: preview.headers,
      previewRows: preview.rows,
      columns: settings.headers.map((header, index) => ({
        index,
        header,
        sample: preview.rows[0]?.[index] ?? '',
        defaultValue: settings.defaults[index] ?? '',
        options: [
          {
            value: '',
            label: translate(locale, 'csv.mapping.skipColumn'),
            selected: !settings.mapping[index],
          },
          ...targets.map((field) => ({
            value: field.name,
            label: targetLabel(field.name),
            selected: settings.mapping[index] === field.name,
          })),
        ],
      })),
      duplicates:
        duplicates && duplicates.count > 0
          ? this.duplicatesModel(user, job, settings, duplicates)
          : undefined,
      unlisted: unlisted.map((value, index) => ({
        index,
        key: value.key,
        field: translate(locale, this.registry.field(job.module, value.field)!.label),
        value: value.value,
        rows: value.rows,
        options: [
          {
            value: '',
            label: translate(locale, 'csv.mapping.failRows'),
            selected: !settings.picklistChoices[value.key],
          },
          ...picklistSet.values(value.field).map((entry) => ({
            value: entry.value,
            label: entry.value,
            selected: settings.picklistChoices[value.key] === entry.value,
          })),
        ],
      })),
    };
  }

  /**
   * Builds the list of rows whose checked value visible records, or earlier rows, already have. The user
   * chooses to import or skip them, and "skip" is selected until they choose otherwise.
   */
  private duplicatesModel(
    user: CurrentUser,
    job: ImportJob,
    settings: ImportSettings,
    duplicates: DuplicatePreview,
  ) {
    const locale = user.locale;
    const manifest = this.registry.get(job.module);
    const field = this.registry.field(job.module, manifest.duplicateCheck!.field)!;
    const action = duplicateActionOf(manifest, settings) ?? 'skip';
    return {
      intro: translate(locale, 'csv.duplicates.intro', {
        count: duplicates.count,
        field: translate(locale, field.label),
      }),
      fieldLabel: translate(locale, field.label),
      column: duplicates.column,
      more: duplicates.count > duplicates.rows.length,
      rows: duplicates.rows.map((row) => ({
        line: row.line,
        value: row.value,
        existing: row.existing && {
          href: `/${row.existing.module}/${row.existing.id}`,
          text: duplicateName(locale, this.registry.get(row.existing.module), row.existing),
        },
        earlier:
          row.earlierLine && translate(locale, 'csv.duplicates.earlierLine', { line: row.earlierLine }),
      })),
      actions: DUPLICATE_ACTIONS.map((value) => ({
        value,
        label: translate(locale, `csv.duplicates.${value}`, { count: duplicates.count }),
        checked: value === action,
      })),
    };
  }

  /** Builds the result page: counts, notes, the first failed rows and the download link. */
  result(user: CurrentUser, job: ImportJob) {
    const locale = user.locale;
    const manifest = this.registry.get(job.module);
    const result = this.imports.resultOf(job)!;
    // Skipped duplicates are listed, and written to the file, with the failed rows.
    const notImported = result.failed + (result.duplicatesSkipped ?? 0);

    return {
      title: 'csv.result.title',
      module: job.module,
      moduleLabel: translate(locale, manifest.label),
      fileName: job.fileName,
      counts: [
        { name: 'read', label: translate(locale, 'csv.result.read'), value: result.read },
        { name: 'created', label: translate(locale, 'csv.result.created'), value: result.created },
        { name: 'failed', label: translate(locale, 'csv.result.failed'), value: result.failed },
        { name: 'skipped', label: translate(locale, 'csv.result.skipped'), value: result.skipped },
        ...(result.duplicatesSkipped
          ? [
              {
                name: 'duplicatesSkipped',
                label: translate(locale, 'csv.result.duplicatesSkipped'),
                value: result.duplicatesSkipped,
              },
            ]
          : []),
      ],
      notes: [
        ...Object.entries(result.linkedCreated)
          .filter(([, count]) => count > 0)
          .map(([target, count]) =>
            translate(locale, 'csv.result.linkedCreated', {
              count,
              module: translate(locale, this.registry.get(target).label),
            }),
          ),
        ...(result.assignedToImporter > 0
          ? [translate(locale, 'csv.result.assignedToImporter', { count: result.assignedToImporter })]
          : []),
      ],
      failures: result.failures.flatMap((failure) =>
        failure.problems.map((problem) => ({
          line: failure.line,
          column: problem.column || (problem.fieldLabel ? translate(locale, problem.fieldLabel) : ''),
          reason: translate(locale, problem.reason, problem.params ?? {}),
        })),
      ),
      moreFailures: notImported > result.failures.length,
      failedHref:
        notImported > 0 && existsSync(this.imports.failedPathOf(job))
          ? `/import/${job.module}/${job.id}/failed.csv`
          : undefined,
      failedFileRemoved: notImported > 0 && !existsSync(this.imports.failedPathOf(job)),
      keepDays: this.config.importKeepDays,
    };
  }
}

function options<T extends string>(values: readonly T[], selected: T, label: (value: T) => string) {
  return values.map((value) => ({ value, label: label(value), selected: value === selected }));
}

function delimiterName(delimiter: CsvDelimiter): 'comma' | 'semicolon' | 'tab' {
  if (delimiter === ',') return 'comma';
  if (delimiter === ';') return 'semicolon';
  return 'tab';
}
