import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  Brackets,
  DataSource,
  EntityManager,
  ObjectLiteral,
  SelectQueryBuilder,
  WhereExpressionBuilder,
} from 'typeorm';
import { AccessScope } from '../access/access-scope.service.js';
import { PermissionsService } from '../access/permissions.service.js';
import { CurrentUser } from '../access/current-user.js';
import { inTransaction } from '../database/transaction.js';
import { RecordSequence } from '../database/core.entities.js';
import { UserEntity } from '../users/user.entity.js';
import { RecordAssignmentEntity } from '../access/record-assignment.entity.js';
import {
  FieldValue,
  fromColumn,
  groupOwner,
  InputFormat,
  ownerColumns,
  ownerGroupId,
  RecordValues,
  toColumn,
} from './field-codec.js';
import {
  AUDIT_FIELDS,
  BIN_COLUMNS,
  columnOf,
  customFieldTable,
  FieldDefinition,
  FILTER_ANY,
  FILTER_EMPTY,
  FILTER_SET,
  hasCustomFields,
  hasKeyColumn,
  ModuleManifest,
  OWNER_GROUP_COLUMN,
  VERSION_COLUMN,
} from './manifest.js';
import { GroupEntity } from '../groups/group.entity.js';
import { ModuleRegistry } from './module-registry.js';
import { PicklistsService } from './picklists.service.js';
import { inListOrder, storedValueNeedle } from './multi-values.js';
import { linkKeyOf, linkNameMatchers, nameFieldsOf, recordNameSql } from './record-names.js';
import { SaveSource } from './record-hooks.js';
import { assertUnlocked, withDefaultFilters } from './record-lock.js';
import { applyDefaults, checkValues, FieldErrors, parseSubmission } from './record-validation.js';
import { applyAfterCursor, decodeCursor, encodeCursor, SortValue } from './keyset.js';
import { centsToMoney, localToday, parseDate, utcNow, weightedAmount } from './values.js';
import { valueTypeOf } from './value-types.js';
import { DuplicateFinder, DuplicateMatch } from './duplicate-finder.service.js';
import { EventBus } from '../events/event-bus.js';
import { RecordBinnedEvent, RecordsSavedEvent, SaveRejectedError } from '../events/record-changes.event.js';

export interface StoredRecord {
  id: number;
  values: RecordValues;
  /** The number of updates of the record's row, from 1; set on records read from the database. */
  version?: number;
}

/** A record or user that another record links to, as a page shows it. */
export interface LinkedName {
  name: string;
  /** The user may open the linked record's page: their profile lets them view its module and it is in their scope. */
  openable: boolean;
}

/**
 * The records, users and groups that a set of records links to: by target module ('users' for users,
 * 'groups' for groups), then by id.
 */
export type LinkNames = Map<string, Map<number, LinkedName>>;

export interface ListQuery {
  search?: string;
  /** Field name → value; date and number fields also take `<name>_from` and `<name>_to`. */
  filters: Record<string, string | string[]>;
  sort?: string;
  direction?: 'asc' | 'desc';
  /** The page's number, for display; the cursors set where the page starts. */
  page?: number;
  pageSize?: number;
  /** Opaque cursors from a previous page: the page starts after `after` or ends before `before`. */
  after?: string;
  before?: string;
  /** Fields the user's profile hides: a filter, sort or search on them is ignored. */
  hiddenFields?: ReadonlySet<string>;
}

export interface ListResult {
  records: StoredRecord[];
  names: LinkNames;
  total: number;
  totals: Record<string, Decimal>;
  page: number;
  pageCount: number;
  pageSize: number;
  /** Cursors for the next and previous pages, absent at either end of the list. */
  nextCursor?: string;
  previousCursor?: string;
  sort: string;
  direction: 'asc' | 'desc';
  /** Filters that were ignored because their value could not be read. */
  invalidFilters: string[];
}

export type SaveResult =
  | { ok: true; id: number }
  /**
   * `duplicates` are the visible records that already have the value of the module's duplicate check.
   * `stale` is set when the record changed after the form was opened, and then nothing was saved.
   */
  | { ok: false; errors: FieldErrors; duplicates?: DuplicateMatch[]; stale?: true };

/** Asks a save to stop at a value that visible records already have, unless it is the value confirmed. */
export interface DuplicateConfirmation {
  /** The value the user chose to save anyway after a warning; a different value is checked again. */
  confirmed?: string;
}

/** The checks of a save from a record's form: its duplicate warning and the version it was opened with. */
export interface FormSaveChecks extends DuplicateConfirmation {
  /**
   * The record's version when the form was opened. When the record has another version by the time it is
   * written, the save writes nothing and returns `stale`. Absent, the save overwrites whatever is stored.
   */
  openedVersion?: number;
}

/** The maximum number of records from each module that a form's duplicate warning names. */
const DUPLICATES_SHOWN = 5;

export const ALIAS = 't';
/** The alias of the module's custom-field table, joined to its records by id. */
const CUSTOM_ALIAS = 'cf';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** The record engine's CRUD and list queries for every module, driven by the field registry. */
@Injectable()
export class RecordsService {
  private readonly logger = new Logger(RecordsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly access: AccessScope,
    private readonly permissions: PermissionsService,
    private readonly duplicateFinder: DuplicateFinder,
    private readonly events: EventBus,
  ) {}

  /**
   * A query on the module's table, limited to the records the user may see, with its custom-field table
   * joined when the module has custom fields. The access scope applies to the module's table only.
   * `customJoin` 'inner' lets the database read the custom-field table first (see customJoinFor()), and
   * 'none' leaves the table out for a query that reads none of its columns.
   */
  visibleQuery(
    manifest: ModuleManifest,
    user: CurrentUser,
    manager: EntityManager = this.dataSource.manager,
    customJoin: CustomJoin = 'left',
  ): SelectQueryBuilder<ObjectLiteral> {
    const query = manager.createQueryBuilder().from(manifest.table, ALIAS);
    const condition = `${CUSTOM_ALIAS}.id = ${ALIAS}.id`;
    if (!hasCustomFields(manifest) || customJoin === 'none')
      return this.access.restrict(query, ALIAS, manifest.name, user);
    if (customJoin === 'inner') query.innerJoin(customFieldTable(manifest), CUSTOM_ALIAS, condition);
    else query.leftJoin(customFieldTable(manifest), CUSTOM_ALIAS, condition);
    return this.access.restrict(query, ALIAS, manifest.name, user);
  }

  private selectStoredColumns(query: SelectQueryBuilder<ObjectLiteral>, manifest: ModuleManifest): void {
    query.select(`${ALIAS}.id`, 'id');
    query.addSelect(`${ALIAS}.${VERSION_COLUMN}`, VERSION_COLUMN);
    for (const field of this.storedFields(manifest)) {
      query.addSelect(columnRef(field), columnOf(field));
      if (field.type === 'owner') query.addSelect(`${ALIAS}.${OWNER_GROUP_COLUMN}`, OWNER_GROUP_COLUMN);
    }
  }

  private storedFields(manifest: ModuleManifest): FieldDefinition[] {
    return [...manifest.fields, ...AUDIT_FIELDS].filter((field) => !field.computed);
  }

  private toRecord(manifest: ModuleManifest, row: Record<string, unknown>): StoredRecord {
    const values: RecordValues = {};
    for (const field of this.storedFields(manifest)) {
      const group = field.type === 'owner' ? row[OWNER_GROUP_COLUMN] : null;
      values[field.name] =
        group === null || group === undefined
          ? fromColumn(field, row[columnOf(field)])
          : groupOwner(Number(group));
    }
    for (const field of manifest.fields) {
      if (field.computed) values[field.name] = this.compute(field, values);
    }
    return { id: Number(row.id), values, version: Number(row[VERSION_COLUMN]) };
  }

  private compute(field: FieldDefinition, values: RecordValues): FieldValue {
    const amount = values[field.computed!.amount];
    const percent = values[field.computed!.percent];
    if (!(amount instanceof Decimal) || typeof percent !== 'number') return null;
    return weightedAmount(amount, percent);
  }

  /** Loads one record the user may see, or throws NotFound as for a record that does not exist. */
  async findVisible(
    moduleName: string,
    user: CurrentUser,
    id: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredRecord> {
    const manifest = this.registry.get(moduleName);
    if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundException();

    const query = this.visibleQuery(manifest, user, manager).andWhere(`${ALIAS}.id = :id`, { id });
    this.selectStoredColumns(query, manifest);
    const row = await query.getRawOne<Record<string, unknown>>();
    if (!row) throw new NotFoundException();
    const [record] = await this.inListOrder(manifest, [this.toRecord(manifest, row)], manager);
    return record;
  }

  /**
   * Puts the values of each multi-select picklist in the list's current order, which an administrator may
   * have changed since the record was saved.
   */
  private async inListOrder(
    manifest: ModuleManifest,
    records: StoredRecord[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredRecord[]> {
    const fields = manifest.fields.filter((field) => field.type === 'multipicklist');
    if (fields.length === 0 || records.length === 0) return records;

    const picklists = await this.picklists.forModule(manifest.name, manager);
    for (const field of fields) {
      const listed = picklists.values(field.name).map((entry) => entry.value);
      for (const record of records) {
        const values = record.values[field.name];
        if (Array.isArray(values)) record.values[field.name] = inListOrder(values, listed);
      }
    }
    return records;
  }

  /**
   * Loads a record the user may see and checks that they may also change (or delete) it. A record they
   * cannot see is NotFound, as for one that does not exist, and one they can only read is Forbidden.
   */
  async findChangeable(
    moduleName: string,
    user: CurrentUser,
    id: number,
    action: 'write' | 'delete',
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredRecord> {
    const record = await this.findVisible(moduleName, user, id, manager);
    if (!(await this.scopeAllows(moduleName, user, id, action, manager))) throw new ForbiddenException();
    return record;
  }

  /** Tells whether the sharing scope lets the user change (or delete) the record, regardless of their profile. */
  async scopeAllows(
    moduleName: string,
    user: CurrentUser,
    id: number,
    action: 'write' | 'delete',
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const manifest = this.registry.get(moduleName);
    const query = manager.createQueryBuilder().select(`${ALIAS}.id`, 'id').from(manifest.table, ALIAS);
    query.where(`${ALIAS}.id = :id`, { id });
    this.access.restrict(query, ALIAS, moduleName, user, action);
    return Boolean(await query.getRawOne());
  }

  async list(moduleName: string, user: CurrentUser, request: ListQuery): Promise<ListResult> {
    const manifest = this.registry.get(moduleName);
    const invalidFilters: string[] = [];
    const filters = withDefaultFilters(manifest, request.filters);
    const summary = await this.summarise(
      manifest,
      this.filteredQuery(
        moduleName,
        user,
        request,
        invalidFilters,
        summaryJoinFor(manifest, { ...request, filters }),
      ),
    );
    const pageSize = Math.min(Math.max(request.pageSize ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const pageCount = Math.max(1, Math.ceil(summary.total / pageSize));
    const page = Math.min(Math.max(Math.trunc(request.page ?? 1), 1), pageCount);
    const { sort, direction } = this.sortOf(manifest, request);
    const after = decodeCursor(request.after);
    const before = after ? undefined : decodeCursor(request.before);

    // Going back reads the rows before the cursor in reverse order, then turns them around.
    const reversed = direction === 'asc' ? 'desc' : 'asc';
    const travel = before ? reversed : direction;
    const sortField = this.registry.field(manifest.name, sort)!;
    const query = this.filteredQuery(moduleName, user, request, invalidFilters, customJoinFor(sortField));
    this.selectStoredColumns(query, manifest);
    const sortExpression = this.applySort(query, manifest, sort, travel);
    const cursor = after ?? before;
    if (cursor) applyAfterCursor(query, sortExpression, sortIdColumn(sortField), travel, cursor);
    // Without a cursor a page number beyond 1 (an old bookmark) still works, through OFFSET.
    if (!cursor && page > 1) query.offset((page - 1) * pageSize);
    query.limit(pageSize + 1);

    const rows = await query.getRawMany<Record<string, unknown>>();
    const hasMore = rows.length > pageSize;
    const pageRows = rows.slice(0, pageSize);
    if (before) pageRows.reverse();
    const records = await this.inListOrder(
      manifest,
      pageRows.map((row) => this.toRecord(manifest, row)),
    );

    const cursorOf = (row: Record<string, unknown> | undefined) =>
      row
        ? encodeCursor({ value: this.sortValueOf(manifest, sort, row.sort_value), id: Number(row.id) })
        : undefined;
    const atStart = before ? !hasMore : !cursor && page === 1;
    const atEnd = before ? false : !hasMore;
    const nextCursor = atEnd ? undefined : cursorOf(pageRows[pageRows.length - 1]);
    const previousCursor = atStart ? undefined : cursorOf(pageRows[0]);

    return {
      records,
      names: await this.linkNames(manifest, records, user),
      total: summary.total,
      totals: summary.totals,
      page,
      pageCount,
      pageSize,
      nextCursor,
      previousCursor,
      sort,
      direction,
      // The summary and the page query both apply the filters, and each reports the invalid ones.
      invalidFilters: [...new Set(invalidFilters)],
    };
  }

  /**
   * One slice of the filtered, sorted list, for exports that read a whole list a slice at a time.
   * NOTE: slices use OFFSET, so each later slice of a very long list scans the rows before it.
   */
  async listSlice(
    moduleName: string,
    user: CurrentUser,
    request: ListQuery,
    offset: number,
    limit: number,
  ): Promise<StoredRecord[]> {
    const manifest = this.registry.get(moduleName);
    const { sort, direction } = this.sortOf(manifest, request);
    const sortField = this.registry.field(manifest.name, sort)!;
    const query = this.filteredQuery(moduleName, user, request, [], customJoinFor(sortField));
    this.selectStoredColumns(query, manifest);
    this.applySort(query, manifest, sort, direction);
    query.offset(offset).limit(limit);
    const rows = await query.getRawMany<Record<string, unknown>>();
    return this.inListOrder(
      manifest,
      rows.map((row) => this.toRecord(manifest, row)),
    );
  }

  /**
   * The visible records that match the request's search and filters, with the module's default filters for
   * the fields the request does not filter. Filters whose value cannot be read are left out and their names
   * added to `invalidFilters`.
   */
  filteredQuery(
    moduleName: string,
    user: CurrentUser,
    request: Pick<ListQuery, 'search' | 'filters' | 'hiddenFields'>,
    invalidFilters: string[] = [],
    customJoin: CustomJoin = 'left',
  ): SelectQueryBuilder<ObjectLiteral> {
    const manifest = this.registry.get(moduleName);
    const query = this.visibleQuery(manifest, user, this.dataSource.manager, customJoin);
    const hidden = request.hiddenFields ?? new Set<string>();
    this.applySearch(query, manifest, request.search, hidden);
    const { plain, alternatives } = splitAlternatives(withDefaultFilters(manifest, request.filters));
    this.applyFilters(query, manifest, plain, invalidFilters, hidden, 'f');
    if (alternatives.length > 0)
      query.andWhere(
        new Brackets((anySet) => {
          alternatives.forEach((alternative, position) =>
            anySet.orWhere(
              new Brackets((everyFilter) => {
                everyFilter.where('1 = 1');
                this.applyFilters(
                  everyFilter,
                  manifest,
                  alternative,
                  invalidFilters,
                  hidden,
                  `or${position}_`,
                );
              }),
            ),
          );
        }),
      );
    return query;
  }

  /** Counts the filtered records and sums the list totals in one aggregate query. */
  async summarise(
    manifest: ModuleManifest,
    query: SelectQueryBuilder<ObjectLiteral>,
  ): Promise<{ total: number; totals: Record<string, Decimal> }> {
    query.select('COUNT(*)', 'total');
    const totalFields = (manifest.listTotals ?? []).map((name) => this.registry.field(manifest.name, name)!);
    totalFields.forEach((field, index) =>
      query.addSelect(`SUM(${this.sumExpression(manifest, field)})`, `sum${index}`),
    );

    const row = (await query.getRawOne<Record<string, unknown>>()) ?? {};
    const totals: Record<string, Decimal> = {};
    totalFields.forEach((field, index) => {
      const raw = row[`sum${index}`] as string | number | null | undefined;
      const sum = raw === null || raw === undefined ? new Decimal(0) : new Decimal(String(raw));
      // A weighted sum is cents × percent, so it is divided by 100 once more than an amount.
      totals[field.name] = field.computed
        ? sum.dividedBy(10000).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
        : centsToMoney(sum.toFixed(0));
    });
    return { total: Number(row.total ?? 0), totals };
  }

  private sumExpression(manifest: ModuleManifest, field: FieldDefinition): string {
    if (!field.computed) return columnRef(field);
    const amount = this.registry.field(manifest.name, field.computed.amount)!;
    const percent = this.registry.field(manifest.name, field.computed.percent)!;
    return `${columnRef(amount)} * ${columnRef(percent)}`;
  }

  private sortOf(manifest: ModuleManifest, request: ListQuery): { sort: string; direction: 'asc' | 'desc' } {
    const field =
      request.sort && !request.hiddenFields?.has(request.sort)
        ? this.registry.field(manifest.name, request.sort)
        : undefined;
    if (!field || field.type === 'textarea') {
      return { sort: manifest.defaultSort.field, direction: manifest.defaultSort.direction };
    }
    return { sort: field.name, direction: request.direction === 'desc' ? 'desc' : 'asc' };
  }

  /**
   * Orders by a registry field only, never by text from the request; links sort by the linked name.
   * Returns the SQL expression sorted on, for the keyset condition.
   */
  private applySort(
    query: SelectQueryBuilder<ObjectLiteral>,
    manifest: ModuleManifest,
    sort: string,
    direction: 'asc' | 'desc',
  ): string {
    const field = this.registry.field(manifest.name, sort)!;
    const order = direction === 'desc' ? 'DESC' : 'ASC';

    let expression: string;
    if (field.type === 'owner') {
      query.leftJoin('users', 'sort_user', `sort_user.id = ${ALIAS}.${field.name}`);
      query.leftJoin('user_groups', 'sort_group', `sort_group.id = ${ALIAS}.${OWNER_GROUP_COLUMN}`);
      expression = 'COALESCE(sort_user.full_name, sort_group.name)';
    } else if (field.type === 'link' || field.type === 'user') {
      const target =
        field.type === 'user' ? { table: 'users', column: 'full_name' } : this.nameColumnOf(field.link!);
      // A custom user field's column is on the custom-field table, so the join goes through columnRef.
      query.leftJoin(target.table, 'sort_target', `sort_target.id = ${columnRef(field)}`);
      expression = `sort_target.${target.column}`;
    } else if (field.computed) {
      expression = this.sumExpression(manifest, field);
    } else if (field.type === 'picklist') {
      // Picklists sort in their list order (a pipeline's stages in sequence), not alphabetically.
      // Module and field names come from the manifests and are plain identifiers, never request text.
      expression = `(SELECT pv.sort_order FROM picklist_values pv WHERE pv.module = '${manifest.name}' AND pv.field = '${field.name}' AND pv.value = ${columnRef(field)})`;
    } else {
      expression = comparedColumn(field);
    }
    query.addSelect(expression, 'sort_value');
    query.orderBy('sort_value', order).addOrderBy(sortIdColumn(field), order);
    return expression;
  }

  /** Converts a row's sort value for the cursor, keeping numbers as numbers so that SQLite compares them as numbers. */
  private sortValueOf(manifest: ModuleManifest, sort: string, stored: unknown): SortValue {
    if (stored === null || stored === undefined) return null;
    const raw = stored as string | number;
    const field = this.registry.field(manifest.name, sort)!;
    const numeric =
      field.computed ||
      ['currency', 'integer', 'percent', 'picklist'].includes(field.type) ||
      valueTypeOf(field)?.numericSort;
    return numeric ? Number(raw) : String(raw);
  }

  /** Returns the table, and the SQL expression on it under `alias`, that name users, groups or a module's records. */
  private displayNameOf(target: string, alias: string): { table: string; expression: string } {
    if (target === 'users') return { table: 'users', expression: `${alias}.full_name` };
    if (target === 'groups') return { table: 'user_groups', expression: `${alias}.name` };
    const manifest = this.registry.get(target);
    return { table: manifest.table, expression: recordNameSql(manifest, alias) };
  }

  private nameColumnOf(moduleName: string): { table: string; column: string } {
    const target = this.registry.get(moduleName);
    return { table: target.table, column: target.nameField };
  }

  private applySearch(
    query: SelectQueryBuilder<ObjectLiteral>,
    manifest: ModuleManifest,
    search: string | undefined,
    hidden: ReadonlySet<string>,
  ): void {
    const text = search?.trim();
    if (!text) return;

    // '!' escapes the wildcards rather than a backslash, because MariaDB and MySQL read a backslash in a
    // string literal as the start of an escape sequence, which makes ESCAPE with a backslash a syntax error.
    const pattern = `%${text.replace(/[!%_]/g, (char) => `!${char}`)}%`;
    const columns = manifest.fields
      .filter((field) => field.searchable && !hidden.has(field.name))
      .map((field) => columnRef(field));
    // "Mario Ros" finds Mario Rossi, whose first and last names are in two columns.
    const nameFields = nameFieldsOf(manifest);
    if (nameFields.length > 1 && nameFields.every((name) => !hidden.has(name)))
      columns.push(recordNameSql(manifest, ALIAS));
    if (columns.length === 0) {
      query.andWhere('1 = 0');
      return;
    }
    query.andWhere(
      new Brackets((where) => {
        for (const column of columns) where.orWhere(`${column} LIKE :search ESCAPE '!'`, { search: pattern });
      }),
    );
  }

  /**
   * Applies filters on registry fields; a filter on an unknown field is ignored, a bad value reported.
   * `prefix` starts the names of the SQL parameters, so that several filter sets can share one query.
   */
  private applyFilters(
    query: WhereExpressionBuilder,
    manifest: ModuleManifest,
    filters: Record<string, string | string[]>,
    invalid: string[],
    hidden: ReadonlySet<string>,
    prefix: string,
  ): void {
    let index = 0;

    for (const field of this.registry.fields(manifest.name)) {
      if (field.computed || field.type === 'textarea' || hidden.has(field.name)) continue;
      const column = comparedColumn(field);

      const wanted = filterValues(filters[field.name]);
      if (wanted.length > 0 && !wanted.includes(FILTER_ANY)) {
        if (wanted.includes(FILTER_EMPTY)) {
          query.andWhere(`${column} IS NULL`);
        } else if (wanted.includes(FILTER_SET)) {
          query.andWhere(`${column} IS NOT NULL`);
        } else if (field.type === 'multipicklist') {
          this.applyMultiValueFilter(query, column, wanted, `${prefix}${++index}`);
        } else if (field.type === 'owner') {
          this.applyOwnerFilter(query, field, wanted, invalid, `${prefix}${++index}`);
        } else {
          const parsed = wanted.map((value) => parseFilterValue(field, value));
          const parameter = `${prefix}${++index}`;
          if (parsed.some((value) => value === undefined)) invalid.push(field.name);
          else query.andWhere(`${column} IN (:...${parameter})`, { [parameter]: parsed });
        }
      }
      if (field.type === 'owner')
        this.applyOwnerRoleFilter(query, field, filters, invalid, `${prefix}${++index}`);

      for (const [suffix, operator] of [
        ['_from', '>='],
        ['_to', '<='],
      ] as const) {
        const bound = filters[`${field.name}${suffix}`];
        if (typeof bound !== 'string' || bound === '') continue;
        const value = parseFilterValue(field, bound);
        const parameter = `${prefix}${++index}`;
        if (value === undefined) invalid.push(`${field.name}${suffix}`);
        else query.andWhere(`${column} ${operator} :${parameter}`, { [parameter]: value });
      }
    }
  }

  /**
   * Keeps the records that have any of the wanted values of a multi-select picklist. Each value is looked for
   * with its delimiters, so "North" does not match "North-East". LOWER on both sides matches without
   * regard to case on SQLite too, as MariaDB's collation does. The column comes from the registry.
   */
  private applyMultiValueFilter(
    query: WhereExpressionBuilder,
    column: string,
    wanted: string[],
    index: string,
  ): void {
    query.andWhere(
      new Brackets((where) => {
        wanted.forEach((value, position) => {
          const parameter = `mv${index}_${position}`;
          where.orWhere(`INSTR(LOWER(${column}), LOWER(:${parameter})) > 0`, {
            [parameter]: storedValueNeedle(value.trim()),
          });
        });
      }),
    );
  }

  /** Keeps the records assigned to one of the wanted users (ids) or groups (`group:<id>`). */
  private applyOwnerFilter(
    query: WhereExpressionBuilder,
    field: FieldDefinition,
    wanted: string[],
    invalid: string[],
    index: string,
  ): void {
    const userIds = wanted.filter((value) => /^\d{1,10}$/.test(value)).map(Number);
    const groupIds = wanted.map((value) => ownerGroupId(value)).filter((id) => id !== undefined);
    if (userIds.length + groupIds.length < wanted.length) {
      invalid.push(field.name);
      return;
    }
    query.andWhere(
      new Brackets((where) => {
        if (userIds.length > 0)
          where.orWhere(`${ALIAS}.${field.name} IN (:...ou${index})`, { [`ou${index}`]: userIds });
        if (groupIds.length > 0)
          where.orWhere(`${ALIAS}.${OWNER_GROUP_COLUMN} IN (:...og${index})`, { [`og${index}`]: groupIds });
      }),
    );
  }

  /**
   * Keeps the records whose owner is a user of one of the roles in `<owner field>_role` (role ids), or, for
   * FILTER_EMPTY, the records of groups and of users without a role. Users of roles below are not included.
   */
  private applyOwnerRoleFilter(
    query: WhereExpressionBuilder,
    field: FieldDefinition,
    filters: Record<string, string | string[]>,
    invalid: string[],
    parameter: string,
  ): void {
    const wanted = filterValues(filters[`${field.name}_role`]);
    if (wanted.length === 0) return;

    const roleIds = wanted.filter((value) => /^\d{1,10}$/.test(value)).map(Number);
    const withoutRole = wanted.includes(FILTER_EMPTY);
    if (roleIds.length + (withoutRole ? 1 : 0) < wanted.length) {
      invalid.push(`${field.name}_role`);
      return;
    }
    const owner = `${ALIAS}.${field.name}`;
    query.andWhere(
      new Brackets((where) => {
        if (roleIds.length > 0)
          where.orWhere(
            `${owner} IN (SELECT role_user.id FROM users role_user WHERE role_user.role_id IN (:...${parameter}))`,
            {
              [parameter]: roleIds,
            },
          );
        if (withoutRole) {
          where.orWhere(`${owner} IS NULL`);
          where.orWhere(
            `${owner} IN (SELECT role_user.id FROM users role_user WHERE role_user.role_id IS NULL)`,
          );
        }
      }),
    );
  }

  /**
   * Looks up the names of the records, users and groups the given records link to, whether or not the user may see
   * them, and which linked records the user may open. Without a user, no linked record is openable.
   */
  async linkNames(manifest: ModuleManifest, records: StoredRecord[], user?: CurrentUser): Promise<LinkNames> {
    const referenceFields = this.registry
      .fields(manifest.name)
      .filter((field) => field.type === 'link' || field.type === 'user' || field.type === 'owner');

    const idsByTarget = new Map<string, Set<number>>();
    const idsOf = (target: string) => {
      const ids = idsByTarget.get(target) ?? new Set<number>();
      idsByTarget.set(target, ids);
      return ids;
    };
    for (const field of referenceFields) {
      const target = field.type === 'link' ? field.link! : 'users';
      for (const record of records) {
        const value = record.values[field.name];
        if (typeof value === 'number') idsOf(target).add(value);
        const groupId = field.type === 'owner' ? ownerGroupId(value) : undefined;
        if (groupId !== undefined) idsOf('groups').add(groupId);
      }
    }

    const names: LinkNames = new Map();
    for (const [target, ids] of idsByTarget) {
      const found = await this.namesOf(target, [...ids]);
      const openable =
        target === 'users' || target === 'groups' || !user
          ? new Set<number>()
          : await this.openableIds(target, user, [...ids]);
      const linked = new Map<number, LinkedName>();
      for (const [id, name] of found) linked.set(id, { name, openable: openable.has(id) });
      names.set(target, linked);
    }
    return names;
  }

  /** Looks up the names of records of a module, or of users for 'users', by id, with no access check. */
  private async namesOf(target: string, ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const { table, expression } = this.displayNameOf(target, 'r');
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('r.id', 'id')
      .addSelect(expression, 'name')
      .from(table, 'r')
      .where('r.id IN (:...ids)', { ids })
      .getRawMany<{ id: number; name: string }>();
    return new Map(rows.map((row) => [Number(row.id), row.name]));
  }

  /** Returns the ids of the records whose pages the user may open: in their scope, of a module they may view. */
  private async openableIds(moduleName: string, user: CurrentUser, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const permissions = await this.permissions.forUser(user);
    if (!permissions.can(moduleName, 'view')) return new Set();

    const rows = await this.visibleQuery(this.registry.get(moduleName), user)
      .select(`${ALIAS}.id`, 'id')
      .andWhere(`${ALIAS}.id IN (:...linkedIds)`, { linkedIds: ids })
      .getRawMany<{ id: number | string }>();
    return new Set(rows.map((row) => Number(row.id)));
  }

  /**
   * Creates (id null) or updates a record from submitted text. Nothing is saved when any field fails. Given
   * the manager of a transaction already open (`outer`), it saves within it instead of opening its own.
   * Given `duplicates`, a new or changed value of the module's duplicate check that visible records already
   * have stops the save and is returned with them, unless the user confirmed that value. Given the version
   * the form was opened with (`checks.openedVersion`), a record changed since then is not saved (`stale`).
   */
  async save(
    moduleName: string,
    user: CurrentUser,
    id: number | null,
    input: Record<string, unknown>,
    format: InputFormat,
    source: SaveSource = 'form',
    outer?: EntityManager,
    checks?: FormSaveChecks,
  ): Promise<SaveResult> {
    const manifest = this.registry.get(moduleName);
    const permissions = await this.permissions.require(user, moduleName, id === null ? 'create' : 'edit');
    const restricted = permissions.restrictedFields(moduleName);

    // Inside another operation's transaction (an event handler), the save is one step of it, and a rejection
    // goes up to that operation. A save of its own rolls back and shows the rejection on its field.
    const run = async (work: (manager: EntityManager) => Promise<SaveResult>): Promise<SaveResult> => {
      if (outer) return work(outer);
      try {
        return await inTransaction(this.dataSource, work);
      } catch (error) {
        if (error instanceof SaveRejectedError) return { ok: false, errors: { [error.field]: error.error } };
        throw error;
      }
    };
    return run(async (manager) => {
      const stored = id === null ? null : await this.findChangeable(moduleName, user, id, 'write', manager);
      if (stored) assertUnlocked(manifest, stored);
      const openedVersion = checks?.openedVersion;
      if (stored && openedVersion !== undefined && stored.version !== openedVersion)
        return { ok: false, errors: {}, stale: true } as const;
      const previous = stored?.values ?? null;
      const writable = this.registry.writableFields(moduleName);
      const {
        values: parsed,
        submitted,
        errors,
      } = parseSubmission(this.registry.fields(moduleName), input, format, restricted);

      const values: RecordValues = { ...(previous ?? {}), ...parsed };
      // A new record without an assignee belongs to the user who creates it.
      const owner = this.registry.ownerField(moduleName);
      if (owner && previous === null && (values[owner.name] ?? null) === null) values[owner.name] = user.id;
      if (previous === null) applyDefaults(manifest.fields, values, submitted);

      const picklists = await this.picklists.forModule(moduleName, manager);
      const today = localToday();
      this.registry.hooksOf(moduleName)?.beforeSave({
        isNew: previous === null,
        previous,
        values,
        submitted,
        picklists,
        today,
        source,
        errors,
      });
      checkValues(writable, values, picklists, errors, keptEmpty(previous, submitted, source));
      await this.resolveReferences(manager, manifest, user, values, previous, errors);
      await this.checkUniqueKeys(manager, manifest, user, values, id, errors);
      if (Object.keys(errors).length > 0) return { ok: false, errors } as const;
      if (checks) {
        const found = await this.unconfirmedDuplicates(manager, manifest, user, id, values, previous, checks);
        if (found.length > 0) return { ok: false, errors, duplicates: found } as const;
      }

      let savedId: number;
      try {
        savedId = previous === null ? await this.insert(manager, manifest, user, values) : id!;
        // The update is this save's first write, so a stale record leaves nothing to undo.
        if (
          previous !== null &&
          !(await this.update(manager, manifest, user, savedId, values, openedVersion))
        )
          return { ok: false, errors: {}, stale: true } as const;
        if (owner && previous !== null && (previous[owner.name] ?? null) !== (values[owner.name] ?? null)) {
          const from = ownerColumns(previous[owner.name]);
          const to = ownerColumns(values[owner.name]);
          await manager.insert(RecordAssignmentEntity, {
            module: moduleName,
            recordId: savedId,
            fromUserId: from.userId,
            fromGroupId: from.groupId,
            toUserId: to.userId,
            toGroupId: to.groupId,
            changedById: user.id,
            changedAt: utcNow(),
          });
        }
      } catch (error) {
        // Two saves of the same name at the same moment both pass the check above; the unique index stops one.
        const uniqueField = manifest.fields.find((field) => field.uniqueKey);
        if (!uniqueField || !isUniqueViolation(error)) throw error;
        this.logger.warn(
          `Rejected a duplicate ${manifest.name}.${uniqueField.name} that a concurrent save created`,
        );
        return {
          ok: false,
          errors: {
            [uniqueField.name]: { code: 'notUnique', params: { value: String(values[uniqueField.name]) } },
          },
        } as const;
      }

      await this.events.emit(
        RecordsSavedEvent,
        new RecordsSavedEvent(manager, user, moduleName, source, [{ id: savedId, values, previous }]),
      );
      return { ok: true, id: savedId } as const;
    });
  }

  /**
   * Returns the visible records that already have the value of the module's duplicate check, when this save
   * sets a new value that the user has not confirmed. A value the record already had is not checked again.
   */
  private async unconfirmedDuplicates(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    id: number | null,
    values: RecordValues,
    previous: RecordValues | null,
    confirmation: DuplicateConfirmation,
  ): Promise<DuplicateMatch[]> {
    const field = manifest.duplicateCheck?.field;
    const value = field === undefined ? null : values[field];
    if (field === undefined || typeof value !== 'string') return [];

    const key = nameKey(value);
    const before = previous?.[field];
    if (typeof before === 'string' && nameKey(before) === key) return [];
    if (confirmation.confirmed !== undefined && nameKey(confirmation.confirmed) === key) return [];

    const found = await this.duplicateFinder.find(manifest, user, [key], {
      exclude: id === null ? undefined : { module: manifest.name, id },
      limit: DUPLICATES_SHOWN,
      manager,
    });
    return found.get(key) ?? [];
  }

  /** Turns names into ids and checks that every linked record, user and group exists and may be linked. */
  private async resolveReferences(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    values: RecordValues,
    previous: RecordValues | null,
    errors: FieldErrors,
  ): Promise<void> {
    for (const field of manifest.fields.filter((f) => ['link', 'user', 'owner'].includes(f.type))) {
      const value = values[field.name] as string | number | null | undefined;
      if (errors[field.name] || value === null || value === undefined) continue;
      if (previous && previous[field.name] === value) continue;

      let resolved: string | number | undefined;
      if (field.type === 'owner') resolved = await this.findAssignableOwner(manager, user, value);
      else if (field.type === 'user') resolved = await this.findAssignableUserId(manager, user, value);
      else {
        const target = await this.findLinkTargetId(manager, field.link!, user, value);
        if (target === 'ambiguous') {
          errors[field.name] = { code: 'ambiguousReference', params: { value: String(value) } };
          continue;
        }
        resolved = target;
      }
      if (resolved === undefined)
        errors[field.name] =
          field.type === 'owner'
            ? await this.ownerError(manager, value)
            : { code: 'referenceNotFound', params: { value: String(value) } };
      else values[field.name] = resolved;
    }
  }

  /**
   * Explains why an owner was not accepted. A user or group that exists is outside those the user may assign
   * to, so it is named rather than shown as its id. Anything else was not found.
   */
  private async ownerError(manager: EntityManager, value: string | number): Promise<FieldErrors[string]> {
    const groupId = ownerGroupId(value);
    let name: string | undefined;
    if (groupId !== undefined) name = (await manager.findOneBy(GroupEntity, { id: groupId }))?.name;
    else if (typeof value === 'number') {
      const user = await manager.findOneBy(UserEntity, { id: value });
      if (user && !user.isActive) return { code: 'inactiveAssignee', params: { value: user.fullName } };
      name = user?.fullName;
    }
    return name === undefined
      ? { code: 'referenceNotFound', params: { value: String(value) } }
      : { code: 'notAssignable', params: { value: name } };
  }

  /**
   * Finds the user or group a record may be assigned to: a user's id, `group:<id>`, or a name. A name is
   * looked up among users first (username, then full name) and then among groups.
   */
  private async findAssignableOwner(
    manager: EntityManager,
    user: CurrentUser,
    value: string | number,
  ): Promise<string | number | undefined> {
    const groupId = ownerGroupId(value);
    if (groupId === undefined) {
      const userId = await this.findAssignableUserId(manager, user, value);
      if (userId !== undefined || typeof value === 'number') return userId;
    }

    const query = manager.createQueryBuilder(GroupEntity, 'g').select('g.id', 'id');
    this.access.restrictAssignableGroups(query, 'g', user);
    if (groupId !== undefined) query.andWhere('g.id = :groupId', { groupId });
    else query.andWhere('g.nameKey = :key', { key: nameKey(String(value)) });
    const row = await query.getRawOne<{ id: number }>();
    return row ? groupOwner(Number(row.id)) : undefined;
  }

  /** Finds an active user, by id or by username or full name, whom the user may assign records to. */
  private async findAssignableUserId(
    manager: EntityManager,
    user: CurrentUser,
    value: string | number,
  ): Promise<number | undefined> {
    const query = manager
      .createQueryBuilder(UserEntity, 'u')
      .select('u.id', 'id')
      .where('u.isActive = :active', { active: true });
    this.access.restrictAssignees(query, 'u', user);
    if (typeof value === 'number') query.andWhere('u.id = :id', { id: value });
    else
      query.andWhere('(u.username = :username OR LOWER(u.fullName) = :name)', {
        username: value.toLowerCase(),
        name: value.toLowerCase(),
      });
    const row = await query.getRawOne<{ id: number }>();
    return row ? Number(row.id) : undefined;
  }

  /**
   * Finds a visible record of the target module by id, or by its name as findByNames() does. Returns
   * 'ambiguous' for a name that several visible records share.
   */
  async findLinkTargetId(
    manager: EntityManager,
    moduleName: string,
    user: CurrentUser,
    value: string | number,
  ): Promise<number | 'ambiguous' | undefined> {
    const target = this.registry.get(moduleName);
    if (typeof value === 'string')
      return (await this.findByNames(manager, target, user, [value])).get(linkKeyOf(target, value));

    const row = await this.visibleQuery(target, user, manager, 'none')
      .select(`${ALIAS}.id`, 'id')
      .andWhere(`${ALIAS}.id = :id`, { id: value })
      .getRawOne<{ id: number }>();
    return row ? Number(row.id) : undefined;
  }

  /**
   * Finds visible records of the target module by name, for links given as text (a form's text box, an
   * import's column), with one query per way of matching. Each name matches the full name first ("Mario
   * Rossi"), then the name field alone ("Rossi"), without regard to case. Returns, by linkKeyOf() of each
   * name found, the record's id, or 'ambiguous' when several visible records match, so that none is picked
   * at random.
   * NOTE: a full name is compared as an expression, which no index serves, so each lookup reads every
   * visible record of the module.
   */
  async findByNames(
    manager: EntityManager,
    target: ModuleManifest,
    user: CurrentUser,
    names: string[],
  ): Promise<Map<string, number | 'ambiguous'>> {
    const found = new Map<string, number | 'ambiguous'>();
    let keys = [...new Set(names.map((name) => linkKeyOf(target, name)))];

    for (const matcher of linkNameMatchers(target, ALIAS)) {
      if (keys.length === 0) break;
      const rows = await this.visibleQuery(target, user, manager, 'none')
        .select(`${ALIAS}.id`, 'id')
        .addSelect(matcher, 'nameKey')
        .andWhere(`${matcher} IN (:...keys)`, { keys })
        .getRawMany<{ id: number | string; nameKey: string }>();
      for (const row of rows) {
        const key = String(row.nameKey);
        const id = Number(row.id);
        const previous = found.get(key);
        found.set(key, previous === undefined || previous === id ? id : 'ambiguous');
      }
      keys = keys.filter((key) => !found.has(key));
    }
    return found;
  }

  private async checkUniqueKeys(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    values: RecordValues,
    id: number | null,
    errors: FieldErrors,
  ): Promise<void> {
    for (const field of manifest.fields.filter((f) => f.uniqueKey)) {
      const value = values[field.name];
      if (errors[field.name] || typeof value !== 'string') continue;

      const query = manager
        .createQueryBuilder()
        .select(`${ALIAS}.id`, 'id')
        .from(manifest.table, ALIAS)
        .where(`${ALIAS}.${field.name}_key = :key`, { key: nameKey(value) });
      if (id !== null) query.andWhere(`${ALIAS}.id <> :id`, { id });
      const taken = await query.getRawOne<{ id: number | string }>();
      if (!taken) continue;

      // A link to a record the user may not see would end in a 404, so the message names that case instead.
      const visible = await this.visibleQuery(manifest, user, manager, 'none')
        .select(`${ALIAS}.id`, 'id')
        .andWhere(`${ALIAS}.id = :takenId`, { takenId: Number(taken.id) })
        .getRawOne<{ id: number | string }>();
      errors[field.name] = { code: visible ? 'notUnique' : 'notUniqueHidden', params: { value } };
    }
  }

  /** Converts checked values to the columns of one row. */
  toRow(manifest: ModuleManifest, values: RecordValues): Record<string, string | number | boolean | null> {
    const row: Record<string, string | number | boolean | null> = {};
    for (const field of manifest.fields) {
      if (field.computed || field.system || field.custom) continue;
      if (field.type === 'owner') {
        const { userId, groupId } = ownerColumns(values[field.name]);
        row[columnOf(field)] = userId;
        row[OWNER_GROUP_COLUMN] = groupId;
        continue;
      }
      // The module's entity declares a checkbox column boolean, and TypeORM's SQLite driver then writes any
      // value but `true` as 0, so a standard checkbox passes a boolean. Custom-field tables have no entity.
      row[columnOf(field)] =
        field.type === 'checkbox' ? values[field.name] === true : toColumn(field, values[field.name] ?? null);
      if (hasKeyColumn(manifest, field)) {
        const value = values[field.name];
        row[`${field.name}_key`] = typeof value === 'string' ? nameKey(value) : null;
      }
    }
    return row;
  }

  /** Converts checked values to the columns of the record's row of the custom-field table, without its id. */
  private toCustomRow(
    manifest: ModuleManifest,
    values: RecordValues,
  ): Record<string, string | number | null> {
    const row: Record<string, string | number | null> = {};
    for (const field of manifest.fields.filter((candidate) => candidate.custom))
      row[columnOf(field)] = toColumn(field, values[field.name] ?? null);
    return row;
  }

  /**
   * Writes the custom-field rows of records: inserted for new records, and for saved ones inserted or
   * updated, because a record saved before the module's first custom field has no row yet.
   */
  async saveCustomRows(
    manager: EntityManager,
    manifest: ModuleManifest,
    records: StoredRecord[],
    isNew: boolean,
  ): Promise<void> {
    if (records.length === 0 || !hasCustomFields(manifest)) return;
    const table = customFieldTable(manifest);
    const rows = records.map((record) => ({ id: record.id, ...this.toCustomRow(manifest, record.values) }));
    if (isNew) {
      await manager.createQueryBuilder().insert().into(table).values(rows).execute();
      return;
    }

    for (const { id, ...columns } of rows) {
      const exists = await manager
        .createQueryBuilder()
        .select(`${CUSTOM_ALIAS}.id`, 'id')
        .from(table, CUSTOM_ALIAS)
        .where(`${CUSTOM_ALIAS}.id = :id`, { id })
        .getRawOne<{ id: number }>();
      if (exists)
        await manager.createQueryBuilder().update(table).set(columns).where('id = :id', { id }).execute();
      else
        await manager
          .createQueryBuilder()
          .insert()
          .into(table)
          .values({ id, ...columns })
          .execute();
    }
  }

  /** Reserves `count` consecutive record numbers of the module and returns the first. */
  async reserveNumbers(manager: EntityManager, moduleName: string, count: number): Promise<number> {
    await manager
      .createQueryBuilder()
      .update(RecordSequence)
      .set({ nextValue: () => `next_value + ${Math.trunc(count)}` })
      .where('module = :module', { module: moduleName })
      .execute();
    const sequence = await manager.findOneByOrFail(RecordSequence, { module: moduleName });
    return sequence.nextValue - count;
  }

  private async insert(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    values: RecordValues,
  ): Promise<number> {
    const now = utcNow();
    const row: Record<string, string | number | null> = {
      ...this.toRow(manifest, values),
      created_at: now,
      updated_at: now,
      created_by_id: user.id,
      modified_by_id: user.id,
    };
    if (manifest.numberPrefix) {
      const numberField = manifest.fields.find((field) => field.type === 'recordNumber')!;
      row[numberField.name] =
        `${manifest.numberPrefix}${await this.reserveNumbers(manager, manifest.name, 1)}`;
    }

    const result = await manager.createQueryBuilder().insert().into(manifest.table).values(row).execute();
    const id = Number(
      (result.identifiers[0] as { id: number } | undefined)?.id ??
        (result.raw as { insertId?: number }).insertId,
    );
    await this.saveCustomRows(manager, manifest, [{ id, values }], true);
    this.logger.log(`Created ${manifest.name} ${id} by user ${user.id}`);
    return id;
  }

  /**
   * Writes a record's row and raises its version. Given the version the form was opened with, the row is
   * written only while it still has that version, in the same statement, so of two saves from forms opened
   * at the same version exactly one passes. On MariaDB the second UPDATE waits for the first one's row lock
   * and then finds the raised version. Returns false, having written nothing, when the version differs.
   */
  private async update(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    id: number,
    values: RecordValues,
    openedVersion?: number,
  ): Promise<boolean> {
    const row = {
      ...this.toRow(manifest, values),
      updated_at: utcNow(),
      modified_by_id: user.id,
      [VERSION_COLUMN]: () => `${VERSION_COLUMN} + 1`,
    };
    const query = manager.createQueryBuilder().update(manifest.table).set(row).where('id = :id', { id });
    if (openedVersion !== undefined) query.andWhere(`${VERSION_COLUMN} = :openedVersion`, { openedVersion });
    const result = await query.execute();
    if (openedVersion !== undefined && result.affected !== 1) {
      this.logger.warn(`Rejected a stale save of ${manifest.name} ${id} opened at version ${openedVersion}`);
      return false;
    }
    await this.saveCustomRows(manager, manifest, [{ id, values }], false);
    return true;
  }

  /** Counts every record of a module whose link field points to the given id, visible or not. */
  async countLinking(moduleName: string, fieldName: string, id: number): Promise<number> {
    return this.countLinkingAny(moduleName, fieldName, [id]);
  }

  /** Counts every record of a module whose link field points to one of the given ids, visible or not. */
  async countLinkingAny(moduleName: string, fieldName: string, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const manifest = this.registry.get(moduleName);
    const field = this.registry.field(moduleName, fieldName)!;
    const row = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from(manifest.table, ALIAS)
      .where(`${columnRef(field)} IN (:...ids)`, { ids })
      .getRawOne<{ count: number | string }>();
    return Number(row?.count ?? 0);
  }

  /**
   * Moves a record the user may delete to the recycle bin. Its row and every link to and from it stay, so a
   * restore brings it back as it was. Its unique name keys are emptied, so that a new record may take the
   * name while it is in the bin.
   */
  async remove(moduleName: string, user: CurrentUser, id: number): Promise<void> {
    const manifest = this.registry.get(moduleName);
    await this.permissions.require(user, moduleName, 'delete');
    await inTransaction(this.dataSource, async (manager) => {
      await this.findChangeable(moduleName, user, id, 'delete', manager);
      const row: Record<string, string | number | null> = {
        [BIN_COLUMNS.deletedAt]: utcNow(),
        [BIN_COLUMNS.deletedBy]: user.id,
      };
      for (const field of manifest.fields.filter((candidate) => candidate.uniqueKey))
        row[`${field.name}_key`] = null;
      await manager.createQueryBuilder().update(manifest.table).set(row).where('id = :id', { id }).execute();
      await this.events.emit(RecordBinnedEvent, new RecordBinnedEvent(manager, user, moduleName, id));
    });
    this.logger.log(`Moved ${manifest.name} ${id} to the recycle bin by user ${user.id}`);
  }

  /**
   * Visible records of a module as id and name, for pickers; `limit` + 1 rows tell whether there are more.
   * A user whose profile does not let them view the module gets none.
   */
  async options(
    moduleName: string,
    user: CurrentUser,
    limit: number,
  ): Promise<{ id: number; name: string }[]> {
    const manifest = this.registry.get(moduleName);
    const permissions = await this.permissions.forUser(user);
    if (!permissions.can(moduleName, 'view')) return [];
    const rows = await this.visibleQuery(manifest, user, this.dataSource.manager, 'none')
      .select(`${ALIAS}.id`, 'id')
      .addSelect(recordNameSql(manifest, ALIAS), 'name')
      .orderBy(`${ALIAS}.${manifest.nameField}`, 'ASC')
      .addOrderBy('name', 'ASC')
      .limit(limit + 1)
      .getRawMany<{ id: number; name: string }>();
    return rows.map((row) => ({ id: Number(row.id), name: row.name }));
  }
}

/** The maximum number of alternative filter sets in one list: `or1.` to `or9.`. */
const MAX_ALTERNATIVES = 9;

/** Returns the non-empty values of a URL filter, which may be repeated, as a list. */
function filterValues(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  const values = Array.isArray(raw) ? raw : [raw];
  return values.filter((value) => value !== '');
}

/**
 * Splits a list's filters into the plain ones, which every record must match, and the alternative sets,
 * named `or<N>.<filter>` (`or1.sales_stage=Closed Won&or1.effective_close_date_from=2027-01-01`). A record
 * matches the alternatives when it matches every filter of at least one set.
 */
export function splitAlternatives(filters: Record<string, string | string[]>): {
  plain: Record<string, string | string[]>;
  alternatives: Record<string, string | string[]>[];
} {
  const plain: Record<string, string | string[]> = {};
  const sets = new Map<number, Record<string, string | string[]>>();
  for (const [key, value] of Object.entries(filters)) {
    const match = /^or(\d)\.(.+)$/.exec(key);
    const number = match ? Number(match[1]) : 0;
    if (!match || number < 1 || number > MAX_ALTERNATIVES) {
      plain[key] = value;
      continue;
    }
    const set = sets.get(number) ?? {};
    set[match[2]] = value;
    sets.set(number, set);
  }
  const alternatives = [...sets.entries()].sort(([a], [b]) => a - b).map(([, set]) => set);
  return { plain, alternatives };
}

/** The join of the module's custom-field table to its records in a query, or 'none' to leave it out. */
export type CustomJoin = 'left' | 'inner' | 'none';

/**
 * Returns the join for the count and totals of a list: none when the search, the filters and the totals
 * read no custom column. MariaDB leaves an unused LEFT JOIN out by itself, but SQLite does not, and would
 * look up the custom-field row of every record counted.
 */
function summaryJoinFor(manifest: ModuleManifest, request: ListQuery): CustomJoin {
  const custom = manifest.fields.filter((field) => field.custom);
  const searched = Boolean(request.search?.trim()) && custom.some((field) => field.searchable);
  // A filter of an alternative set (`or1.<filter>`) reads the same column as the plain filter.
  const keys = new Set(Object.keys(request.filters).map((key) => key.replace(/^or\d\./, '')));
  const filtered = custom.some((field) =>
    [field.name, `${field.name}_from`, `${field.name}_to`].some((key) => keys.has(key)),
  );
  const totalled = custom.some((field) => manifest.listTotals?.includes(field.name));
  return searched || filtered || totalled ? 'left' : 'none';
}

/**
 * Returns the join for a list sorted on the field. A LEFT JOIN makes MariaDB and SQLite read the module's
 * table first, so they sort every visible record before returning a page even when the custom column has an
 * index. Every record has its custom-field row, created with the record or added for older records by
 * addMissingCustomRows(). So an INNER JOIN returns the same records, and it lets the database read the
 * custom column's index in order and stop after one page.
 * NOTE: a record created by an instance that had not yet seen its module's first custom field has no row.
 * Lists sorted on a custom field leave it out until the next start-up, field addition or save of the record.
 */
function customJoinFor(sortField: FieldDefinition): CustomJoin {
  return sortField.custom ? 'inner' : 'left';
}

/**
 * Returns the id column that breaks ties in the sort. For a custom field it is the custom-field table's id,
 * the same value as the record's, because its index lists the rows in (value, id) order.
 */
function sortIdColumn(sortField: FieldDefinition): string {
  return `${sortField.custom ? CUSTOM_ALIAS : ALIAS}.id`;
}

/** Returns the SQL column of a field in the record engine's queries: on the module's table or its custom-field table. */
function columnRef(field: FieldDefinition): string {
  return `${field.custom ? CUSTOM_ALIAS : ALIAS}.${columnOf(field)}`;
}

/** Returns the SQL expression that filters and sorts compare for a field: its column, or what its type makes of it. */
function comparedColumn(field: FieldDefinition): string {
  const column = columnRef(field);
  return valueTypeOf(field)?.compared?.(column) ?? column;
}

/** Finds the linked record, user or group of a link, user or owner value among the names looked up. */
export function linkedNameOf(
  field: FieldDefinition,
  value: FieldValue,
  names: LinkNames,
): LinkedName | undefined {
  const groupId = field.type === 'owner' ? ownerGroupId(value) : undefined;
  if (groupId !== undefined) return names.get('groups')?.get(groupId);
  return names.get(field.type === 'link' ? field.link! : 'users')?.get(value as number);
}

/** Tells whether a database error is a unique index violation (MariaDB/MySQL 1062, SQLite's UNIQUE constraint). */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { errno?: number; code?: string } }).driverError;
  return driverError?.errno === 1062 || driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Returns the form of a name that uniqueness and matching compare: trimmed, single-spaced, lower case. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Reads a filter value from a URL: ids, ISO dates and plain numbers with a dot. */
function parseFilterValue(field: FieldDefinition, raw: string): string | number | undefined {
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.filterValue(field, raw);
  switch (field.type) {
    case 'currency':
      return /^\d{1,12}(\.\d{1,2})?$/.test(raw) ? new Decimal(raw).times(100).toFixed(0) : undefined;
    case 'date': {
      const parsed = parseDate(raw, 'iso');
      return parsed.ok ? parsed.value : undefined;
    }
    case 'integer':
    case 'percent':
    case 'link':
    case 'user':
    case 'owner':
      return /^\d{1,10}$/.test(raw) ? Number(raw) : undefined;
    default:
      return raw;
  }
}

/**
 * Returns the fields a partial save (a board move, a mass action) leaves empty as they were: a field made
 * mandatory after the record was saved is asked for at the record's next form edit, not here.
 */
function keptEmpty(
  previous: RecordValues | null,
  submitted: ReadonlySet<string>,
  source: SaveSource,
): ReadonlySet<string> {
  if (previous === null || (source !== 'board' && source !== 'mass')) return new Set();
  return new Set(
    Object.entries(previous)
      // An unticked checkbox (false) leaves a mandatory checkbox unfilled, as an empty value does.
      .filter(
        ([name, value]) => (value === null || value === undefined || value === false) && !submitted.has(name),
      )
      .map(([name]) => name),
  );
}
