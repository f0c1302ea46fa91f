import { Body, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService, UserPermissions } from '../access/permissions.service.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { essentialReason } from '../layout/module-layout.js';
import { formatForDisplay, formatForInput } from './field-codec.js';
import type { ColumnsForm } from './list-columns.js';
import { ListColumnsService } from './list-columns.service.js';
import { DetailExtensions, DetailExtras, mergeDetailExtras } from './detail-extensions.js';
import { FieldDefinition, FILTER_ANY, FILTER_EMPTY, FILTER_SET, ModuleManifest } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { CSV_MULTI_SEPARATOR, tickedValues } from './multi-values.js';
import { PicklistSet, PicklistsService } from './picklists.service.js';
import { defaultValueOf, FieldErrors } from './record-validation.js';
import { assertUnlocked, isLocked } from './record-lock.js';
import { setFlash } from '../web/flash.js';
import { RecordIdPipe } from './record-id.pipe.js';
import { nameFieldsOf, recordName } from './record-names.js';
import { DisplayCell, RecordViews } from './record-views.js';
import {
  LinkNames,
  ListQuery,
  ListResult,
  RecordsService,
  SaveResult,
  StoredRecord,
} from './records.service.js';
import { DuplicateMatch } from './duplicate-finder.service.js';
import { FieldRelationEnd, relationAnchor } from './relation-ends.js';
import { manyListModel, relationListLinks, unlinkHref } from './relation-lists.js';
import { RelationsService, RETURN_LIST_FIELD, returnListPath } from './relations.service.js';
import type { TimelineQuery } from './timeline-section.js';
import { TimelineSection } from './timeline-section.js';
import { duplicateName } from './duplicate-names.js';
import { DATE_FORMAT_OF, Locale, NUMBER_FORMAT_OF } from './values.js';
import { UsersService } from '../users/users.service.js';
import {
  OPENED_VALUES_FIELD,
  OPENED_VERSION_FIELD,
  OpenedForm,
  openedFormInputs,
  openedFormOf,
  openedVersionOf,
  StaleSavePage,
  StaleSaveView,
} from './stale-save.js';

type QueryParams = Record<string, string | string[] | undefined>;

export type { DetailExtras } from './detail-extensions.js';

/** Reads the list's search, filters, sort and page from the URL. Unknown parameters are ignored. */
export function listQueryFrom(params: QueryParams): ListQuery {
  const filters: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(params)) {
    if (['q', 'sort', 'dir', 'page', 'after', 'before', '_csrf'].includes(key) || value === undefined)
      continue;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))
      filters[key] = value;
  }
  const page = typeof params.page === 'string' && /^\d{1,6}$/.test(params.page) ? Number(params.page) : 1;
  return {
    search: typeof params.q === 'string' ? params.q : undefined,
    filters,
    sort: typeof params.sort === 'string' ? params.sort : undefined,
    direction: params.dir === 'desc' ? 'desc' : 'asc',
    page,
    after: typeof params.after === 'string' ? params.after : undefined,
    before: typeof params.before === 'string' ? params.before : undefined,
  };
}

/**
 * Marks the fields the user's profile hides, so that the list ignores a filter, sort or search on them
 * that a URL carries.
 */
export function withoutHiddenFields(
  request: ListQuery,
  fields: FieldDefinition[],
  moduleName: string,
  permissions: UserPermissions,
): ListQuery {
  const hidden = fields.filter((field) => permissions.isHidden(moduleName, field)).map((field) => field.name);
  return { ...request, hiddenFields: new Set(hidden) };
}

/** Rebuilds a query string from parameters, replacing some; used for sort and page links. */
export function queryString(params: QueryParams, changes: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...changes })) {
    if (value === undefined || value === '' || key === '_csrf') continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Builds the link to a neighbouring page, or undefined at either end of the list; page 1 needs no cursor. */
function pageLink(
  base: string,
  params: QueryParams,
  cursor: string | undefined,
  side: 'after' | 'before',
  page: number,
): string | undefined {
  if (!cursor) return undefined;
  const changes = { after: undefined, before: undefined, page: page > 1 ? String(page) : undefined };
  return base + queryString(params, page > 1 ? { ...changes, [side]: cursor } : changes);
}

/**
 * The list, detail, create, edit and delete pages of a module, generated from its manifest. A business
 * module's controller extends this class and adds only what is its own.
 */
export abstract class RecordPagesController {
  // Injected as a property so that the business modules' controllers, which pass the constructor's
  // arguments on, need no change for it.
  @Inject(ListColumnsService) protected readonly listColumns!: ListColumnsService;
  @Inject(DetailExtensions) private readonly detailExtensions!: DetailExtensions;
  @Inject(RelationsService) private readonly relations!: RelationsService;
  @Inject(TimelineSection) private readonly timelineSection!: TimelineSection;
  @Inject(StaleSavePage) private readonly staleSavePage!: StaleSavePage;

  protected constructor(
    protected readonly moduleName: string,
    protected readonly registry: ModuleRegistry,
    protected readonly records: RecordsService,
    protected readonly views: RecordViews,
    protected readonly picklists: PicklistsService,
    protected readonly users: UsersService,
    protected readonly permissions: PermissionsService,
  ) {}

  protected get manifest(): ModuleManifest {
    return this.registry.get(this.moduleName);
  }

  @Get()
  async listPage(
    @User() user: CurrentUser,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'view');
    const request = withoutHiddenFields(
      listQueryFrom(params),
      this.registry.fields(this.moduleName),
      this.moduleName,
      permissions,
    );
    const result = await this.records.list(this.moduleName, user, request);
    response.render('records/list', {
      ...(await this.listModel(user, params, result, permissions)),
      ...(await this.extraListModel(user, params, result)),
    });
  }

  /** Lets a module add to its list page (the potentials board link, for example). */
  protected extraListModel(
    _user: CurrentUser,
    _params: QueryParams,
    _result: ListResult,
  ): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }

  protected async listModel(
    user: CurrentUser,
    params: QueryParams,
    result: ListResult,
    permissions: UserPermissions,
  ) {
    const manifest = this.manifest;
    const locale = user.locale;
    const columns = await this.listColumns.columns(user, manifest.name, permissions);
    const totalFields = permissions.visible(
      manifest.name,
      (manifest.listTotals ?? []).map((name) => this.registry.field(manifest.name, name)!),
    );
    const base = `/${manifest.name}`;

    return {
      title: manifest.label,
      module: manifest.name,
      moduleLabel: translate(locale, manifest.label),
      singularLabel: translate(locale, manifest.singularLabel),
      search: params.q ?? '',
      filters: await this.filterControls(user, params, permissions),
      columns: columns.map((field) => {
        const sorted = result.sort === field.name;
        const direction = sorted && result.direction === 'asc' ? 'desc' : 'asc';
        return {
          label: translate(locale, field.label),
          // The list does not sort on a text area, so its heading is no link.
          href:
            field.type === 'textarea'
              ? undefined
              : base +
                queryString(params, {
                  sort: field.name,
                  dir: direction,
                  page: undefined,
                  after: undefined,
                  before: undefined,
                }),
          sorted,
          ariaSort: sorted ? (result.direction === 'asc' ? 'ascending' : 'descending') : 'none',
          numeric: field.type === 'currency' || field.type === 'percent' || field.type === 'integer',
        };
      }),
      rows: result.records.map((record) => ({
        id: record.id,
        name: recordName(manifest, record.values) || `#${record.id}`,
        href: `${base}/${record.id}`,
        cells: this.rowCells(manifest, columns, record, result.names, locale).map((cell, index) => ({
          ...cell,
          numeric: ['currency', 'percent', 'integer'].includes(columns[index].type),
        })),
      })),
      // One more column contains the selection checkboxes.
      columnSpan: columns.length + 1,
      total: result.total,
      totals: totalFields.map((field) => ({
        label: translate(locale, field.label),
        text: formatForDisplay(field, result.totals[field.name], locale),
      })),
      page: result.page,
      pageCount: result.pageCount,
      previousHref: pageLink(base, params, result.previousCursor, 'before', result.page - 1),
      nextHref: pageLink(base, params, result.nextCursor, 'after', result.page + 1),
      exportHref: permissions.can(manifest.name, 'export')
        ? `/export/${manifest.name}${queryString(params, { page: undefined, after: undefined, before: undefined })}`
        : undefined,
      importHref: permissions.can(manifest.name, 'import') ? `/import/${manifest.name}` : undefined,
      columnsHref: `${base}/columns${queryString(params, {})}`,
      newHref: permissions.can(manifest.name, 'create') ? `/${manifest.name}/new` : undefined,
      quickCreateHref: permissions.can(manifest.name, 'create')
        ? `/${manifest.name}/quick-create`
        : undefined,
      mass: await this.massActionsModel(user, params, permissions),
      invalidFilters: result.invalidFilters.map((name) => this.filterLabel(locale, name)),
    };
  }

  /** Names a filter in the list's warning: the field's label, with "from" or "to" for one end of a range. */
  private filterLabel(locale: Locale, name: string): string {
    const [, fieldName, end] = /^(.*?)(?:_(from|to))?$/.exec(name)!;
    const field =
      this.registry.field(this.manifest.name, fieldName) ?? this.registry.field(this.manifest.name, name);
    if (!field) return name;
    const label = translate(locale, field.label);
    if (field.name === name || !end) return label;
    return translate(locale, end === 'from' ? 'list.invalidFilterFrom' : 'list.invalidFilterTo', {
      field: label,
    });
  }

  /** Builds the choices of the list's action bar. "All that match" carries the list's search and filters. */
  private async massActionsModel(user: CurrentUser, params: QueryParams, permissions: UserPermissions) {
    const locale = user.locale;
    const listParams = {
      page: undefined,
      after: undefined,
      before: undefined,
      sort: undefined,
      dir: undefined,
    };
    return {
      query: queryString(params, listParams).replace(/^\?/, ''),
      owners: await this.views.ownerChoices(user, 'assign', ''),
      fields: this.registry
        .massEditableFields(this.moduleName)
        .filter((field) => !permissions.isReadOnly(this.moduleName, field))
        .map((field) => ({
          value: field.name,
          label: translate(locale, field.label),
        })),
    };
  }

  /** Builds the filter bar: a select for picklists and users, a range for dates. */
  private async filterControls(user: CurrentUser, params: QueryParams, permissions: UserPermissions) {
    const locale = user.locale;
    const picklists = await this.picklists.forModule(this.moduleName);
    const controls = [];
    const filterFields = permissions.visible(
      this.moduleName,
      this.manifest.fields.filter((f) => f.filter || f.presenceFilter),
    );

    for (const field of filterFields) {
      const label = translate(locale, field.label);
      const current = typeof params[field.name] === 'string' ? (params[field.name] as string) : '';
      if (field.presenceFilter) {
        controls.push(this.presenceFilter(locale, field, current));
      } else if (field.type === 'multipicklist') {
        controls.push(this.multiValueFilter(user, field, label, params[field.name], picklists));
      } else if (
        field.type === 'picklist' ||
        field.type === 'user' ||
        field.type === 'owner' ||
        field.type === 'checkbox'
      ) {
        let choices: { value: string; label: string }[] = [];
        if (field.type === 'checkbox')
          choices = [
            { value: '1', label: translate(locale, 'common.yes') },
            { value: '0', label: translate(locale, 'common.no') },
          ];
        else if (field.type === 'picklist')
          choices = picklists.values(field.name).map((entry) => ({ value: entry.value, label: entry.value }));
        else if (field.type === 'user')
          choices = (await this.users.listActive()).map((u) => ({ value: String(u.id), label: u.fullName }));
        const optionSections =
          field.type === 'owner' ? await this.views.ownerChoices(user, 'filter', current) : undefined;
        // A filter on a value no longer offered (a deactivated user, a deleted group or picklist value) stays
        // visible as chosen, rather than the drop-down reading "Any" over a filtered list.
        const offered = [...choices, ...(optionSections ?? []).flatMap((section) => section.options)];
        if (current !== '' && !offered.some((choice) => choice.value === current)) {
          const name =
            field.type === 'picklist' || field.type === 'checkbox'
              ? undefined
              : await this.views.ownerName(current);
          choices.push({
            value: current,
            label: translate(locale, 'list.notOffered', { value: name ?? current }),
          });
        }
        controls.push({
          name: field.name,
          label,
          select: true,
          options: [
            { value: '', label: translate(locale, 'list.any'), selected: current === '' },
            ...choices.map((c) => ({ ...c, selected: c.value === current })),
          ],
          optionSections,
        });
      } else if (RANGE_INPUT_TYPES[field.type]) {
        controls.push({
          name: field.name,
          label,
          range: true,
          inputType: RANGE_INPUT_TYPES[field.type],
          from: typeof params[`${field.name}_from`] === 'string' ? params[`${field.name}_from`] : '',
          to: typeof params[`${field.name}_to`] === 'string' ? params[`${field.name}_to`] : '',
        });
      }
    }
    return controls;
  }

  /**
   * Builds the filter that keeps the records whose field is set, or empty, or all of them. With a default
   * filter on the field, "Any" sends FILTER_ANY, so that the choice survives the list's sort and page links.
   */
  private presenceFilter(locale: Locale, field: FieldDefinition, current: string) {
    const preset = this.manifest.defaultFilters?.[field.name];
    const anyValue = preset === undefined ? '' : FILTER_ANY;
    const chosen = current === '' ? (preset ?? '') : current;
    const options = [
      { value: anyValue, label: translate(locale, 'list.any') },
      { value: FILTER_EMPTY, label: translate(locale, field.presenceFilter!.emptyLabel) },
      { value: FILTER_SET, label: translate(locale, field.presenceFilter!.setLabel) },
    ];
    return {
      name: field.name,
      label: translate(locale, field.label),
      select: true,
      options: options.map((option) => ({ ...option, selected: option.value === chosen })),
    };
  }

  /**
   * Builds the filter of a multi-select picklist: a list box where several values may be chosen, and the list
   * keeps the records that have any of them. Chosen values no longer listed stay visible as chosen.
   */
  private multiValueFilter(
    user: CurrentUser,
    field: FieldDefinition,
    label: string,
    param: string | string[] | undefined,
    picklists: PicklistSet,
  ) {
    const params = Array.isArray(param) ? param : [param ?? ''];
    const chosen = params.filter((value) => value !== '');
    const listed = picklists.values(field.name).map((entry) => entry.value);
    const unlisted = chosen.filter((value) => !listed.includes(value));
    return {
      name: field.name,
      label,
      multiple: true,
      hint: translate(user.locale, 'list.anyOfHint'),
      options: [
        ...listed.map((value) => ({ value, label: value, selected: chosen.includes(value) })),
        ...unlisted.map((value) => ({
          value,
          label: translate(user.locale, 'list.notOffered', { value }),
          selected: true,
        })),
      ],
    };
  }

  @Get('new')
  async newPage(
    @User() user: CurrentUser,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'create');
    const values = this.newValues(user, params, permissions);
    const returnList = stringParam(params[RETURN_LIST_FIELD]);
    await this.relations.requireReturnList(user, this.moduleName, returnList);
    await this.renderForm(response, user, null, values, {}, permissions, { returnList });
  }

  /**
   * The quick create form: the mandatory fields, the essential ones and those the Layout Editor puts in
   * quick create, in layout order. It posts to the create route, which shows its errors on this form.
   */
  @Get('quick-create')
  async quickCreatePage(
    @User() user: CurrentUser,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'create');
    const values = this.newValues(user, params, permissions);
    await this.renderForm(response, user, null, values, {}, permissions, { form: 'quick' });
  }

  /**
   * The values a create form starts with: the fields' default values, then values from the URL, so that
   * "add" from a related list comes back already linked, and the user as the assignee.
   */
  private newValues(
    user: CurrentUser,
    params: QueryParams,
    permissions: UserPermissions,
  ): Record<string, string> {
    const values: Record<string, string> = {};
    for (const field of this.registry.writableFields(this.moduleName)) {
      const preset = defaultValueOf(field);
      if (preset !== null) values[field.name] = formatForInput(field, preset, user.locale);
      if (permissions.isReadOnly(this.moduleName, field)) continue;
      if (typeof params[field.name] === 'string') values[field.name] = params[field.name] as string;
    }
    if (!values.assigned_user_id) values.assigned_user_id = String(user.id);
    return values;
  }

  @Post()
  async create(
    @User() user: CurrentUser,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'create');
    // A record created from a related list's "Add new" is linked there, so the link is checked before saving.
    const returnList = stringParam(body[RETURN_LIST_FIELD]);
    const relatedList = await this.relations.requireReturnList(user, this.moduleName, returnList);
    const result = await this.saveForm(user, null, body);
    if (!result.ok) {
      // A read-only field is not submitted, so it shows its default value again, as the record will get it.
      const values = stringValues(body, this.manifest.fields);
      const preset = this.newValues(user, {}, permissions);
      for (const field of this.registry.writableFields(this.moduleName)) {
        if (permissions.isReadOnly(this.moduleName, field) && field.name in preset)
          values[field.name] = preset[field.name];
      }
      return this.renderForm(
        response.status(formStatus(result)),
        user,
        null,
        values,
        result.errors,
        permissions,
        {
          form: body._form === 'quick' ? 'quick' : 'full',
          duplicates: result.duplicates,
          submitted: body,
          returnList,
        },
      );
    }
    setFlash(response, 'flash.saved');
    if (relatedList) {
      await this.relations.linkCreated(user, relatedList, result.id);
      const { side, end } = relatedList;
      return response.redirect(303, `/${side.moduleName}/${side.id}#${relationAnchor(end)}`);
    }
    response.redirect(303, `/${this.moduleName}/${result.id}`);
  }

  /** The column chooser; `params` are the list's search, filters and sort, which the page returns to. */
  @Get('columns')
  async columnsPage(
    @User() user: CurrentUser,
    @Query() params: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'view');
    const listQuery = queryString(params, {}).replace(/^\?/, '');
    response.render(
      'records/columns',
      await this.listColumns.chooserPage(user, this.moduleName, permissions, listQuery),
    );
  }

  /**
   * Saves the user's columns and returns to the list with its filters, or resets them to the default
   * columns. A move button saves too and comes back to the chooser at the moved field.
   */
  @Post('columns')
  async saveColumns(
    @User() user: CurrentUser,
    @Body() body: ColumnsForm & { list_query?: unknown },
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'view');
    const outcome = await this.listColumns.saveForm(user, this.moduleName, body, permissions);
    // Parsed and written again, so that the redirect stays on this list whatever the field contains.
    const listQuery = new URLSearchParams(
      typeof body.list_query === 'string' ? body.list_query : '',
    ).toString();
    const query = listQuery ? `?${listQuery}` : '';

    if (outcome.moved) {
      response.redirect(303, `/${this.moduleName}/columns${query}#column-${outcome.moved}`);
      return;
    }
    setFlash(response, outcome.reset ? 'list.columnsReset' : 'list.columnsSaved');
    response.redirect(303, `/${this.moduleName}${query}`);
  }

  @Get(':id')
  async detailPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Query() query: TimelineQuery,
    @Res() response: Response,
  ): Promise<void> {
    const manifest = this.manifest;
    const permissions = await this.permissions.require(user, this.moduleName, 'view');
    const record = await this.records.findVisible(this.moduleName, user, id);
    const names = await this.records.linkNames(manifest, [record], user);
    const locale = user.locale;
    const fields = permissions.visible(this.moduleName, this.registry.fields(this.moduleName));

    const blocks = manifest.blocks.map((block) => ({
      label: translate(locale, block.label),
      fields: fields
        .filter((field) => field.block === block.name)
        .map((field: FieldDefinition) => ({
          label: translate(locale, field.label),
          ...this.views.displayCell(field, record.values[field.name] ?? null, names, locale),
        })),
    }));

    response.render('records/detail', {
      title: manifest.singularLabel,
      module: manifest.name,
      moduleLabel: translate(locale, manifest.label),
      recordName: recordName(manifest, record.values),
      id,
      blocks,
      related: await this.relatedLists(user, record, permissions),
      // Both the profile and the sharing scope must allow the action, so that no button leads to a 403.
      editHref:
        permissions.can(this.moduleName, 'edit') &&
        !isLocked(manifest, record.values) &&
        (await this.records.scopeAllows(this.moduleName, user, id, 'write'))
          ? `/${manifest.name}/${id}/edit`
          : undefined,
      deleteHref:
        permissions.can(this.moduleName, 'delete') &&
        (await this.records.scopeAllows(this.moduleName, user, id, 'delete'))
          ? `/${manifest.name}/${id}/delete`
          : undefined,
      timeline: await this.timelineSection.model(
        user,
        { moduleName: this.moduleName, id },
        permissions,
        query,
      ),
      ...mergeDetailExtras([
        await this.extraDetailModel(user, record, permissions),
        ...(await this.detailExtensions.extrasFor(this.moduleName, user, record, permissions)),
      ]),
    });
  }

  /**
   * Lets a module add to its detail page: `detailNotices` (texts shown above the fields), `detailActions`
   * (links beside Edit) and `detailSections` (module partials after the related lists), as DetailExtras.
   */
  protected extraDetailModel(
    _user: CurrentUser,
    _record: StoredRecord,
    _permissions: UserPermissions,
  ): Promise<DetailExtras> {
    return Promise.resolve({});
  }

  /**
   * Builds the related lists of the detail page that the manifests declare, in the order of the relations
   * menu: records of other modules that link to this one, and many-to-many relations. Each counts the
   * records the user may see only.
   */
  private async relatedLists(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<Record<string, unknown>[]> {
    const lists: Record<string, unknown>[] = [];
    const side = { moduleName: this.moduleName, id: record.id };
    for (const end of this.registry.relationEnds(this.moduleName)) {
      if (!permissions.can(end.module, 'view')) continue;
      const links = relationListLinks(side, end, {
        canChange: await this.relations.canChange(user, side, end),
        canCreate: permissions.can(end.module, 'create'),
      });
      if (end.kind === 'many') {
        const listed = await this.relations.manyList(user, side, end);
        const mainField = end.side === 'a' ? end.relation.mainField : undefined;
        const mainId = mainField ? record.values[mainField] : undefined;
        lists.push({
          ...links,
          ...manyListModel(
            user,
            this.registry,
            side,
            end,
            listed,
            typeof mainId === 'number' ? mainId : undefined,
            links.selectHref !== undefined,
          ),
        });
        continue;
      }
      lists.push({ ...links, ...(await this.linkFieldList(user, record.id, end, permissions)) });
      const last = lists[lists.length - 1] as { rows: { id: number; unlinkHref?: string }[] };
      if (links.selectHref && !end.field.required)
        for (const row of last.rows) row.unlinkHref = unlinkHref(side, end, row.id);
    }
    return lists;
  }

  /** Lists the records of another module whose link field points to this one, with their count and totals. */
  private async linkFieldList(
    user: CurrentUser,
    id: number,
    { module: moduleName, field }: FieldRelationEnd,
    permissions: UserPermissions,
  ) {
    const manifest = this.registry.get(moduleName);
    const params = { [field.name]: String(id) };
    // A related list shows every linked record, also those the module's lists leave out by default (a
    // campaign's converted leads), and its link opens the list with the same records.
    const allParams: Record<string, string> = { ...params };
    for (const name of Object.keys(manifest.defaultFilters ?? {})) allParams[name] = FILTER_ANY;
    const result = await this.records.list(manifest.name, user, { filters: allParams, pageSize: 20 });
    const model = await this.relatedModel(user, manifest, params, result, permissions);
    return {
      label: translate(user.locale, manifest.label),
      ...model,
      listHref: `/${manifest.name}${queryString(allParams, {})}`,
    };
  }

  private relatedModel(
    user: CurrentUser,
    manifest: ModuleManifest,
    _params: QueryParams,
    result: ListResult,
    permissions: UserPermissions,
  ) {
    const columns = permissions.visible(
      manifest.name,
      manifest.fields.filter((field) => field.listColumn && field.link !== this.moduleName),
    );
    const summed = manifest.relatedListTotals === false ? [] : (manifest.listTotals ?? []);
    const totalFields = permissions.visible(
      manifest.name,
      summed.map((name) => this.registry.field(manifest.name, name)!),
    );
    return Promise.resolve({
      total: result.total,
      columns: columns.map((field) => ({
        label: translate(user.locale, field.label),
        numeric: isNumeric(field),
      })),
      rows: result.records.map((record) => ({
        id: record.id,
        name: recordName(manifest, record.values) || `#${record.id}`,
        cells: this.rowCells(manifest, columns, record, result.names, user.locale).map((cell, index) => ({
          ...cell,
          numeric: isNumeric(columns[index]),
        })),
      })),
      totals: totalFields.map((field) => ({
        label: translate(user.locale, field.label),
        text: formatForDisplay(field, result.totals[field.name], user.locale),
      })),
    });
  }

  /**
   * Formats a table row's cells. The name cells that have a value link to the record (first and last name
   * both), or the first cell when the row shows no name.
   */
  private rowCells(
    manifest: ModuleManifest,
    columns: FieldDefinition[],
    record: StoredRecord,
    names: LinkNames,
    locale: Locale,
  ): DisplayCell[] {
    const cells = columns.map((field) =>
      this.views.displayCell(field, record.values[field.name] ?? null, names, locale),
    );
    const nameFields = nameFieldsOf(manifest);
    const named = cells.filter((cell, index) => nameFields.includes(columns[index].name) && cell.text !== '');
    const href = `/${manifest.name}/${record.id}`;
    for (const cell of named.length > 0 ? named : cells.slice(0, 1)) cell.href = href;
    return cells;
  }

  @Get(':id/edit')
  async editPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'edit');
    const record = await this.records.findChangeable(this.moduleName, user, id, 'write');
    assertUnlocked(this.manifest, record);
    const values = this.views.inputValues(this.manifest, record, user.locale);
    await this.renderForm(response, user, id, values, {}, permissions, {
      opened: { version: record.version ?? 1, values },
    });
  }

  @Post(':id')
  async update(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const permissions = await this.permissions.require(user, this.moduleName, 'edit');
    const result = await this.saveForm(user, id, body);
    if (!result.ok && result.stale) return this.renderStaleSave(response, user, id, body, permissions);
    if (!result.ok) {
      // A read-only field keeps its stored value in the form, as the disabled box shows it.
      const values = stringValues(body, this.manifest.fields);
      const record = await this.records.findVisible(this.moduleName, user, id);
      const stored = this.views.inputValues(this.manifest, record, user.locale);
      for (const field of this.registry.writableFields(this.moduleName)) {
        if (permissions.isReadOnly(this.moduleName, field)) values[field.name] = stored[field.name];
      }
      return this.renderForm(
        response.status(formStatus(result)),
        user,
        id,
        values,
        result.errors,
        permissions,
        {
          duplicates: result.duplicates,
          submitted: body,
          // The form shown again still compares with the record as it was first opened.
          opened: openedFormOf(body),
        },
      );
    }
    setFlash(response, 'flash.saved');
    response.redirect(303, `/${this.moduleName}/${id}`);
  }

  /**
   * Responds to a save from an out-of-date form with 409: what changed since the form was opened, beside the
   * submitted values, above the form opened again at the current version for review. Nothing was saved.
   */
  private async renderStaleSave(
    response: Response,
    user: CurrentUser,
    id: number,
    body: Record<string, unknown>,
    permissions: UserPermissions,
  ): Promise<void> {
    const current = await this.records.findVisible(this.moduleName, user, id);
    const view: StaleSaveView = await this.staleSavePage.build({
      manifest: this.manifest,
      user,
      permissions,
      body,
      format: this.formatOf(user),
      current,
    });
    return this.renderForm(
      response.status(409),
      user,
      id,
      view.review.values,
      view.review.errors,
      permissions,
      { submitted: body, opened: view.review.opened, conflict: view.conflict },
    );
  }

  @Get(':id/delete')
  async deletePage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.permissions.require(user, this.moduleName, 'delete');
    const record = await this.records.findChangeable(this.moduleName, user, id, 'delete');
    // Every record that links here loses its link, including those this user cannot see, so all are counted.
    const linked = [];
    for (const { manifest, field } of this.registry.incomingLinks(this.moduleName)) {
      const count = await this.records.countLinking(manifest.name, field.name, id);
      if (count > 0)
        linked.push({
          count,
          label: translate(user.locale, manifest.label),
          field: translate(user.locale, field.label),
        });
    }
    response.render('records/delete', {
      title: this.manifest.singularLabel,
      module: this.moduleName,
      moduleLabel: translate(user.locale, this.manifest.label),
      id,
      recordName: recordName(this.manifest, record.values),
      linked,
    });
  }

  @Post(':id/delete')
  async delete(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.permissions.require(user, this.moduleName, 'delete');
    await this.records.remove(this.moduleName, user, id);
    setFlash(response, 'flash.deleted');
    response.redirect(303, `/${this.moduleName}`);
  }

  /**
   * Saves a submitted form. A module whose form has more than its fields (the product lines of a quote)
   * overrides this to save them with the record, and returns errors keyed by its own input names.
   */
  protected saveForm(
    user: CurrentUser,
    id: number | null,
    body: Record<string, unknown>,
  ): Promise<SaveResult> {
    return this.records.save(
      this.moduleName,
      user,
      id,
      this.formInput(body),
      this.formatOf(user),
      'form',
      undefined,
      { confirmed: confirmedDuplicate(body), openedVersion: openedVersionOf(body) },
    );
  }

  /**
   * Lets a module add sections of its own to the record form, after the blocks of fields. `submitted` is the
   * posted form when it is shown again after an error, and undefined when it is first shown.
   */
  protected formSections(
    _user: CurrentUser,
    _id: number | null,
    _submitted: Record<string, unknown> | undefined,
    _errors: FieldErrors,
  ): Promise<FormSection[]> {
    return Promise.resolve([]);
  }

  /**
   * Lets a module add a note under fields of its record form, keyed by field name, such as where a value
   * comes from. `id` is null on a create form. Each note is read out with its field (aria-describedby).
   */
  protected fieldNotes(
    _user: CurrentUser,
    _id: number | null,
    _permissions: UserPermissions,
  ): Promise<Record<string, string>> {
    return Promise.resolve({});
  }

  protected formatOf(user: CurrentUser) {
    return { numberFormat: NUMBER_FORMAT_OF[user.locale], dateFormat: DATE_FORMAT_OF[user.locale] };
  }

  /** Returns the form's fields without the CSRF token and other form furniture. */
  protected formInput(body: Record<string, unknown>): Record<string, unknown> {
    const input = { ...body };
    delete input._csrf;
    delete input._form;
    delete input[CONFIRMED_DUPLICATE];
    delete input[OPENED_VERSION_FIELD];
    delete input[OPENED_VALUES_FIELD];
    return input;
  }

  protected async renderForm(
    response: Response,
    user: CurrentUser,
    id: number | null,
    values: Record<string, string>,
    errors: FieldErrors,
    permissions: UserPermissions,
    { form = 'full', duplicates = [], submitted, returnList, opened, conflict }: FormExtras = {},
  ): Promise<void> {
    const manifest = this.manifest;
    const stored = id === null ? undefined : await this.records.findVisible(this.moduleName, user, id);
    const storedLinks = stored && {
      record: stored,
      names: await this.records.linkNames(manifest, [stored], user),
    };
    const shown =
      form === 'quick'
        ? (field: FieldDefinition) =>
            Boolean(field.required || field.quickCreate || essentialReason(manifest, field))
        : undefined;
    const blocks = await this.views.formBlocks(manifest, user, values, errors, permissions, {
      stored: storedLinks,
      shown,
    });
    const notes = await this.fieldNotes(user, id, permissions);
    for (const field of blocks.flatMap((block) => block.fields)) field.note = notes[field.name];
    const sections = await this.formSections(user, id, submitted, errors);
    const errorSummary = [
      ...blocks.flatMap((block) =>
        block.fields
          .filter((field) => field.error)
          .map((field) => ({ name: field.name, label: field.label, error: field.error })),
      ),
      ...sections.flatMap((section) => section.errors ?? []),
    ];
    // A general error (a field the form does not show) still has to reach the user.
    for (const [name, error] of Object.entries(errors)) {
      if (!errorSummary.some((entry) => entry.name === name)) {
        const field = this.registry.field(this.moduleName, name);
        errorSummary.push({
          name,
          label: field ? translate(user.locale, field.label) : name,
          error: this.views.errorMessage(user.locale, error),
        });
      }
    }
    const singularLabel = translate(user.locale, manifest.singularLabel);
    let heading = id === null ? 'form.new' : 'form.edit';
    if (form === 'quick') heading = 'form.quickCreate';
    response.render('records/form', {
      title: manifest.singularLabel,
      // The browser tab names what the page does, as its heading does.
      titleText: translate(user.locale, heading, { name: singularLabel }),
      heading: translate(user.locale, heading, { name: singularLabel }),
      quick: form === 'quick',
      fullFormHref: `/${manifest.name}/new`,
      module: manifest.name,
      moduleLabel: translate(user.locale, manifest.label),
      singularLabel: translate(user.locale, manifest.singularLabel),
      id,
      action: id === null ? `/${manifest.name}` : `/${manifest.name}/${id}`,
      cancelHref:
        id === null ? (returnListPath(returnList) ?? `/${manifest.name}`) : `/${manifest.name}/${id}`,
      blocks,
      formSections: sections,
      errorSummary,
      duplicateWarning: this.duplicateWarning(user, duplicates),
      returnList: returnList ? { name: RETURN_LIST_FIELD, value: returnList } : undefined,
      // The opened values cover the fields the form shows, so a field the profile hides stays off the page.
      opened: opened && openedFormInputs(opened, shownFieldNames(blocks)),
      conflict: conflict && {
        ...conflict,
        sectionsNote:
          sections.length > 0 ? translate(user.locale, 'staleSave.sectionsNotCompared') : undefined,
      },
      errorSummaryHeading: conflict && translate(user.locale, 'staleSave.markedHeading'),
      enctype: this.formEncoding(id),
    });
  }

  /** Lets a module send its create or edit form as multipart/form-data, for a form that uploads files. */
  protected formEncoding(_id: number | null): string | undefined {
    return undefined;
  }

  /** Builds the warning above a form whose value visible records already have, with a link to each. */
  private duplicateWarning(user: CurrentUser, duplicates: DuplicateMatch[]) {
    const check = this.manifest.duplicateCheck;
    if (duplicates.length === 0 || !check) return undefined;
    const field = this.registry.field(this.moduleName, check.field);
    return {
      text: translate(user.locale, 'duplicates.formIntro', {
        count: duplicates.length,
        field: field ? translate(user.locale, field.label) : check.field,
      }),
      confirmName: CONFIRMED_DUPLICATE,
      confirmValue: duplicates[0].key,
      records: duplicates.map((match) => ({
        href: `/${match.module}/${match.id}`,
        text: duplicateName(user.locale, this.registry.get(match.module), match),
      })),
    };
  }
}

function shownFieldNames(blocks: { fields: { name: string }[] }[]): Set<string> {
  return new Set(blocks.flatMap((block) => block.fields.map((field) => field.name)));
}

/** The parts of a record form besides its fields. */
export interface FormExtras {
  /** The quick create form shows the main fields only. */
  form?: 'full' | 'quick';
  /** Visible records that already have the value of the module's duplicate check, named in a warning. */
  duplicates?: DuplicateMatch[];
  /** The posted form, when it is shown again after an error. */
  submitted?: Record<string, unknown>;
  /** The related list whose "Add new" opened the form, which the new record is linked to and returns to. */
  returnList?: string;
  /** An edit form's version and values when it was opened, which its save is checked against. */
  opened?: OpenedForm;
  /** The comparison above a form shown again after a stale save. */
  conflict?: StaleSaveView['conflict'];
}

/**
 * A module's own part of a record form: a partial of modules/<module>/views/partials with its model, and the
 * errors of its inputs for the summary at the top (`name` is the input's name, which `#field-<name>` links to).
 */
export interface FormSection {
  partial: string;
  model: Record<string, unknown>;
  errors?: { name: string; label: string; error: string }[];
}

/**
 * The form field that "Save anyway" sends with the value the user saw the warning for, so that a value
 * changed afterwards is checked again.
 */
const CONFIRMED_DUPLICATE = '_duplicate_confirmed';

export function confirmedDuplicate(body: Record<string, unknown>): string | undefined {
  const value = body[CONFIRMED_DUPLICATE];
  return typeof value === 'string' ? value : undefined;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Returns 422 for a form with errors, and 200 for a form shown again only to warn of duplicates. */
function formStatus(result: { errors: FieldErrors }): number {
  return Object.keys(result.errors).length > 0 ? 422 : 200;
}

/**
 * Returns the submitted text of each field, to fill the form in again. The ticked values of a multi-select
 * picklist are joined with ` |##| `, the form text of that field, which the picklist editor keeps out of
 * every value. A ticked checkbox sends its hidden "0" and then "1", so the last of repeated values is kept.
 */
function stringValues(body: Record<string, unknown>, fields: FieldDefinition[]): Record<string, string> {
  const multiSelect = new Set(
    fields.filter((field) => field.type === 'multipicklist').map((field) => field.name),
  );
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') {
      values[key] = value;
    } else if (multiSelect.has(key)) {
      const ticked = tickedValues(value);
      if (ticked) values[key] = ticked.join(CSV_MULTI_SEPARATOR);
    } else if (Array.isArray(value)) {
      const last: unknown = value[value.length - 1];
      if (typeof last === 'string') values[key] = last;
    }
  }
  return values;
}

/**
 * The input type of each end of a range in the filter bar, by field type. Number ranges are plain text,
 * because the URL takes them with a dot in every language, as parseFilterValue reads them.
 */
const RANGE_INPUT_TYPES: Partial<Record<FieldDefinition['type'], string>> = {
  date: 'date',
  time: 'time',
  currency: 'text',
  decimal: 'text',
};

/** Returns true when the field holds a number, which tables align to the right. */
function isNumeric(field: FieldDefinition): boolean {
  return ['currency', 'percent', 'integer', 'decimal'].includes(field.type);
}
