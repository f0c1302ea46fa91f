import { once } from 'node:events';
import { Controller, Get, Logger, Param, Query, Res } from '@nestjs/common';
import { Stringifier, stringify } from 'csv-stringify';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { FieldValue, formatForCsv } from '../records/field-codec.js';
import { FieldDefinition } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { listQueryFrom, withoutHiddenFields } from '../records/record-pages.controller.js';
import { LinkNames, ListQuery, RecordsService, linkedNameOf } from '../records/records.service.js';
import { localToday } from '../records/values.js';
import { CsvChildColumn } from './child-rows.js';
import { addFormulaGuard } from './formula-guard.js';

type QueryParams = Record<string, string | string[] | undefined>;

/** Records read and written per step, so that a long list is never held in memory at once. */
const EXPORT_SLICE = 1000;
const NUMERIC_TYPES = new Set(['currency', 'integer', 'percent', 'decimal']);

/**
 * Exports a module's list, with the list page's search, filters and sort, as CSV: every registry field,
 * labels in the user's language, links and users by name, amounts as 1234.56, dates as ISO. Fields the
 * user's profile hides are left out. A module with child rows (a quote's lines) gets one row per child row,
 * with the record's fields repeated and the child columns after them.
 */
@Controller('export')
export class CsvExportController {
  private readonly logger = new Logger(CsvExportController.name);

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get(':module')
  async export(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const permissions = await this.permissions.require(user, moduleName, 'export');
    const allFields = this.registry.fields(moduleName);
    const fields = permissions.visible(moduleName, allFields);
    const request = withoutHiddenFields(listQueryFrom(params), allFields, moduleName, permissions);

    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${manifest.name}-${localToday()}.csv"`);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    // The byte-order mark makes spreadsheets read the file as UTF-8, so accented letters survive.
    response.write('\uFEFF');

    // csv-stringify quotes a value that contains its CRLF record delimiter, but not one with a lone LF.
    const csv = stringify({ record_delimiter: 'windows', quoted_match: /[\r\n]/ });
    csv.pipe(response);
    const childColumns = (this.registry.csvChildRowsOf(moduleName)?.columns ?? []).filter(
      (column) => column.exported,
    );
    csv.write([...fields, ...childColumns].map((column) => translate(user.locale, column.label)));

    try {
      const count = await this.writeRecords(csv, moduleName, user, request, fields, childColumns);
      this.logger.log(`Exported ${count} ${moduleName} for user ${user.id}`);
    } catch (error) {
      // The status line is already sent, so the download is cut short rather than left hanging.
      this.logger.error(`Export of ${moduleName} for user ${user.id} failed: ${String(error)}`);
      response.destroy();
      return;
    }
    csv.end();
  }

  /** Writes the list a slice at a time, with one name lookup per slice; returns the number of records. */
  private async writeRecords(
    csv: Stringifier,
    moduleName: string,
    user: CurrentUser,
    request: ListQuery,
    fields: FieldDefinition[],
    childColumns: CsvChildColumn[],
  ): Promise<number> {
    const manifest = this.registry.get(moduleName);
    const childRows = this.registry.csvChildRowsOf(moduleName);
    let count = 0;

    for (let offset = 0; ; offset += EXPORT_SLICE) {
      const records = await this.records.listSlice(moduleName, user, request, offset, EXPORT_SLICE);
      const names = await this.records.linkNames(manifest, records);
      const children = childRows
        ? await childRows.exportRows(
            user,
            records.map((record) => record.id),
          )
        : new Map<number, string[][]>();
      for (const record of records) {
        const cells = fields.map((field) => exportCell(field, record.values[field.name] ?? null, names));
        for (const childCells of children.get(record.id) ?? [[]]) {
          const line = [
            ...cells,
            ...childColumns.map((column, index) => childCell(column, childCells[index])),
          ];
          if (!csv.write(line)) await once(csv, 'drain');
        }
      }
      count += records.length;
      if (records.length < EXPORT_SLICE) return count;
    }
  }
}

function childCell(column: CsvChildColumn, text: string | undefined): string {
  if (text === undefined) return '';
  return column.numeric ? text : addFormulaGuard(text);
}

/** Formats one cell: links, users and groups by name, numbers and dates as machine-readable text, formulas defused. */
function exportCell(field: FieldDefinition, value: FieldValue, names: LinkNames): string {
  if (value === null) return '';
  if (field.type === 'link' || field.type === 'user' || field.type === 'owner') {
    return addFormulaGuard(linkedNameOf(field, value, names)?.name ?? '');
  }
  const text = formatForCsv(field, value);
  return NUMERIC_TYPES.has(field.type) ? text : addFormulaGuard(text);
}
