import { AccessScope } from '../access/access-scope.service.js';
import { Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService, UserPermissions } from '../access/permissions.service.js';
import { inTransaction } from '../database/transaction.js';
import { EventBus } from '../events/event-bus.js';
import { RecordDeletedEvent, RecordsSavedEvent } from '../events/record-changes.event.js';
import { RecordLinkChangedEvent } from '../events/record-links.event.js';
import { columnOf } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { RecordRelationEntity } from './record-relation.entity.js';
import { recordNameSql } from './record-names.js';
import { FieldRelationEnd, ManyRelationEnd, RelationEnd } from './relation-ends.js';
import { ALIAS, isUniqueViolation, RecordsService, SaveResult } from './records.service.js';
import { utcNow } from './values.js';

/** A rejected change of links, with the i18n key of the message that explains what the user can do instead. */
export class RelationRefusedError extends Error {
  constructor(readonly messageKey: string) {
    super(`Relation change refused: ${messageKey}`);
  }
}

/** A record named for a related list or a picker. */
export interface NamedRecord {
  id: number;
  name: string;
  /** The relation's attribute value (a contact's role), for many-to-many relations only. */
  attribute?: string | null;
}

/** The records a relation's picker offers, one page of them. */
export interface CandidatePage {
  records: NamedRecord[];
  total: number;
  page: number;
  pageCount: number;
}

/** A record with a related list open: the module of the page and the record's id. */
export interface RelationSide {
  moduleName: string;
  id: number;
}

export const PICKER_PAGE_SIZE = 20;
/** The maximum number of records a many-to-many list shows on a detail page. Its count includes the rest. */
export const MANY_LIST_SIZE = 50;

/** The alias of `record_relations` in queries that join it to a module's records. */
const RELATION_ALIAS = 'rel';

/**
 * Links and unlinks records through the relations that manifests declare: a link field of the related
 * record (one-to-many), saved through RecordsService so that its checks and events run, or a row of
 * `record_relations` (many-to-many). Every read goes through the access scope of RecordsService.
 */
@Injectable()
export class RelationsService implements OnModuleInit {
  private readonly logger = new Logger(RelationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly events: EventBus,
    private readonly scope: AccessScope,
  ) {}

  onModuleInit(): void {
    this.events.on(RecordDeletedEvent, (event) => this.forgetDeletedRecord(event), {
      order: 50,
      owner: RelationsService.name,
    });
    this.events.on(RecordsSavedEvent, (event) => this.addMainRecords(event), {
      order: 50,
      owner: RelationsService.name,
    });
  }

  /**
   * Counts and names the visible records of a many-to-many list, the first MANY_LIST_SIZE by name. Records
   * the user cannot see are neither listed nor counted.
   */
  async manyList(
    user: CurrentUser,
    side: RelationSide,
    end: ManyRelationEnd,
  ): Promise<{ total: number; records: NamedRecord[] }> {
    const other = this.registry.get(end.module);
    const count = await this.linkedQuery(user, side, end).select('COUNT(*)', 'total').getRawOne<{
      total: number | string;
    }>();
    const rows = await this.linkedQuery(user, side, end)
      .select(`${ALIAS}.id`, 'id')
      .addSelect(recordNameSql(other, ALIAS), 'name')
      .addSelect(`${RELATION_ALIAS}.attribute`, 'attribute')
      .orderBy(`${ALIAS}.${other.nameField}`, 'ASC')
      .addOrderBy(`${ALIAS}.id`, 'ASC')
      .limit(MANY_LIST_SIZE)
      .getRawMany<{ id: number; name: string | null; attribute: string | null }>();
    return {
      total: Number(count?.total ?? 0),
      records: rows.map((row) => ({ id: Number(row.id), name: row.name ?? '', attribute: row.attribute })),
    };
  }

  /** The visible records of the related module that the relation links to the record on `side`. */
  private linkedQuery(
    user: CurrentUser,
    side: RelationSide,
    end: ManyRelationEnd,
    manager: EntityManager = this.dataSource.manager,
  ): SelectQueryBuilder<ObjectLiteral> {
    const other = this.registry.get(end.module);
    const { condition, parameters } = linkCondition(side, end);
    return this.records
      .visibleQuery(other, user, manager, 'none')
      .innerJoin('record_relations', RELATION_ALIAS, condition, parameters);
  }

  /** Tells whether the user may link and unlink records of the list on this record's page. */
  async canChange(user: CurrentUser, side: RelationSide, end: RelationEnd): Promise<boolean> {
    const permissions = await this.permissions.forUser(user);
    if (end.kind === 'field')
      return permissions.can(end.module, 'edit') && !permissions.isReadOnly(end.module, end.field);
    if (!permissions.can(end.module, 'view') || !permissions.can(end.declaringModule, 'edit')) return false;
    // On the related module's page the declaring record is each row's own, so rights are checked per link.
    if (end.side === 'b') return true;
    return this.records.scopeAllows(side.moduleName, user, side.id, 'write');
  }

  /**
   * Checks that the user may change the links of the record on `side` in this list: they must see the
   * record, and, for a many-to-many relation declared by its module, change it. A record out of reach is
   * NotFound, as for one that does not exist.
   */
  async requireChangeable(user: CurrentUser, side: RelationSide, end: RelationEnd): Promise<UserPermissions> {
    const permissions = await this.permissions.require(user, side.moduleName, 'view');
    await this.records.findVisible(side.moduleName, user, side.id);
    if (end.kind === 'field') {
      permissions.require(end.module, 'edit');
      return permissions;
    }
    permissions.require(end.declaringModule, 'edit');
    permissions.require(end.module, 'view');
    if (end.side === 'a') await this.records.findChangeable(side.moduleName, user, side.id, 'write');
    return permissions;
  }

  /**
   * Returns a page of the visible records of the related module that match the search and are not linked
   * to this record yet, sorted by name. When linking changes the candidate, only those the user may change.
   * NOTE: pages beyond the first use OFFSET, which scans the rows before them. A picker is searched rather
   * than paged far, so the cost is expected to stay small, but it is not measured.
   */
  async candidates(
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    search: string,
    page: number,
  ): Promise<CandidatePage> {
    const other = this.registry.get(end.module);
    const permissions = await this.permissions.forUser(user);
    const hiddenFields = new Set(
      this.registry
        .fields(end.module)
        .filter((field) => permissions.isHidden(end.module, field))
        .map((field) => field.name),
    );
    // Linking changes the candidate when its link field changes or when its module declares the relation,
    // so only candidates the user may change are offered then: choosing another one would be refused.
    const candidateChanges = end.kind === 'field' || end.side === 'b';
    const query = () => {
      const candidates = this.records.filteredQuery(end.module, user, { search, filters: {}, hiddenFields });
      if (candidateChanges) this.scope.restrict(candidates, ALIAS, end.module, user, 'write');
      this.excludeLinked(candidates, side, end);
      return candidates;
    };

    const count = await query().select('COUNT(*)', 'total').getRawOne<{ total: number | string }>();
    const total = Number(count?.total ?? 0);
    const pageCount = Math.max(1, Math.ceil(total / PICKER_PAGE_SIZE));
    const current = Math.min(Math.max(page, 1), pageCount);
    const rows = await query()
      .select(`${ALIAS}.id`, 'id')
      .addSelect(recordNameSql(other, ALIAS), 'name')
      .orderBy(`${ALIAS}.${other.nameField}`, 'ASC')
      .addOrderBy(`${ALIAS}.id`, 'ASC')
      .offset((current - 1) * PICKER_PAGE_SIZE)
      .limit(PICKER_PAGE_SIZE)
      .getRawMany<{ id: number; name: string | null }>();
    return {
      records: rows.map((row) => ({ id: Number(row.id), name: row.name ?? '' })),
      total,
      page: current,
      pageCount,
    };
  }

  private excludeLinked(
    query: SelectQueryBuilder<ObjectLiteral>,
    side: RelationSide,
    end: RelationEnd,
  ): void {
    if (end.kind === 'field') {
      // The custom-field table is joined as `cf` by RecordsService.filteredQuery.
      const column = `${end.field.custom ? 'cf' : ALIAS}.${columnOf(end.field)}`;
      query.andWhere(`(${column} IS NULL OR ${column} <> :linkedTo)`, { linkedTo: side.id });
      return;
    }
    const { condition, parameters } = linkCondition(side, end);
    query.andWhere(
      `NOT EXISTS (SELECT 1 FROM record_relations ${RELATION_ALIAS} WHERE ${condition})`,
      parameters,
    );
  }

  /**
   * Links a record of the related module to the record on `side`. A link field is saved on the related
   * record with the user's rights, so the save rejects a record they cannot change. A many-to-many link
   * needs the related record to be visible, and stores the attribute value when the relation offers it.
   */
  async link(
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    relatedId: number,
    attribute: string | null = null,
  ): Promise<SaveResult> {
    await this.requireChangeable(user, side, end);
    if (end.kind === 'field') return this.saveLinkField(user, end, relatedId, String(side.id));

    await this.records.findVisible(end.module, user, relatedId);
    await inTransaction(this.dataSource, async (manager) => {
      await this.requireDeclaringRecordChangeable(user, side, end, relatedId, manager);
      await this.insertLink(manager, user, side, end, relatedId, attributeValue(end, attribute));
    });
    return { ok: true, id: relatedId };
  }

  private saveLinkField(
    user: CurrentUser,
    end: FieldRelationEnd,
    relatedId: number,
    value: string,
  ): Promise<SaveResult> {
    // A link changes one field without the record's form, so a mandatory field left empty before does not
    // stop it, as for a mass edit.
    return this.records.save(
      end.module,
      user,
      relatedId,
      { [end.field.name]: value },
      { numberFormat: 'dot', dateFormat: 'iso' },
      'mass',
    );
  }

  /** On the related module's page, the declaring record is the row's: the user must be able to change it. */
  private async requireDeclaringRecordChangeable(
    user: CurrentUser,
    side: RelationSide,
    end: ManyRelationEnd,
    relatedId: number,
    manager: EntityManager,
  ): Promise<void> {
    const { a } = linkSides(side, end, relatedId);
    await this.records.findChangeable(a.moduleName, user, a.id, 'write', manager);
  }

  private async insertLink(
    manager: EntityManager,
    user: CurrentUser,
    side: RelationSide,
    end: ManyRelationEnd,
    relatedId: number,
    attribute: string | null,
  ): Promise<void> {
    const { a, b } = linkSides(side, end, relatedId);
    try {
      await manager.insert(RecordRelationEntity, {
        relation: end.key,
        moduleA: a.moduleName,
        idA: a.id,
        moduleB: b.moduleName,
        idB: b.id,
        attribute,
        createdAt: utcNow(),
        createdById: user.id,
      });
    } catch (error) {
      // Linking a record that is already linked changes nothing.
      if (!isUniqueViolation(error)) throw error;
      return;
    }
    await this.emitLinkChange(manager, user, 'linked', side, end, relatedId, {
      previous: null,
      current: attribute,
    });
  }

  /**
   * Unlinks a related record. A mandatory link field cannot be cleared, so that unlink is rejected with a
   * message. The main record of a relation (a potential's Contact Name) is rejected the same way while the
   * field names it.
   */
  async unlink(
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    relatedId: number,
  ): Promise<SaveResult> {
    await this.requireChangeable(user, side, end);
    if (end.kind === 'field') {
      const related = await this.records.findVisible(end.module, user, relatedId);
      if (related.values[end.field.name] !== side.id) throw new NotFoundException();
      if (end.field.required) throw new RelationRefusedError('relations.errors.mandatoryLink');
      return this.saveLinkField(user, end, relatedId, '');
    }

    await this.records.findVisible(end.module, user, relatedId);
    await inTransaction(this.dataSource, async (manager) => {
      await this.requireDeclaringRecordChangeable(user, side, end, relatedId, manager);
      await this.refuseMainRecord(user, side, end, relatedId, manager);
      const previous = await this.storedAttribute(manager, side, end, relatedId);
      const deleted = await this.linkRows(manager, side, end, relatedId).delete().execute();
      if (!deleted.affected) throw new NotFoundException();
      await this.emitLinkChange(manager, user, 'unlinked', side, end, relatedId, { previous, current: null });
    });
    return { ok: true, id: relatedId };
  }

  private async refuseMainRecord(
    user: CurrentUser,
    side: RelationSide,
    end: ManyRelationEnd,
    relatedId: number,
    manager: EntityManager,
  ): Promise<void> {
    const mainField = end.relation.mainField;
    if (!mainField) return;
    const { a, b } = linkSides(side, end, relatedId);
    const declaring = await this.records.findVisible(a.moduleName, user, a.id, manager);
    if (declaring.values[mainField] === b.id) throw new RelationRefusedError('relations.errors.mainRecord');
  }

  /** Sets the attribute of a link (a contact's role in a deal); an empty value clears it. */
  async setAttribute(
    user: CurrentUser,
    side: RelationSide,
    end: RelationEnd,
    relatedId: number,
    value: string,
  ): Promise<void> {
    if (end.kind !== 'many' || !end.relation.attribute) throw new NotFoundException();
    await this.requireChangeable(user, side, end);
    const attribute = attributeValue(end, value);
    await this.records.findVisible(end.module, user, relatedId);
    await inTransaction(this.dataSource, async (manager) => {
      await this.requireDeclaringRecordChangeable(user, side, end, relatedId, manager);
      const previous = await this.storedAttribute(manager, side, end, relatedId);
      const updated = await this.linkRows(manager, side, end, relatedId)
        .update()
        .set({ attribute })
        .execute();
      if (!updated.affected) throw new NotFoundException();
      if (previous !== attribute)
        await this.emitLinkChange(manager, user, 'relinked', side, end, relatedId, {
          previous,
          current: attribute,
        });
    });
  }

  /** Reads the attribute of a stored link; null when the link has none or does not exist. */
  private async storedAttribute(
    manager: EntityManager,
    side: RelationSide,
    end: ManyRelationEnd,
    relatedId: number,
  ): Promise<string | null> {
    const row = await this.linkRows(manager, side, end, relatedId)
      .select('attribute', 'attribute')
      .getRawOne<{ attribute: string | null }>();
    return row?.attribute ?? null;
  }

  private async emitLinkChange(
    manager: EntityManager,
    user: CurrentUser,
    change: RecordLinkChangedEvent['change'],
    side: RelationSide,
    end: ManyRelationEnd,
    relatedId: number,
    attribute: RecordLinkChangedEvent['attribute'],
  ): Promise<void> {
    const { a, b } = linkSides(side, end, relatedId);
    await this.events.emit(
      RecordLinkChangedEvent,
      new RecordLinkChangedEvent(manager, user, change, end.key, a, b, attribute),
    );
  }

  /** Builds a query on the stored link between the record on `side` and a related record, to delete or update it. */
  private linkRows(manager: EntityManager, side: RelationSide, end: ManyRelationEnd, relatedId: number) {
    const { a, b } = linkSides(side, end, relatedId);
    return manager
      .createQueryBuilder()
      .from(RecordRelationEntity, 'record_relations')
      .where(
        'relation = :relation AND module_a = :moduleA AND id_a = :idA AND module_b = :moduleB AND id_b = :idB',
        {
          relation: end.key,
          moduleA: a.moduleName,
          idA: a.id,
          moduleB: b.moduleName,
          idB: b.id,
        },
      );
  }

  /**
   * Checks, before a record is created from a related list's "Add new", that the user may link it there.
   * Returns the list, or undefined when the form was opened from no related list.
   */
  async requireReturnList(
    user: CurrentUser,
    createdModule: string,
    reference: string | undefined,
  ): Promise<{ side: RelationSide; end: RelationEnd } | undefined> {
    const parsed = parseReturnReference(reference);
    if (!parsed) return undefined;
    const end = this.registry.relationEnd(parsed.side.moduleName, parsed.key);
    if (end.module !== createdModule) throw new NotFoundException();
    // The form itself sets a link field, and the save checks it as any other field.
    if (end.kind === 'field') {
      await this.permissions.require(user, parsed.side.moduleName, 'view');
      await this.records.findVisible(parsed.side.moduleName, user, parsed.side.id);
    } else {
      await this.requireChangeable(user, parsed.side, end);
    }
    return { side: parsed.side, end };
  }

  /**
   * Links a record just created from a related list's "Add new" to the record of the list. A link field was
   * set by the form itself, so only a many-to-many link is added here.
   * NOTE: the link is written after the record's own transaction. If the user loses the right to change the
   * declaring record in between, the record stays created and unlinked, and this throws.
   */
  async linkCreated(
    user: CurrentUser,
    list: { side: RelationSide; end: RelationEnd },
    createdId: number,
  ): Promise<void> {
    if (list.end.kind === 'field') return;
    const result = await this.link(user, list.side, list.end, createdId);
    if (!result.ok) this.logger.warn(`Record ${list.end.module} ${createdId} was created but not linked`);
  }

  /** Removes the links of a deleted record, on either side of every relation. */
  private async forgetDeletedRecord(event: RecordDeletedEvent): Promise<void> {
    await event.manager
      .createQueryBuilder()
      .delete()
      .from(RecordRelationEntity)
      .where('(module_a = :module AND id_a = :id) OR (module_b = :module AND id_b = :id)', {
        module: event.moduleName,
        id: event.id,
      })
      .execute();
  }

  /**
   * Adds the record that a relation's main field names (a potential's Contact Name) to the relation when a
   * save sets or changes the field. A record that is already linked keeps its link and its attribute.
   */
  private async addMainRecords(event: RecordsSavedEvent): Promise<void> {
    const manifest = this.registry.get(event.moduleName);
    for (const relation of manifest.relations ?? []) {
      if (!relation.mainField) continue;
      const key = `${manifest.name}.${relation.name}`;
      const mainField = relation.mainField;
      const pairs: { id: number; main: number }[] = [];
      for (const record of event.records) {
        const main = record.values[mainField];
        if (typeof main === 'number' && main !== record.previous?.[mainField])
          pairs.push({ id: record.id, main });
      }
      if (pairs.length === 0) continue;

      const existing = await event.manager
        .createQueryBuilder()
        .select('id_a', 'idA')
        .addSelect('id_b', 'idB')
        .from(RecordRelationEntity, 'record_relations')
        .where('relation = :key AND id_a IN (:...ids)', { key, ids: pairs.map((pair) => pair.id) })
        .getRawMany<{ idA: number; idB: number }>();
      const linked = new Set(existing.map((row) => `${Number(row.idA)}:${Number(row.idB)}`));
      const missing = pairs.filter((pair) => !linked.has(`${pair.id}:${pair.main}`));
      if (missing.length === 0) continue;
      await event.manager.insert(
        RecordRelationEntity,
        missing.map((pair) => ({
          relation: key,
          moduleA: manifest.name,
          idA: pair.id,
          moduleB: relation.module,
          idB: pair.main,
          attribute: null,
          createdAt: utcNow(),
          createdById: event.user.id,
        })),
      );
    }
  }
}

/** Returns both records of a many-to-many link: `a` of the declaring module and `b` of the related one. */
function linkSides(
  side: RelationSide,
  end: ManyRelationEnd,
  relatedId: number,
): { a: RelationSide; b: RelationSide } {
  const related = { moduleName: end.module, id: relatedId };
  return end.side === 'a' ? { a: side, b: related } : { a: related, b: side };
}

/**
 * Returns the SQL condition that a `record_relations` row under RELATION_ALIAS links the record on `side`
 * to the row of the related module's table under ALIAS, with its parameters.
 */
function linkCondition(side: RelationSide, end: ManyRelationEnd) {
  const [mine, theirs] = end.side === 'a' ? ['a', 'b'] : ['b', 'a'];
  return {
    condition:
      `${RELATION_ALIAS}.relation = :relationKey AND ${RELATION_ALIAS}.module_${theirs} = :relatedModule` +
      ` AND ${RELATION_ALIAS}.id_${theirs} = ${ALIAS}.id` +
      ` AND ${RELATION_ALIAS}.module_${mine} = :pageModule AND ${RELATION_ALIAS}.id_${mine} = :pageId`,
    parameters: {
      relationKey: end.key,
      relatedModule: end.module,
      pageModule: side.moduleName,
      pageId: side.id,
    },
  };
}

/**
 * Returns the stored value of a relation's attribute: null for an empty one, the value when the relation
 * offers it, and an error for any other.
 */
function attributeValue(end: ManyRelationEnd, value: string | null): string | null {
  if (value === null || value === '') return null;
  const offered = end.relation.attribute?.values.some((entry) => entry.value === value);
  if (!offered) throw new RelationRefusedError('relations.errors.invalidAttribute');
  return value;
}

/** The hidden form field that a record form opened from a related list's "Add new" carries. */
export const RETURN_LIST_FIELD = '_relation';

/** Writes the reference of a related list: `<module>:<id>:<key>`, such as `accounts:5:potentials.account_id`. */
export function returnReference(side: RelationSide, end: RelationEnd): string {
  return `${side.moduleName}:${side.id}:${end.key}`;
}

/** Returns the page of the record whose related list opened a form, for its Cancel link. */
export function returnListPath(reference: string | undefined): string | undefined {
  try {
    const parsed = parseReturnReference(reference);
    return parsed && `/${parsed.side.moduleName}/${parsed.side.id}`;
  } catch {
    return undefined;
  }
}

function parseReturnReference(
  reference: string | undefined,
): { side: RelationSide; key: string } | undefined {
  if (reference === undefined || reference === '') return undefined;
  const match = /^([a-z][a-z0-9_-]{0,49}):(\d{1,10}):([a-z][a-z0-9_-]{0,49}\.[a-z][a-z0-9_]{0,63})$/.exec(
    reference,
  );
  if (!match) throw new NotFoundException();
  return { side: { moduleName: match[1], id: Number(match[2]) }, key: match[3] };
}
