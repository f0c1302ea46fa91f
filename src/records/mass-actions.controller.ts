import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { UsersService } from '../users/users.service.js';
import { formText, InputFormat, readOwner } from './field-codec.js';
import { FieldDefinition, ModuleManifest } from './manifest.js';
import {
  MassActionsService,
  MassChange,
  MassOutcome,
  MassRefusal,
  MassSelection,
  MAX_MASS_RECORDS,
} from './mass-actions.service.js';
import { MAX_LISTED_REFUSALS, storedMassResult, storeMassResult, summariseOutcome } from './mass-result.js';
import { ModuleRegistry } from './module-registry.js';
import { PicklistsService } from './picklists.service.js';
import { FieldError, missingError, parseSubmission } from './record-validation.js';
import { recordNameSql } from './record-names.js';
import { RecordViews } from './record-views.js';
import { RecordsService } from './records.service.js';
import { CSV_MULTI_SEPARATOR, tickedValues } from './multi-values.js';
import { DATE_FORMAT_OF, NUMBER_FORMAT_OF } from './values.js';

type Body = Record<string, unknown>;

/**
 * Mass actions from a module's list page: reassign, change one field, or delete the selected records
 * or every record matching the list's filters. Routes live under /mass, because /:module/:id is the
 * detail page of a record.
 */
@Controller('mass')
export class MassActionsController {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly views: RecordViews,
    private readonly picklists: PicklistsService,
    private readonly users: UsersService,
    private readonly massActions: MassActionsService,
    private readonly permissions: PermissionsService,
  ) {}

  /** The list page's action bar posts here: a reassignment runs at once, the others ask for more first. */
  @Post(':module')
  @HttpCode(200)
  async start(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: Body,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const selection = selectionOf(body);
    const ids = await this.resolveOrExplain(response, user, manifest, selection);
    if (!ids) return;

    if (body.action === 'reassign') {
      const assignee = typeof body.assigned_user_id === 'string' ? body.assigned_user_id : '';
      if (readOwner(assignee) === undefined) return this.explain(response, user, manifest, 'mass.chooseUser');
      const change: MassChange = { kind: 'update', input: { assigned_user_id: assignee } };
      const outcome = await this.massActions.apply(moduleName, user, ids, change, formatOf(user));
      return this.showResult(response, manifest, outcome);
    }

    if (body.action === 'edit') {
      const field = await this.editableField(user, manifest, body.field);
      if (!field) return this.rejectField(response, user, manifest, body.field);
      return this.renderEditPage(response, user, manifest, {
        selection,
        count: ids.length,
        field,
        value: '',
      });
    }

    if (body.action === 'delete') {
      response.render('records/mass-delete', {
        title: 'mass.deleteTitle',
        ...this.pageModel(user, manifest, selection, ids.length),
        linked: await this.linkedCounts(user, manifest, ids),
      });
      return;
    }

    this.explain(response, user, manifest, 'mass.chooseAction');
  }

  /** Sets one field of every selected record to the typed value. */
  @Post(':module/edit')
  @HttpCode(200)
  async edit(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: Body,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const field = await this.editableField(user, manifest, body.field);
    if (!field) return this.rejectField(response, user, manifest, body.field);
    const selection = selectionOf(body);
    const ids = await this.resolveOrExplain(response, user, manifest, selection);
    if (!ids) return;

    // A value that cannot be read would fail on every record in the same way, so it is rejected once, here.
    const raw = body[field.name];
    const ticked = field.type === 'multipicklist' ? tickedValues(raw) : undefined;
    const submitted = formText(field, raw);
    const value = ticked ?? (typeof submitted === 'string' ? submitted : '');
    const error = this.valueError(user, field, value);
    if (error) {
      return this.renderEditPage(response.status(422), user, manifest, {
        selection,
        count: ids.length,
        field,
        value: ticked ? ticked.join(CSV_MULTI_SEPARATOR) : (value as string),
        error,
      });
    }

    const change: MassChange = { kind: 'update', input: { [field.name]: value } };
    const outcome = await this.massActions.apply(moduleName, user, ids, change, formatOf(user));
    this.showResult(response, manifest, outcome);
  }

  @Post(':module/delete')
  @HttpCode(200)
  async delete(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: Body,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const ids = await this.resolveOrExplain(response, user, manifest, selectionOf(body));
    if (!ids) return;

    const outcome = await this.massActions.apply(moduleName, user, ids, { kind: 'delete' }, formatOf(user));
    this.showResult(response, manifest, outcome, true);
  }

  /** Counts the records of other modules that would lose their link to the records being deleted. */
  private async linkedCounts(user: CurrentUser, manifest: ModuleManifest, ids: number[]) {
    // A selected record the user may not see is not deleted, and its links must not reveal that it exists.
    const visibleIds = [...(await this.visibleNames(manifest, user, ids)).keys()];
    const linked = [];
    for (const { manifest: other, field } of this.registry.incomingLinks(manifest.name)) {
      // Every linking record loses its link, including those this user cannot see, so all are counted.
      const count = await this.records.countLinkingAny(other.name, field.name, visibleIds);
      if (count > 0)
        linked.push({
          count,
          label: translate(user.locale, other.label),
          field: translate(user.locale, field.label),
        });
    }
    return linked;
  }

  /** Returns the error of a value that no record could take, or undefined for a readable value. */
  private valueError(
    user: CurrentUser,
    field: FieldDefinition,
    value: string | string[],
  ): FieldError | undefined {
    const parsed = parseSubmission([field], { [field.name]: value }, formatOf(user));
    if (parsed.errors[field.name]) return parsed.errors[field.name];
    return missingError(field, parsed.values[field.name]);
  }

  /** Resolves the selection, or renders why it cannot be used and returns undefined. */
  private async resolveOrExplain(
    response: Response,
    user: CurrentUser,
    manifest: ModuleManifest,
    selection: MassSelection,
  ): Promise<number[] | undefined> {
    const ids = await this.massActions.resolve(manifest.name, user, selection);
    if (ids === undefined) {
      this.explain(response, user, manifest, 'mass.tooMany', { max: MAX_MASS_RECORDS });
      return undefined;
    }
    if (ids.length === 0) {
      this.explain(response, user, manifest, 'mass.noneSelected');
      return undefined;
    }
    return ids;
  }

  private explain(
    response: Response,
    user: CurrentUser,
    manifest: ModuleManifest,
    key: string,
    params: Record<string, unknown> = {},
  ): void {
    response.status(422).render('records/mass-message', {
      title: 'mass.title',
      module: manifest.name,
      moduleLabel: translate(user.locale, manifest.label),
      message: translate(user.locale, key, params),
    });
  }

  /** Finds a field the user may set on many records: mass-editable, and neither hidden nor read-only for them. */
  private async editableField(
    user: CurrentUser,
    manifest: ModuleManifest,
    name: unknown,
  ): Promise<FieldDefinition | undefined> {
    const permissions = await this.permissions.forUser(user);
    return this.registry
      .massEditableFields(manifest.name)
      .find((field) => field.name === name && !permissions.isReadOnly(manifest.name, field));
  }

  /** Explains why a field cannot be mass edited: read-only for everybody, or not chosen at all. */
  private rejectField(response: Response, user: CurrentUser, manifest: ModuleManifest, name: unknown): void {
    const field = manifest.fields.find((candidate) => candidate.name === name);
    if (!field?.readOnlyForAll) return this.explain(response, user, manifest, 'mass.chooseField');
    this.explain(response, user, manifest, 'mass.fieldReadOnly', {
      field: translate(user.locale, field.label),
    });
  }

  private pageModel(user: CurrentUser, manifest: ModuleManifest, selection: MassSelection, count: number) {
    return {
      module: manifest.name,
      moduleLabel: translate(user.locale, manifest.label),
      count,
      selectionAll: selection.kind === 'query',
      query: selection.kind === 'query' ? selection.query : '',
      ids: selection.kind === 'ids' ? selection.ids : [],
    };
  }

  private async renderEditPage(
    response: Response,
    user: CurrentUser,
    manifest: ModuleManifest,
    form: {
      selection: MassSelection;
      count: number;
      field: FieldDefinition;
      value: string;
      error?: FieldError;
    },
  ): Promise<void> {
    const picklists = await this.picklists.forModule(manifest.name);
    const errors = form.error ? { [form.field.name]: form.error } : {};
    const input = await this.views.formField(form.field, user, form.value, errors, picklists);
    response.render('records/mass-edit', {
      title: 'mass.editTitle',
      ...this.pageModel(user, manifest, form.selection, form.count),
      field: form.field.name,
      fieldLabel: input.label,
      input,
      errorSummary: input.error ? [{ name: form.field.name, label: input.label, error: input.error }] : [],
      errorSummaryHeading: translate(user.locale, 'mass.errorSummary'),
    });
  }

  /**
   * Keeps the outcome in the session and sends the browser to the result page (post/redirect/get), so
   * that reloading the result page shows the result again instead of sending the action again.
   */
  private showResult(
    response: Response,
    manifest: ModuleManifest,
    outcome: MassOutcome,
    deleted = false,
  ): void {
    storeMassResult(response, summariseOutcome(manifest.name, outcome, deleted));
    response.redirect(303, `/mass/${manifest.name}/result`);
  }

  /** Shows how many records the last mass action on the module changed, and which it refused and why. */
  @Get(':module/result')
  async result(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.registry.get(moduleName);
    const stored = storedMassResult(request, moduleName);
    // A new session, or a later mass action on another module, leaves no result to show, so the list follows.
    if (!stored) return response.redirect(303, `/${moduleName}`);

    const names = await this.visibleNames(
      manifest,
      user,
      stored.groups.flatMap((group) => group.ids),
    );
    const groupModels = [];
    for (const group of stored.groups) {
      groupModels.push({
        message: await this.refusalMessage(user, manifest, group.refusal, group.count),
        // A record the user cannot see gets no link, because its page would only show "not found".
        records: group.ids.map((id) =>
          names.has(id) ? { href: `/${manifest.name}/${id}`, name: names.get(id)! } : { name: `#${id}` },
        ),
      });
    }

    response.render('records/mass-result', {
      title: 'mass.resultTitle',
      module: manifest.name,
      moduleLabel: translate(user.locale, manifest.label),
      changedText: translate(user.locale, stored.deleted ? 'mass.binned' : 'mass.changed', {
        count: stored.changed,
      }),
      changed: stored.changed,
      refusedCount: stored.refusedCount,
      groups: groupModels,
      moreRefused: Math.max(0, stored.refusedCount - MAX_LISTED_REFUSALS),
    });
  }

  private async refusalMessage(
    user: CurrentUser,
    manifest: ModuleManifest,
    refusal: MassRefusal,
    count: number,
  ): Promise<string> {
    const locale = user.locale;
    if (refusal.reason !== 'invalid') return translate(locale, `mass.refused.${refusal.reason}`, { count });

    const field = this.registry.field(manifest.name, refusal.field);
    let error = refusal.error;
    // A user or group the role may not assign to is not found by the save, which reads as "not found" otherwise.
    if (field?.type === 'owner' && error.code === 'referenceNotFound') {
      const value = String(error.params?.value);
      error = { code: 'notAssignable', params: { value: (await this.views.ownerName(value)) ?? value } };
    }
    return translate(locale, 'mass.refused.invalid', {
      count,
      field: field ? translate(locale, field.label) : refusal.field,
      error: this.views.errorMessage(locale, error),
    });
  }

  /** Names of the given records that the user may see; the others are shown by number only. */
  private async visibleNames(
    manifest: ModuleManifest,
    user: CurrentUser,
    ids: number[],
  ): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.records
      .visibleQuery(manifest, user)
      .select('t.id', 'id')
      .addSelect(recordNameSql(manifest, 't'), 'name')
      .andWhere('t.id IN (:...ids)', { ids })
      .getRawMany<{ id: number | string; name: string }>();
    return new Map(rows.map((row) => [Number(row.id), String(row.name)]));
  }
}

/**
 * Reads the selection of a form: every record matching the list's query string (scope "all"), the
 * whole page (scope "page"), or the ticked rows. Ids that are not whole numbers are dropped.
 */
function selectionOf(body: Body): MassSelection {
  if (body.scope === 'all') return { kind: 'query', query: typeof body.query === 'string' ? body.query : '' };
  const source = body.scope === 'page' ? body.pageIds : body.ids;
  let values: unknown[] = [];
  if (Array.isArray(source)) values = source;
  else if (source !== undefined) values = [source];
  const ids = values
    .filter((value): value is string => typeof value === 'string' && /^\d{1,10}$/.test(value))
    .map(Number)
    .filter((id) => id > 0);
  return { kind: 'ids', ids };
}

function formatOf(user: CurrentUser): InputFormat {
  return { numberFormat: NUMBER_FORMAT_OF[user.locale], dateFormat: DATE_FORMAT_OF[user.locale] };
}
