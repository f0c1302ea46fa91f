import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { recordNameSql } from '../records/record-names.js';
import { RecordViews } from '../records/record-views.js';
import { ALIAS, LinkedName, LinkNames, RecordsService, StoredRecord } from '../records/records.service.js';
import { ownerGroupId } from '../records/field-codec.js';
import { TimelineEntry, TimelineRecord, TimelineSources } from '../records/timeline.js';
import { valueFromText } from './change-values.js';
import { ChangeKind } from './record-change.entity.js';
import { ATTRIBUTE_FIELD, LEADS_MODULE } from './record-history-writer.service.js';

/** Entries read at a time while hidden ones are left out, until enough are shown. */
const READ_BATCH = 50;

/** A stored history entry with its changed fields, as read for display. */
interface StoredEntry {
  id: number;
  kind: ChangeKind;
  source: string;
  userName: string | null;
  changedAt: string;
  relation: string | null;
  relatedModule: string | null;
  relatedId: number | null;
  fields: { field: string; oldValue: string | null; newValue: string | null }[];
}

/** The records that entries name, by module and id, with their names: only those the user may see. */
type VisibleNames = Map<string, Map<number, string>>;

/**
 * Reads a record's history for the user, in their words and with the current labels: the timeline's
 * 'change' source. A field the user's profile hides is left out of each entry, and an entry with nothing
 * visible left is left out.
 */
@Injectable()
export class RecordHistoryService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly views: RecordViews,
    private readonly timeline: TimelineSources,
  ) {}

  onModuleInit(): void {
    this.timeline.register('change', (user, record, permissions, limit) =>
      this.entries(user, record, permissions, limit),
    );
  }

  /** Returns the newest `limit` entries the user may see of a record they may see, newest first. */
  async entries(
    user: CurrentUser,
    record: TimelineRecord,
    permissions: UserPermissions,
    limit: number,
  ): Promise<TimelineEntry[]> {
    const visibleEntries: TimelineEntry[] = [];
    let before: number | undefined;
    while (visibleEntries.length < limit) {
      const batch = await this.readEntries(record, before);
      visibleEntries.push(...(await this.render(user, record.moduleName, batch, permissions)));
      if (batch.length < READ_BATCH) break;
      before = batch[batch.length - 1].id;
    }
    return visibleEntries.slice(0, limit);
  }

  /** Reads a batch of entries older than `before`, newest first, with their fields. */
  private async readEntries(record: TimelineRecord, before: number | undefined): Promise<StoredEntry[]> {
    const query = this.dataSource
      .createQueryBuilder()
      .select('c.id', 'id')
      .addSelect('c.kind', 'kind')
      .addSelect('c.source', 'source')
      .addSelect('u.full_name', 'userName')
      .addSelect('c.changed_at', 'changedAt')
      .addSelect('c.relation', 'relation')
      .addSelect('c.related_module', 'relatedModule')
      .addSelect('c.related_id', 'relatedId')
      .from('record_changes', 'c')
      .leftJoin('users', 'u', 'u.id = c.user_id')
      .where('c.module = :module AND c.record_id = :id', { module: record.moduleName, id: record.id });
    if (before !== undefined) query.andWhere('c.id < :before', { before });
    const rows = await query
      .orderBy('c.id', 'DESC')
      .limit(READ_BATCH)
      .getRawMany<Omit<StoredEntry, 'fields'>>();
    if (rows.length === 0) return [];

    const ids = rows.map((row) => Number(row.id));
    const fieldRows = await this.dataSource
      .createQueryBuilder()
      .select('f.change_id', 'changeId')
      .addSelect('f.field', 'field')
      .addSelect('f.old_value', 'oldValue')
      .addSelect('f.new_value', 'newValue')
      .from('record_change_fields', 'f')
      .where('f.change_id IN (:...ids)', { ids })
      .orderBy('f.id', 'ASC')
      .getRawMany<{ changeId: number; field: string; oldValue: string | null; newValue: string | null }>();

    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      changedAt: String(row.changedAt).slice(0, 19),
      relatedId: row.relatedId === null ? null : Number(row.relatedId),
      fields: fieldRows.filter((field) => Number(field.changeId) === Number(row.id)),
    }));
  }

  /** Turns stored entries into timeline entries in the user's words, leaving out what they may not see. */
  private async render(
    user: CurrentUser,
    moduleName: string,
    entries: StoredEntry[],
    permissions: UserPermissions,
  ): Promise<TimelineEntry[]> {
    const manifest = this.registry.get(moduleName);
    const shownField = (name: string): FieldDefinition | undefined => {
      const field = this.registry.field(moduleName, name);
      return field && !permissions.isHidden(moduleName, field) ? field : undefined;
    };
    const names = await this.linkNamesOf(user, manifest, entries, shownField);
    const visible = await this.visibleNamesOf(user, entries, permissions);

    const rendered: TimelineEntry[] = [];
    for (const entry of entries) {
      const timelineEntry = this.renderEntry(user, entry, {
        shownField,
        names,
        visible,
        moduleName,
        permissions,
      });
      if (timelineEntry) rendered.push(timelineEntry);
    }
    return rendered;
  }

  private renderEntry(
    user: CurrentUser,
    entry: StoredEntry,
    context: {
      moduleName: string;
      shownField: (name: string) => FieldDefinition | undefined;
      names: LinkNames;
      visible: VisibleNames;
      permissions: UserPermissions;
    },
  ): TimelineEntry | undefined {
    const locale = user.locale;
    const userName = entry.userName ?? translate(locale, 'history.unknownUser');
    const base = { kind: 'change' as const, at: entry.changedAt, userName };

    switch (entry.kind) {
      case 'created':
      case 'imported': {
        const lead =
          entry.relatedModule === LEADS_MODULE ? this.relatedOf(context.visible, entry) : undefined;
        if (!lead)
          return { ...base, title: translate(locale, `history.kinds.${entry.kind}`, { user: userName }) };
        return {
          ...base,
          title: translate(locale, 'history.kinds.createdByConversion', { user: userName, lead: lead.name }),
          links: [{ href: lead.href, label: lead.name }],
        };
      }
      case 'binned':
      case 'restored':
        return { ...base, title: translate(locale, `history.kinds.${entry.kind}`, { user: userName }) };
      case 'updated':
      case 'assigned':
        return this.renderFieldChanges(user, entry, base, context);
      case 'converted':
        return this.renderConversion(user, entry, base, context.visible);
      default:
        return this.renderLinkChange(user, entry, base, context);
    }
  }

  private renderFieldChanges(
    user: CurrentUser,
    entry: StoredEntry,
    base: Pick<TimelineEntry, 'kind' | 'at' | 'userName'>,
    context: { shownField: (name: string) => FieldDefinition | undefined; names: LinkNames },
  ): TimelineEntry | undefined {
    const locale = user.locale;
    const lines: string[] = [];
    const links: { href: string; label: string }[] = [];
    for (const change of entry.fields) {
      // A field deleted since is left out: its values can no longer be read as the field's type.
      const field = context.shownField(change.field);
      if (!field) continue;
      const text = (stored: string | null) => {
        const cell = this.views.displayCell(field, valueFromText(field, stored), context.names, locale);
        return { text: cell.text === '' ? translate(locale, 'history.empty') : cell.text, href: cell.href };
      };
      const before = text(change.oldValue);
      const after = text(change.newValue);
      lines.push(
        translate(locale, 'history.fieldChange', {
          field: translate(locale, field.label),
          from: before.text,
          to: after.text,
        }),
      );
      if (field.type === 'link' && after.href) links.push({ href: after.href, label: after.text });
    }
    if (lines.length === 0) return undefined;

    const title = translate(locale, `history.kinds.${entry.kind}`, { user: base.userName });
    return { ...base, title: withSource(locale, title, entry.source), lines, links };
  }

  private renderConversion(
    user: CurrentUser,
    entry: StoredEntry,
    base: Pick<TimelineEntry, 'kind' | 'at' | 'userName'>,
    visible: VisibleNames,
  ): TimelineEntry {
    const locale = user.locale;
    const lines: string[] = [];
    const links: { href: string; label: string }[] = [];
    for (const target of entry.fields) {
      const id = Number(target.newValue);
      const name = visible.get(target.field)?.get(id);
      if (name === undefined) continue;
      const module = this.registry.get(target.field);
      lines.push(`${translate(locale, module.singularLabel)}: ${name}`);
      links.push({ href: `/${module.name}/${id}`, label: name });
    }
    return {
      ...base,
      title: translate(locale, 'history.kinds.converted', { user: base.userName }),
      lines,
      links,
    };
  }

  /** A link entry is shown only when the user may see the other record, as the relation's lists do. */
  private renderLinkChange(
    user: CurrentUser,
    entry: StoredEntry,
    base: Pick<TimelineEntry, 'kind' | 'at' | 'userName'>,
    context: { moduleName: string; visible: VisibleNames; permissions: UserPermissions },
  ): TimelineEntry | undefined {
    const locale = user.locale;
    const other = this.relatedOf(context.visible, entry);
    if (!other || !entry.relation) return undefined;

    const [declaring, relationName] = entry.relation.split('.');
    // The entry of a link field is left out for a user whose profile hides the field.
    const linkField = this.registry.field(declaring, relationName);
    if (linkField && context.permissions.isHidden(declaring, linkField)) return undefined;
    const attribute = this.registry
      .all()
      .find((manifest) => manifest.name === declaring)
      ?.relations?.find((relation) => relation.name === relationName)?.attribute;
    const attributeText = (value: string | null) => {
      if (value === null) return translate(locale, 'history.empty');
      const known = attribute?.values.find((candidate) => candidate.value === value);
      return known ? translate(locale, known.label) : value;
    };
    const change = entry.fields.find((field) => field.field === ATTRIBUTE_FIELD);

    const side = declaring === context.moduleName ? 'declaring' : 'related';
    const title = translate(locale, `history.kinds.${entry.kind}.${side}`, {
      user: base.userName,
      module: translate(locale, this.registry.get(other.module).singularLabel),
      name: other.name,
    });
    const lines =
      change && attribute
        ? [
            translate(locale, 'history.fieldChange', {
              field: translate(locale, attribute.label),
              from: attributeText(change.oldValue),
              to: attributeText(change.newValue),
            }),
          ]
        : [];
    return { ...base, title, href: other.href, lines, links: [{ href: other.href, label: other.name }] };
  }

  private relatedOf(
    visible: VisibleNames,
    entry: StoredEntry,
  ): { module: string; name: string; href: string } | undefined {
    if (entry.relatedModule === null || entry.relatedId === null) return undefined;
    const name = visible.get(entry.relatedModule)?.get(entry.relatedId);
    if (name === undefined) return undefined;
    return { module: entry.relatedModule, name, href: `/${entry.relatedModule}/${entry.relatedId}` };
  }

  /** Looks up the names of the records, users and groups that the visible field changes name. */
  private async linkNamesOf(
    user: CurrentUser,
    manifest: ModuleManifest,
    entries: StoredEntry[],
    shownField: (name: string) => FieldDefinition | undefined,
  ): Promise<LinkNames> {
    const referenced: StoredRecord[] = [];
    for (const entry of entries) {
      for (const change of entry.fields) {
        const field = shownField(change.field);
        if (!field || !['link', 'user', 'owner'].includes(field.type)) continue;
        for (const stored of [change.oldValue, change.newValue])
          referenced.push({ id: entry.id, values: { [field.name]: valueFromText(field, stored) } });
      }
    }
    if (referenced.length === 0) return new Map();
    const names = await this.records.linkNames(manifest, referenced, user);
    const groupIds = referenced.flatMap((record) =>
      Object.values(record.values).map((value) => ownerGroupId(value)),
    );
    await this.addDeletedGroupNames(names, groupIds);
    return names;
  }

  /**
   * Adds the names of deleted groups that the history names as owners. Deleting a group keeps its name in
   * `record_assignments`, so the name is read from there.
   */
  private async addDeletedGroupNames(names: LinkNames, groupIds: (number | undefined)[]): Promise<void> {
    const known = names.get('groups') ?? new Map<number, LinkedName>();
    const missing = [...new Set(groupIds)].filter((id): id is number => id !== undefined && !known.has(id));
    if (missing.length === 0) return;

    const rows = await this.dataSource
      .createQueryBuilder()
      .select('a.from_group_id', 'fromId')
      .addSelect('a.from_group_name', 'fromName')
      .addSelect('a.to_group_id', 'toId')
      .addSelect('a.to_group_name', 'toName')
      .from('record_assignments', 'a')
      .where('(a.from_group_id IN (:...missing) AND a.from_group_name IS NOT NULL)', { missing })
      .orWhere('(a.to_group_id IN (:...missing) AND a.to_group_name IS NOT NULL)', { missing })
      .getRawMany<{
        fromId: number | null;
        fromName: string | null;
        toId: number | null;
        toName: string | null;
      }>();
    for (const row of rows) {
      if (row.fromName !== null) known.set(Number(row.fromId), { name: row.fromName, openable: false });
      if (row.toName !== null) known.set(Number(row.toId), { name: row.toName, openable: false });
    }
    names.set('groups', known);
  }

  /**
   * Looks up the names of the other records of link, conversion and created-by-conversion entries, keeping
   * only those the user may see: a module their profile lets them view and a record in their scope.
   */
  private async visibleNamesOf(
    user: CurrentUser,
    entries: StoredEntry[],
    permissions: UserPermissions,
  ): Promise<VisibleNames> {
    const idsByModule = new Map<string, Set<number>>();
    const add = (module: string, id: number) => {
      if (!this.registry.all().some((manifest) => manifest.name === module)) return;
      const ids = idsByModule.get(module) ?? new Set<number>();
      ids.add(id);
      idsByModule.set(module, ids);
    };
    for (const entry of entries) {
      if (entry.relatedModule !== null && entry.relatedId !== null) add(entry.relatedModule, entry.relatedId);
      if (entry.kind === 'converted')
        for (const target of entry.fields) add(target.field, Number(target.newValue));
    }

    const visible: VisibleNames = new Map();
    for (const [module, ids] of idsByModule) {
      if (!permissions.can(module, 'view')) continue;
      const manifest = this.registry.get(module);
      const rows = await this.records
        .visibleQuery(manifest, user, this.dataSource.manager, 'none')
        .select(`${ALIAS}.id`, 'id')
        .addSelect(recordNameSql(manifest, ALIAS), 'name')
        .andWhere(`${ALIAS}.id IN (:...historyIds)`, { historyIds: [...ids] })
        .getRawMany<{ id: number | string; name: string }>();
      visible.set(module, new Map(rows.map((row) => [Number(row.id), row.name])));
    }
    return visible;
  }
}

/** Adds where a change came from to its title, for every source but the record's own form. */
function withSource(locale: CurrentUser['locale'], title: string, source: string): string {
  if (source === 'form') return title;
  return translate(locale, 'history.withSource', {
    title,
    source: translate(locale, `history.sources.${source}`),
  });
}
