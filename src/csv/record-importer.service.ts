import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, InsertResult } from 'typeorm';
import { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { inTransaction } from '../database/transaction.js';
import { EventBus } from '../events/event-bus.js';
import { RecordsSavedEvent } from '../events/record-changes.event.js';
import { UserEntity } from '../users/user.entity.js';
import { AccessScope } from '../access/access-scope.service.js';
import { FieldValue, groupOwner, parseFieldInput, RecordValues } from '../records/field-codec.js';
import { GroupEntity } from '../groups/group.entity.js';
import { FieldDefinition, hasCustomFields, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { linkKeyOf } from '../records/record-names.js';
import { applyDefaults, checkValues, FieldErrors, parseSubmission } from '../records/record-validation.js';
import { nameKey, RecordsService } from '../records/records.service.js';
import { utcNow } from '../records/values.js';
import { CsvReadError, CsvRow, readCsvRows } from './csv-file.js';
import { duplicateActionOf, importTargets, ImportSettings, RowProblem } from './import-settings.js';
import { DuplicateFinder } from '../records/duplicate-finder.service.js';
import { duplicateName } from '../records/duplicate-names.js';
import { DuplicateRow, DuplicateTracker } from './import-duplicates.js';
import { ImportOutcome, ImportRun, mappedInput, PreparedRow, unreadableProblem } from './import-run.js';
import { CsvChildRows } from './child-rows.js';
import {
  addProblems,
  addToGroup,
  childRowProblem,
  differingRecordCells,
  failGroup,
  GroupProblems,
} from './import-groups.js';

/** Rows validated and written together: one lookup query per linked module and one transaction. */
const BATCH_SIZE = 500;

/** Rolls back the transaction of a record whose names could not be resolved. */
class GroupNotImported extends Error {}

/**
 * Runs an import with the same rules as the record forms: parseSubmission, the module's save hook and
 * checkValues for each row, then names resolved and rows written a batch at a time.
 */
@Injectable()
export class RecordImporter {
  private readonly logger = new Logger(RecordImporter.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly picklists: PicklistsService,
    private readonly access: AccessScope,
    private readonly permissions: PermissionsService,
    private readonly duplicateFinder: DuplicateFinder,
    private readonly events: EventBus,
  ) {}

  async run(
    moduleName: string,
    path: string,
    settings: ImportSettings,
    user: CurrentUser,
  ): Promise<ImportOutcome> {
    const run = new ImportRun(this.registry.get(moduleName), settings, user);
    const permissions = await this.permissions.require(user, moduleName, 'import');
    run.targets = importTargets(this.registry, moduleName, permissions);
    run.permissions = permissions;
    run.picklists = await this.picklists.forModule(moduleName);
    if (duplicateActionOf(run.manifest, settings) === 'skip')
      run.duplicates = new DuplicateTracker(this.duplicateFinder, run.manifest, user);
    this.logger.log(`Import of ${moduleName} by user ${user.id} started`);

    const childRows = this.registry.csvChildRowsOf(moduleName);
    const groups = new Map<string, CsvRow[]>();
    let batch: PreparedRow[] = [];
    let headerSeen = false;
    let nextLine = 2;
    let readToEnd = false;
    try {
      for await (const row of readCsvRows(path, settings)) {
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        nextLine = row.line + 1;
        if (!this.isReadable(run, row)) continue;
        if (childRows) {
          addToGroup(groups, childRows.groupKey(mappedInput(settings, row.cells)), row);
          continue;
        }
        batch.push(this.prepare(run, row));
        if (batch.length >= BATCH_SIZE) {
          await this.writeBatch(run, batch);
          batch = [];
        }
      }
      readToEnd = true;
    } catch (error) {
      // Earlier batches are committed, so the import ends with a result that says where it stopped.
      run.result.read++;
      if (error instanceof CsvReadError) {
        run.fail([], { line: error.line, problems: [unreadableProblem(error)] });
      } else {
        this.logger.error(
          `Import of ${moduleName} by user ${user.id} stopped near line ${nextLine}: ${String(error)}`,
        );
        run.fail([], {
          line: nextLine,
          problems: [{ column: '', reason: 'csv.errors.stopped', params: { line: nextLine } }],
        });
      }
    }
    if (batch.length > 0) await this.writeBatch(run, batch);
    if (childRows) await this.importGroups(run, childRows, groups, readToEnd);

    // Each check of a batch records its failures in turn; the result lists them by line.
    const { result } = run;
    result.failures.sort((a, b) => a.line - b.line);
    run.failedRows.sort((a, b) => a.failure.line - b.failure.line);
    this.logger.log(
      `Import of ${moduleName} by user ${user.id} finished: ${result.read} read, ${result.created} created, ${result.failed} failed, ${result.skipped} skipped, ${result.duplicatesSkipped ?? 0} duplicates skipped`,
    );
    return { result, failedRows: run.failedRows };
  }

  /** Counts the row and returns whether its cells can be read as values, or records why not. */
  private isReadable(run: ImportRun, row: CsvRow): boolean {
    run.result.read++;
    if (row.cells.every((cell) => cell.trim() === '')) {
      run.result.skipped++;
      return false;
    }

    const expected = run.settings.headers.length;
    if (row.cells.length !== expected) {
      run.fail(row.cells, {
        line: row.line,
        problems: [
          { column: '', reason: 'csv.errors.columnCount', params: { expected, found: row.cells.length } },
        ],
      });
      return false;
    }
    if (row.bareCarriageReturnAt !== null) {
      const column = run.settings.headers[row.bareCarriageReturnAt] ?? '';
      run.fail(row.cells, {
        line: row.line,
        problems: [{ column, reason: 'csv.errors.bareCarriageReturn' }],
      });
      return false;
    }
    return true;
  }

  /** Parses the mapped cells and applies the module's save hook and the value checks, as a form save does. */
  private prepare(run: ImportRun, row: CsvRow): PreparedRow {
    const input = mappedInput(run.settings, row.cells);
    const extraFields = run.targets.filter((field) => field.readOnly && field.name in input);
    const formInput = { ...input };
    for (const field of extraFields) delete formInput[field.name];

    const { values, submitted, errors } = parseSubmission(
      run.manifest.fields,
      formInput,
      run.format,
      run.permissions.restrictedFields(run.manifest.name),
    );
    const imported: Record<string, FieldValue> = {};
    for (const field of extraFields) {
      const parsed = parseFieldInput(field, input[field.name], run.format);
      if (parsed.ok) imported[field.name] = parsed.value;
      else errors[field.name] = { code: parsed.error };
    }

    const owner = this.registry.ownerField(run.manifest.name);
    if (owner && (values[owner.name] ?? null) === null) values[owner.name] = run.user.id;
    // Unlike a form, an import fills in the default for an empty cell too, because a file cannot tell a
    // cleared value from one never typed. A column's own default from the mapping page came first.
    applyDefaults(run.manifest.fields, values, new Set(Object.keys(errors)));

    this.registry.hooksOf(run.manifest.name)?.beforeSave({
      isNew: true,
      previous: null,
      values,
      submitted,
      picklists: run.picklists,
      today: run.today,
      source: 'import',
      imported,
      errors,
    });
    checkValues(this.registry.writableFields(run.manifest.name), values, run.picklists, errors);
    return { line: row.line, cells: row.cells, values, errors };
  }

  /**
   * Imports the records of a module with child rows, each with its rows in a transaction of its own: the
   * record from its group's first row, then the child rows. A problem on any row fails every row of the group,
   * so that no record is stored without some of its child rows. When the file could not be read to its end,
   * a group may miss rows after the break, so no group is imported.
   * NOTE: the groups are held in memory until the file is read, so memory grows with the file (up to the
   * upload limit, IMPORT_MAX_MB). One transaction a record is slower than the batches of other modules.
   */
  private async importGroups(
    run: ImportRun,
    childRows: CsvChildRows,
    groups: Map<string, CsvRow[]>,
    readToEnd: boolean,
  ): Promise<void> {
    for (const rows of groups.values()) {
      if (readToEnd) await this.importGroup(run, childRows, rows);
      else failGroup(run, rows, new Map([[0, [{ column: '', reason: 'csv.childRows.fileNotRead' }]]]));
    }
  }

  private async importGroup(run: ImportRun, childRows: CsvChildRows, rows: CsvRow[]): Promise<void> {
    const record = this.prepare(run, rows[0]);
    const problems = differingRecordCells(run, childRows, rows);
    const checked = await childRows.check(
      run.user,
      rows.map((row) => ({ line: row.line, input: mappedInput(run.settings, row.cells) })),
      record.values,
      run.settings.numberFormat,
    );
    if (!checked.ok) {
      for (const problem of checked.problems)
        addProblems(problems, problem.row, [childRowProblem(run, childRows, problem)]);
    }
    addProblems(problems, 0, run.problemsOf(record));
    if (problems.size > 0 || !checked.ok) return failGroup(run, rows, problems);

    const countsBefore = { ...run.result, linkedCreated: { ...run.result.linkedCreated } };
    try {
      const duplicate = await inTransaction(this.dataSource, async (manager) => {
        const [skipped] = await this.findDuplicates(manager, run, [record]);
        if (skipped) return skipped.problem;
        await this.resolveUsers(manager, run, [record]);
        await this.checkUniqueKeys(manager, run, [record]);
        await this.resolveLinks(manager, run, [record]);
        if (Object.keys(record.errors).length > 0) throw new GroupNotImported();

        const [id] = await this.insertRecords(manager, run.manifest, run.user, [record.values]);
        await childRows.store(manager, run.user, id, checked.children);
        return undefined;
      });
      if (duplicate) {
        for (const row of rows) run.skipDuplicate(row.cells, { line: row.line, problems: [duplicate] });
        return;
      }
      run.result.created++;
    } catch (error) {
      run.result.assignedToImporter = countsBefore.assignedToImporter;
      run.result.linkedCreated = countsBefore.linkedCreated;
      const failed: GroupProblems = new Map();
      if (error instanceof GroupNotImported) {
        addProblems(failed, 0, run.problemsOf(record));
      } else {
        this.logger.error(
          `Import of ${run.manifest.name} by user ${run.user.id}: record from line ${rows[0].line} failed: ${String(error)}`,
        );
        rows.forEach((_row, index) =>
          addProblems(failed, index, [{ column: '', reason: 'csv.errors.batchFailed' }]),
        );
      }
      failGroup(run, rows, failed);
    }
  }

  /** Resolves users and linked records, checks unique names and inserts the good rows, in one transaction. */
  private async writeBatch(run: ImportRun, rows: PreparedRow[]): Promise<void> {
    const countsBefore = { ...run.result, linkedCreated: { ...run.result.linkedCreated } };
    let created: number;
    let skipped: { row: PreparedRow; problem: RowProblem }[] = [];
    try {
      created = await inTransaction(this.dataSource, async (manager) => {
        skipped = await this.findDuplicates(manager, run, rows);
        // Skipped rows create no linked record and count for no note of the result page.
        const remaining = rows.filter((row) => !skipped.some((entry) => entry.row === row));
        await this.resolveUsers(manager, run, remaining);
        await this.checkUniqueKeys(manager, run, remaining);
        await this.resolveLinks(manager, run, remaining);

        const good = remaining.filter((row) => Object.keys(row.errors).length === 0);
        await this.insertRecords(
          manager,
          run.manifest,
          run.user,
          good.map((row) => row.values),
        );
        return good.length;
      });
    } catch (error) {
      // The batch was rolled back, so its rows are reported as failed and the next batches still run.
      this.logger.error(
        `Import of ${run.manifest.name} by user ${run.user.id}: batch from line ${rows[0].line} failed: ${String(error)}`,
      );
      run.result.assignedToImporter = countsBefore.assignedToImporter;
      run.result.linkedCreated = countsBefore.linkedCreated;
      for (const row of rows)
        run.fail(row.cells, { line: row.line, problems: [{ column: '', reason: 'csv.errors.batchFailed' }] });
      return;
    }

    run.result.created += created;
    for (const { row, problem } of skipped)
      run.skipDuplicate(row.cells, { line: row.line, problems: [problem] });
    for (const row of rows) {
      if (Object.keys(row.errors).length > 0)
        run.fail(row.cells, { line: row.line, problems: run.problemsOf(row) });
    }
  }

  /**
   * Returns the valid rows to skip because visible records or earlier rows already have their checked value,
   * each with the reason, when the user chose to skip duplicates. One lookup per compared module a batch.
   */
  private async findDuplicates(
    manager: EntityManager,
    run: ImportRun,
    rows: PreparedRow[],
  ): Promise<{ row: PreparedRow; problem: RowProblem }[]> {
    const field = run.manifest.duplicateCheck?.field;
    if (!run.duplicates || field === undefined) return [];

    const checked = rows.filter(
      (row) => Object.keys(row.errors).length === 0 && typeof row.values[field] === 'string',
    );
    const byLine = new Map(checked.map((row) => [row.line, row]));
    const found = await run.duplicates.check(
      checked.map((row) => ({ line: row.line, value: row.values[field] as string })),
      manager,
    );

    return found.map((duplicate) => ({
      row: byLine.get(duplicate.line)!,
      problem: this.duplicateProblem(run, field, duplicate),
    }));
  }

  /** Says which record, or which earlier line, already has the row's checked value, under the value's column. */
  private duplicateProblem(run: ImportRun, field: string, duplicate: DuplicateRow): RowProblem {
    const column = run.settings.headers[run.settings.mapping.indexOf(field)] ?? '';
    if (!duplicate.existing)
      return { column, reason: 'csv.duplicates.sameAsLine', params: { line: duplicate.earlierLine ?? 0 } };
    const target = this.registry.get(duplicate.existing.module);
    return {
      column,
      reason: 'csv.duplicates.existsOn',
      params: { record: duplicateName(run.user.locale, target, duplicate.existing) },
    };
  }

  /**
   * Turns user and group names into ids with one query each. The assignee is matched by username or full
   * name, then by group name. When none matches, the importing user is assigned and the row is counted for
   * the result page.
   */
  private async resolveUsers(manager: EntityManager, run: ImportRun, rows: PreparedRow[]): Promise<void> {
    const userFields = run.manifest.fields.filter(
      (field) => (field.type === 'user' || field.type === 'owner') && !field.system,
    );
    const wanted = new Set<string>();
    for (const row of rows) {
      for (const field of userFields) {
        const value = row.values[field.name];
        if (typeof value === 'string') wanted.add(value.trim().toLowerCase());
      }
    }
    if (wanted.size === 0) return;

    const found = await manager
      .createQueryBuilder(UserEntity, 'u')
      .select('u.id', 'id')
      .addSelect('u.username', 'username')
      .addSelect('u.fullName', 'fullName')
      .where('u.isActive = :active', { active: true })
      .andWhere('(u.username IN (:...names) OR LOWER(u.fullName) IN (:...names))', { names: [...wanted] })
      .orderBy('u.id', 'ASC')
      .getRawMany<{ id: number; username: string; fullName: string }>();
    // The role's "can assign to" setting applies to imports as it does to forms.
    const assignableQuery = manager
      .createQueryBuilder(UserEntity, 'u')
      .select('u.id', 'id')
      .where('u.id IN (:...ids)', { ids: found.length > 0 ? found.map((user) => user.id) : [0] });
    this.access.restrictAssignees(assignableQuery, 'u', run.user);
    const assignable = new Set<number | string>(
      (await assignableQuery.getRawMany<{ id: number }>()).map((row) => Number(row.id)),
    );

    const idOf = new Map<string, number | string>();
    for (const user of found) {
      for (const name of [user.username.toLowerCase(), user.fullName.trim().toLowerCase()]) {
        if (!idOf.has(name)) idOf.set(name, Number(user.id));
      }
    }
    if (userFields.some((field) => field.type === 'owner'))
      await this.addGroups(manager, run, [...wanted], idOf, assignable);

    for (const row of rows) {
      for (const field of userFields) {
        const value = row.values[field.name];
        if (typeof value !== 'string' || row.errors[field.name]) continue;

        let id = idOf.get(value.trim().toLowerCase());
        // A user field names users only; a name that matched a group leaves it unresolved.
        if (field.type === 'user' && typeof id === 'string') id = undefined;
        if (id !== undefined && !assignable.has(id)) {
          row.errors[field.name] = { code: 'notAssignable', params: { value } };
        } else if (id !== undefined) {
          row.values[field.name] = id;
        } else if (field.type === 'owner') {
          row.values[field.name] = run.user.id;
          run.result.assignedToImporter++;
        } else {
          row.errors[field.name] = { code: 'referenceNotFound', params: { value } };
        }
      }
    }
  }

  /**
   * Adds the groups named in the file to the names found (as `group:<id>`), unless a user has the same
   * name, and the groups the importing user may assign to to the assignable set.
   */
  private async addGroups(
    manager: EntityManager,
    run: ImportRun,
    names: string[],
    idOf: Map<string, number | string>,
    assignable: Set<number | string>,
  ): Promise<void> {
    const keys = names.map((name) => nameKey(name));
    const query = manager
      .createQueryBuilder(GroupEntity, 'g')
      .select('g.id', 'id')
      .addSelect('g.nameKey', 'nameKey')
      .where('g.nameKey IN (:...keys)', { keys });
    const groups = await query.getRawMany<{ id: number; nameKey: string }>();
    const assignableQuery = manager
      .createQueryBuilder(GroupEntity, 'g')
      .select('g.id', 'id')
      .where('g.id IN (:...ids)', { ids: groups.length > 0 ? groups.map((group) => group.id) : [0] });
    this.access.restrictAssignableGroups(assignableQuery, 'g', run.user);
    for (const row of await assignableQuery.getRawMany<{ id: number }>())
      assignable.add(groupOwner(Number(row.id)));

    for (const name of names) {
      const group = groups.find((candidate) => candidate.nameKey === nameKey(name));
      if (group && !idOf.has(name)) idOf.set(name, groupOwner(Number(group.id)));
    }
  }

  /** A name that must be unique (account name) fails when it is taken, or repeated earlier in the file. */
  private async checkUniqueKeys(manager: EntityManager, run: ImportRun, rows: PreparedRow[]): Promise<void> {
    for (const field of run.manifest.fields.filter((f) => f.uniqueKey)) {
      const keys = new Set<string>();
      for (const row of rows) {
        const value = row.values[field.name];
        if (typeof value === 'string') keys.add(nameKey(value));
      }
      if (keys.size === 0) continue;

      const used = await this.takenKeys(manager, run.manifest, field, [...keys]);

      for (const row of rows) {
        const value = row.values[field.name];
        if (typeof value !== 'string' || Object.keys(row.errors).length > 0) continue;
        const key = nameKey(value);
        if (used.has(key)) row.errors[field.name] = { code: 'notUnique', params: { value } };
        used.add(key);
      }
    }
  }

  /** Returns the given name keys that a record of the module already has, whether or not the user may see it. */
  private async takenKeys(
    manager: EntityManager,
    manifest: ModuleManifest,
    field: FieldDefinition,
    keys: string[],
  ): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const taken = await manager
      .createQueryBuilder()
      .select(`t.${field.name}_key`, 'nameKey')
      .from(manifest.table, 't')
      .where(`t.${field.name}_key IN (:...keys)`, { keys })
      .getRawMany<{ nameKey: string }>();
    return new Set(taken.map((row) => row.nameKey));
  }

  /**
   * Turns the names of linked records into ids through the access scope, with one query per linked module
   * and way of matching (full name, then last name). A missing record is created once when its module's names are unique (accounts), because only
   * then does every later row find the same one, and only when the user may create records there. In
   * other cases (campaigns, or a profile without create on accounts) the row fails, as it does when
   * several records have the name (two contacts named Mario Rossi).
   */
  private async resolveLinks(manager: EntityManager, run: ImportRun, rows: PreparedRow[]): Promise<void> {
    for (const field of run.manifest.fields.filter((f) => f.type === 'link')) {
      const target = this.registry.get(field.link!);
      const nameField = target.fields.find((f) => f.name === target.nameField)!;
      const keyOf = (name: string) => linkKeyOf(target, name);
      const named = rows.filter(
        (row) => typeof row.values[field.name] === 'string' && !row.errors[field.name],
      );
      if (named.length === 0) continue;

      const ids = await this.records.findByNames(
        manager,
        target,
        run.user,
        named.map((row) => row.values[field.name] as string),
      );

      if (nameField.uniqueKey && run.permissions.can(target.name, 'create')) {
        const missing = new Map<string, string>();
        for (const row of named) {
          const name = row.values[field.name] as string;
          const key = keyOf(name);
          if (!ids.has(key) && Object.keys(row.errors).length === 0 && !missing.has(key))
            missing.set(key, name.trim());
        }
        // A record the user may not see has the name already, and creating it again would fail the whole
        // batch on the unique index, so its rows fail as not found, as a form that names it does.
        for (const key of await this.takenKeys(manager, target, nameField, [...missing.keys()]))
          missing.delete(key);
        const createdIds = await this.createNamedRecords(manager, run, target, nameField, missing);
        for (const [key, id] of createdIds) ids.set(key, id);
      }

      for (const row of named) {
        const name = row.values[field.name] as string;
        const id = ids.get(keyOf(name));
        if (id === 'ambiguous')
          row.errors[field.name] = { code: 'ambiguousReference', params: { value: name } };
        else if (id !== undefined) row.values[field.name] = id;
        else if (!nameField.uniqueKey || Object.keys(row.errors).length === 0)
          row.errors[field.name] = { code: 'referenceNotFound', params: { value: name } };
      }
    }
  }

  /** Creates the linked records the rows name, each with the name as typed first, assigned to the importing user. */
  private async createNamedRecords(
    manager: EntityManager,
    run: ImportRun,
    target: ModuleManifest,
    nameField: FieldDefinition,
    missing: Map<string, string>,
  ): Promise<Map<string, number>> {
    const created = new Map<string, number>();
    if (missing.size === 0) return created;

    const picklists = await this.picklists.forModule(target.name, manager);
    const valid: RecordValues[] = [];
    for (const name of missing.values()) {
      const values: RecordValues = { [nameField.name]: name };
      const owner = this.registry.ownerField(target.name);
      if (owner) values[owner.name] = run.user.id;
      applyDefaults(target.fields, values, new Set([nameField.name]));
      const errors: FieldErrors = {};
      this.registry.hooksOf(target.name)?.beforeSave({
        isNew: true,
        previous: null,
        values,
        submitted: new Set([nameField.name]),
        picklists,
        today: run.today,
        source: 'import',
      });
      checkValues(this.registry.writableFields(target.name), values, picklists, errors);
      if (Object.keys(errors).length === 0) valid.push(values);
    }

    await this.insertRecords(manager, target, run.user, valid);
    run.result.linkedCreated[target.name] = (run.result.linkedCreated[target.name] ?? 0) + valid.length;
    const ids = await this.records.findByNames(manager, target, run.user, [...missing.values()]);
    for (const [key, id] of ids) if (id !== 'ambiguous') created.set(key, id);
    return created;
  }

  /**
   * Inserts new records with multi-row INSERTs: record numbers reserved in one step, audit columns set
   * to the importing user and the current UTC time. The records.saved event then gets the whole batch.
   * Returns the new records' ids in the order of `valuesList`.
   */
  private async insertRecords(
    manager: EntityManager,
    manifest: ModuleManifest,
    user: CurrentUser,
    valuesList: RecordValues[],
  ): Promise<number[]> {
    if (valuesList.length === 0) return [];

    const now = utcNow();
    const numberField = manifest.fields.find((field) => field.type === 'recordNumber');
    let nextNumber =
      manifest.numberPrefix && numberField
        ? await this.records.reserveNumbers(manager, manifest.name, valuesList.length)
        : 0;

    const rows = valuesList.map((values) => {
      const row: Record<string, string | number | boolean | null> = {
        ...this.records.toRow(manifest, values),
        created_at: now,
        updated_at: now,
        created_by_id: user.id,
        modified_by_id: user.id,
      };
      if (manifest.numberPrefix && numberField)
        row[numberField.name] = `${manifest.numberPrefix}${nextNumber++}`;
      return row;
    });
    const result = await manager.createQueryBuilder().insert().into(manifest.table).values(rows).execute();
    const inserted = valuesList.map((values, index) => ({ id: insertedId(result, index), values }));
    if (hasCustomFields(manifest)) await this.records.saveCustomRows(manager, manifest, inserted, true);
    await this.events.emit(
      RecordsSavedEvent,
      new RecordsSavedEvent(
        manager,
        user,
        manifest.name,
        'import',
        inserted.map((record) => ({ ...record, previous: null })),
      ),
    );
    return inserted.map((record) => record.id);
  }
}

/**
 * Returns the id of the row at `index` of a multi-row INSERT. TypeORM counts them on from the first id the
 * driver reports, which holds on SQLite and on MariaDB, where a multi-row INSERT of known size takes
 * consecutive ids under the default innodb_autoinc_lock_mode of 1.
 * NOTE: MySQL 8 defaults to innodb_autoinc_lock_mode 2, where concurrent INSERTs may interleave ids, so
 * custom field values and the records.saved handlers could reach the wrong record of an import there.
 */
function insertedId(result: InsertResult, index: number): number {
  const identifier = result.identifiers[index] as { id?: number } | undefined;
  if (identifier?.id === undefined) throw new Error(`The INSERT reported no id for row ${index}`);
  return Number(identifier.id);
}
