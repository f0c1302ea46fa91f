import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { FieldDefinition } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { FieldErrors } from '../records/record-validation.js';
import { Locale } from '../records/values.js';
import { setFlash } from '../web/flash.js';
import { PicklistEditorService, ValuePosition } from './picklist-editor.service.js';
import { picklistPageModel, PicklistPageState, removalPageModel } from './picklist-page-models.js';
import { maxValueLength, PicklistValueInput, Replacement } from './picklist-rules.js';

type FormBody = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function inputFrom(body: FormBody): PicklistValueInput {
  return { value: text(body.value), probability: text(body.probability), outcome: text(body.outcome) };
}

function replacementFrom(raw: string): Replacement {
  if (raw === 'drop') return 'drop';
  return /^\d{1,10}$/.test(raw) ? Number(raw) : null;
}

function positionFrom(raw: string): ValuePosition {
  if (raw === 'start') return 'start';
  return /^\d{1,10}$/.test(raw) ? Number(raw) : 'end';
}

/**
 * The Layout Editor's picklist pages: a module's picklists, and per picklist its values, which an
 * administrator adds, renames, reorders and removes. Every form works without JavaScript.
 */
@Controller('admin/layout')
@RequiresAdminArea('layout')
export class PicklistsController {
  constructor(
    private readonly editor: PicklistEditorService,
    private readonly registry: ModuleRegistry,
  ) {}

  @Get(':module/picklists')
  async picklists(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const counts = await this.editor.valueCountsByField(moduleName);
    response.render('admin/layout/picklists', {
      title: 'picklists.title',
      module: { name: manifest.name, label: translate(user.locale, manifest.label) },
      fields: this.editor.picklistFields(moduleName).map((field) => ({
        name: field.name,
        label: translate(user.locale, field.label),
        required: Boolean(field.required),
        pipelineStages: Boolean(field.pipelineStages),
        multiple: field.type === 'multipicklist',
        valueCount: counts.get(field.name) ?? 0,
      })),
    });
  }

  @Get(':module/picklists/:field')
  async picklist(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderPicklist(response, user, moduleName, fieldName, {});
  }

  @Post(':module/picklists/:field/values')
  async add(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const input = inputFrom(body);
    const position = text(body.position);
    const result = await this.editor.add(moduleName, fieldName, input, positionFrom(position));
    if (!result.ok) {
      const state = { form: 'new' as const, input: { ...input, position }, errors: result.errors };
      return this.renderPicklist(response.status(422), user, moduleName, fieldName, state);
    }
    setFlash(response, 'picklists.flash.added', { value: result.value });
    response.redirect(303, this.picklistPath(moduleName, fieldName));
  }

  @Post(':module/picklists/:field/values/:id')
  async update(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const input = inputFrom(body);
    const result = await this.editor.update(user, moduleName, fieldName, id, input);
    if (!result.ok) {
      const state = { form: id, input, errors: result.errors };
      return this.renderPicklist(response.status(422), user, moduleName, fieldName, state);
    }
    if (result.value === result.previous)
      setFlash(response, 'picklists.flash.saved', { value: result.value });
    else
      setFlash(response, 'picklists.flash.renamed', {
        previous: result.previous,
        value: result.value,
        count: result.changedRecords,
      });
    response.redirect(303, this.picklistPath(moduleName, fieldName));
  }

  @Post(':module/picklists/:field/values/:id/move')
  async move(
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const direction = body.direction === 'up' ? 'up' : 'down';
    const result = await this.editor.move(moduleName, fieldName, id, direction);
    if (result.ok) setFlash(response, `picklists.flash.moved`, { value: result.value });
    response.redirect(303, `${this.picklistPath(moduleName, fieldName)}#row-${id}`);
  }

  @Get(':module/picklists/:field/values/:id/remove')
  async removePage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderRemoval(response, user, moduleName, fieldName, id, null, undefined);
  }

  @Post(':module/picklists/:field/values/:id/remove')
  async remove(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const replacementId = replacementFrom(text(body.replacement));
    const result = await this.editor.remove(user, moduleName, fieldName, id, replacementId);
    if (!result.ok) {
      const status = response.status(422);
      return this.renderRemoval(status, user, moduleName, fieldName, id, replacementId, result.errors);
    }
    if (result.replacement === undefined && result.changedRecords > 0)
      setFlash(response, 'picklists.flash.removedFromRecords', {
        value: result.value,
        count: result.changedRecords,
      });
    else if (result.replacement === undefined)
      setFlash(response, 'picklists.flash.removedUnused', { value: result.value });
    else
      setFlash(response, 'picklists.flash.removed', {
        value: result.value,
        replacement: result.replacement,
        count: result.changedRecords,
      });
    response.redirect(303, this.picklistPath(moduleName, fieldName));
  }

  private picklistPath(moduleName: string, fieldName: string): string {
    return `/admin/layout/${moduleName}/picklists/${fieldName}`;
  }

  private async renderPicklist(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    state: PicklistPageState,
  ): Promise<void> {
    const field = this.editor.picklistField(moduleName, fieldName);
    const values = await this.editor.values(moduleName, fieldName);
    response.render('admin/layout/picklist', {
      title: 'picklists.title',
      ...this.headingOf(user.locale, moduleName, field),
      ...picklistPageModel(user.locale, values, state),
    });
  }

  private async renderRemoval(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    id: number,
    replacementId: Replacement,
    failedErrors: FieldErrors | undefined,
  ): Promise<void> {
    const field = this.editor.picklistField(moduleName, fieldName);
    const preview = await this.editor.removalPreview(moduleName, fieldName, id);
    response.render('admin/layout/picklist-remove', {
      title: 'picklists.title',
      ...this.headingOf(user.locale, moduleName, field),
      id,
      ...removalPageModel(user.locale, preview, replacementId, failedErrors, field.type === 'multipicklist'),
    });
  }

  /** Returns the module and field labels that every picklist page shows in its heading and breadcrumb. */
  private headingOf(locale: Locale, moduleName: string, field: FieldDefinition) {
    const manifest = this.registry.get(moduleName);
    return {
      module: { name: manifest.name, label: translate(locale, manifest.label) },
      field: {
        name: field.name,
        label: translate(locale, field.label),
        pipelineStages: Boolean(field.pipelineStages),
        multiple: field.type === 'multipicklist',
        maxLength: maxValueLength(field),
      },
      picklistPath: this.picklistPath(moduleName, field.name),
    };
  }
}
