import { BadRequestException, Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { setFlash } from '../web/flash.js';
import { ModuleRegistry } from './module-registry.js';
import { RecordIdPipe } from './record-id.pipe.js';
import { recordName } from './record-names.js';
import { RecordViews } from './record-views.js';
import { relationAnchor, RelationEnd } from './relation-ends.js';
import { RelationRefusedError, RelationSide, RelationsService } from './relations.service.js';
import { RecordsService, SaveResult } from './records.service.js';
import { queryString } from './record-pages.controller.js';

interface ErrorEntry {
  name: string;
  label: string;
  error: string;
}

/**
 * The pages of the related lists of every detail page: "Select existing" (a search of the related module
 * within the user's access scope), linking, unlinking with a confirmation, and changing a link's attribute.
 * Every route names the record whose page it came from: /relations/<module>/<id>/<list key>.
 */
@Controller('relations')
export class RelationsController {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly relations: RelationsService,
    private readonly views: RecordViews,
  ) {}

  @Get(':module/:id/:key')
  async pickerPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Param('key') key: string,
    @Query() params: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const { side, end } = await this.changeableList(user, moduleName, id, key);
    await this.renderPicker(response, user, side, end, params, []);
  }

  @Post(':module/:id/:key')
  async link(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Param('key') key: string,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const { side, end } = await this.changeableList(user, moduleName, id, key);
    const relatedId = idOf(body.related_id);
    if (relatedId === undefined)
      return this.renderPicker(response.status(422), user, side, end, body, [
        this.errorEntry(user, end, 'relations.errors.noneChosen'),
      ]);

    const result = await this.rejectionAsError(() =>
      this.relations.link(user, side, end, relatedId, stringOf(body.attribute)),
    );
    if (!result.ok)
      return this.renderPicker(
        response.status(422),
        user,
        side,
        end,
        body,
        this.saveErrors(user, end, result),
      );
    this.returnToList(response, side, end, 'relations.linked');
  }

  @Get(':module/:id/:key/:relatedId/unlink')
  async unlinkPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Param('key') key: string,
    @Param('relatedId', RecordIdPipe) relatedId: number,
    @Res() response: Response,
  ): Promise<void> {
    const { side, end } = await this.changeableList(user, moduleName, id, key);
    // A mandatory link cannot be removed, so the page shows the message at once, before any confirmation.
    const rejection =
      end.kind === 'field' && end.field.required
        ? [this.errorEntry(user, end, 'relations.errors.mandatoryLink')]
        : [];
    await this.renderUnlink(
      response.status(rejection.length > 0 ? 422 : 200),
      user,
      side,
      end,
      relatedId,
      rejection,
    );
  }

  @Post(':module/:id/:key/:relatedId/unlink')
  async unlink(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Param('key') key: string,
    @Param('relatedId', RecordIdPipe) relatedId: number,
    @Res() response: Response,
  ): Promise<void> {
    const { side, end } = await this.changeableList(user, moduleName, id, key);
    const result = await this.rejectionAsError(() => this.relations.unlink(user, side, end, relatedId));
    if (!result.ok)
      return this.renderUnlink(
        response.status(422),
        user,
        side,
        end,
        relatedId,
        this.saveErrors(user, end, result),
      );
    this.returnToList(response, side, end, 'relations.unlinked');
  }

  @Post(':module/:id/:key/:relatedId/attribute')
  async setAttribute(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Param('key') key: string,
    @Param('relatedId', RecordIdPipe) relatedId: number,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const { side, end } = await this.changeableList(user, moduleName, id, key);
    try {
      await this.relations.setAttribute(user, side, end, relatedId, stringOf(body.attribute) ?? '');
    } catch (error) {
      // The select offers the relation's values only, so another value comes from no form of this app.
      if (error instanceof RelationRefusedError) throw new BadRequestException();
      throw error;
    }
    this.returnToList(response, side, end, 'relations.attributeSaved');
  }

  /** Shows a message and returns to the related list on the record's page. */
  private returnToList(response: Response, side: RelationSide, end: RelationEnd, messageKey: string): void {
    setFlash(response, messageKey);
    response.redirect(303, `/${side.moduleName}/${side.id}#${relationAnchor(end)}`);
  }

  /** Finds the list and checks that the user may change its links; NotFound for a record out of reach. */
  private async changeableList(
    user: CurrentUser,
    moduleName: string,
    id: number,
    key: string,
  ): Promise<{ side: RelationSide; end: RelationEnd }> {
    const end = this.registry.relationEnd(moduleName, key);
    const side = { moduleName, id };
    await this.relations.requireChangeable(user, side, end);
    return { side, end };
  }

  /** Runs a change and turns a rejection by the relation rules into the errors of a failed save. */
  private async rejectionAsError(change: () => Promise<SaveResult>): Promise<SaveResult> {
    try {
      return await change();
    } catch (error) {
      if (!(error instanceof RelationRefusedError)) throw error;
      return { ok: false, errors: { relation: { code: error.messageKey } } };
    }
  }

  private saveErrors(user: CurrentUser, end: RelationEnd, result: SaveResult): ErrorEntry[] {
    if (result.ok) return [];
    return Object.entries(result.errors).map(([name, error]) => {
      if (name === 'relation') return this.errorEntry(user, end, error.code);
      const field = this.registry.field(end.module, name);
      return {
        name: 'related',
        label: field ? translate(user.locale, field.label) : name,
        error: this.views.errorMessage(user.locale, error),
      };
    });
  }

  private errorEntry(user: CurrentUser, end: RelationEnd, messageKey: string): ErrorEntry {
    return {
      name: 'related',
      label: translate(user.locale, end.label),
      error: translate(user.locale, messageKey),
    };
  }

  private async pageHeader(user: CurrentUser, side: RelationSide, end: RelationEnd) {
    const manifest = this.registry.get(side.moduleName);
    const record = await this.records.findVisible(side.moduleName, user, side.id);
    return {
      moduleHref: `/${manifest.name}`,
      moduleLabel: translate(user.locale, manifest.label),
      recordHref: `/${manifest.name}/${side.id}`,
      recordName: recordName(manifest, record.values) || `#${side.id}`,
      listLabel: translate(user.locale, end.label),
      returnHref: `/${manifest.name}/${side.id}#${relationAnchor(end)}`,
      action: `/relations/${manifest.name}/${side.id}/${end.key}`,
    };
  }

  private async renderPicker(
    response: Response,
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    params: Record<string, unknown>,
    errors: ErrorEntry[],
  ): Promise<void> {
    const search = stringOf(params.q) ?? '';
    const page = /^\d{1,6}$/.test(stringOf(params.page) ?? '') ? Number(params.page) : 1;
    const header = await this.pageHeader(user, side, end);
    const found = await this.relations.candidates(user, side, end, search, page);
    const chosen = idOf(params.related_id);
    const base = header.action;
    const heading = translate(user.locale, 'relations.picker.heading', {
      list: header.listLabel,
      name: header.recordName,
    });
    response.render('records/relation-picker', {
      title: 'relations.picker.title',
      titleText: heading,
      heading,
      ...header,
      search,
      total: found.total,
      countText: translate(user.locale, 'relations.picker.found', { count: found.total }),
      candidates: found.records.map((record) => ({
        id: record.id,
        name: record.name || `#${record.id}`,
        checked: record.id === chosen,
      })),
      attribute: this.attributeModel(user, end, stringOf(params.attribute) ?? ''),
      page: found.page,
      pageCount: found.pageCount,
      previousHref:
        found.page > 1 ? base + queryString({ q: search }, { page: String(found.page - 1) }) : undefined,
      nextHref:
        found.page < found.pageCount
          ? base + queryString({ q: search }, { page: String(found.page + 1) })
          : undefined,
      errorSummary: errors,
    });
  }

  private attributeModel(user: CurrentUser, end: RelationEnd, selected: string) {
    if (end.kind !== 'many' || !end.relation.attribute) return undefined;
    return {
      label: translate(user.locale, end.relation.attribute.label),
      options: end.relation.attribute.values.map((entry) => ({
        value: entry.value,
        label: translate(user.locale, entry.label),
        selected: entry.value === selected,
      })),
    };
  }

  private async renderUnlink(
    response: Response,
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    relatedId: number,
    errors: ErrorEntry[],
  ): Promise<void> {
    const header = await this.pageHeader(user, side, end);
    const related = await this.records.findVisible(end.module, user, relatedId);
    const relatedName = recordName(this.registry.get(end.module), related.values) || `#${relatedId}`;
    const heading = translate(user.locale, 'relations.unlink.heading');
    response.render('records/relation-unlink', {
      title: 'relations.unlink.heading',
      titleText: heading,
      heading,
      ...header,
      question: translate(user.locale, 'relations.unlink.confirm', {
        related: relatedName,
        name: header.recordName,
        list: header.listLabel,
      }),
      unlinkAction: errors.length > 0 ? undefined : `${header.action}/${relatedId}/unlink`,
      errorSummary: errors,
    });
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function idOf(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}
