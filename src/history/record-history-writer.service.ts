import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, InsertResult } from 'typeorm';
import { EventBus } from '../events/event-bus.js';
import { CONVERSION_ORDER, LeadConvertedEvent } from '../events/lead-converted.event.js';
import {
  RecordBinnedEvent,
  RecordDeletedEvent,
  RecordRestoredEvent,
  RecordsSavedEvent,
  SavedRecord,
} from '../events/record-changes.event.js';
import type { FieldValue } from '../records/field-codec.js';
import type { FieldDefinition } from '../records/manifest.js';
import { RecordLinkChangedEvent } from '../events/record-links.event.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { utcNow } from '../records/values.js';
import { changedFields, FieldChange, trackedFields } from './change-values.js';
import {
  ChangeKind,
  RecordChange,
  RecordChangeEntity,
  RecordChangeFieldEntity,
} from './record-change.entity.js';

/** The field name under which a link entry keeps the relation's attribute (a contact's role). */
export const ATTRIBUTE_FIELD = 'attribute';

/** The module of the lead a conversion entry belongs to, and the modules of the records it became. */
export const LEADS_MODULE = 'leads';
const CONVERSION_TARGETS = ['accounts', 'contacts', 'potentials'] as const;

/**
 * Rows a multi-row INSERT of history entries writes at most. At 9 bound values a row, 200 rows bind 1,800,
 * far below what SQLite and MariaDB accept in one statement.
 */
const ENTRY_BATCH = 200;

type NewEntry = Omit<RecordChange, 'id' | 'user'> & { fields: FieldChange[] };

/**
 * Writes the history of every module's records inside the transaction of the change: saves and imports
 * from `records.saved`, many-to-many links from `record.link-changed`, lead conversions from
 * `lead.converted`. A record's purge removes its history.
 */
@Injectable()
export class RecordHistoryWriter implements OnModuleInit {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    const owner = RecordHistoryWriter.name;
    // After the modules' handlers, which may reject the save, so that no entry is written for nothing.
    this.events.on(RecordsSavedEvent, (event) => this.recordSaves(event), { order: 90, owner });
    this.events.on(RecordLinkChangedEvent, (event) => this.recordLinkChange(event), { order: 50, owner });
    this.events.on(LeadConvertedEvent, (event) => this.recordConversion(event), {
      order: CONVERSION_ORDER.related + 10,
      owner,
    });
    this.events.on(RecordBinnedEvent, (event) => this.recordBinChange(event, 'binned'), { order: 90, owner });
    this.events.on(RecordRestoredEvent, (event) => this.recordBinChange(event, 'restored'), {
      order: 90,
      owner,
    });
    // Only the purge from the recycle bin removes the history, so a restored record keeps it.
    this.events.on(RecordDeletedEvent, (event) => this.forgetRecord(event), { order: 90, owner });
  }

  /**
   * Writes one entry a saved record: 'created' or 'imported' for a new one (without its values, which the
   * record itself shows), and for a changed one 'assigned' when only the owner changed, else 'updated', with
   * the changed fields. A save that changed nothing writes nothing. A changed link field also writes entries
   * on the records it links, except in an import.
   */
  private async recordSaves(event: RecordsSavedEvent): Promise<void> {
    const manifest = this.registry.get(event.moduleName);
    const fields = trackedFields(manifest);
    const owner = this.registry.ownerField(event.moduleName);
    const linkFields = fields.filter((field) => field.type === 'link');
    const changedAt = utcNow();

    const entries: NewEntry[] = [];
    for (const record of event.records) {
      const base = {
        module: event.moduleName,
        recordId: record.id,
        source: event.source,
        userId: event.user.id,
        changedAt,
        relation: null,
        relatedModule: null,
        relatedId: null,
      };
      // An import's links are left out of the linked records' histories, so that a large import writes
      // one entry a row.
      if (event.source !== 'import') entries.push(...linkFieldEntries(base, linkFields, record));
      if (record.previous === null) {
        const kind: ChangeKind = event.source === 'import' ? 'imported' : 'created';
        entries.push({ ...base, kind, fields: [] });
        continue;
      }
      const changes = changedFields(fields, record.previous, record.values);
      if (changes.length === 0) continue;
      const onlyOwner = changes.every((change) => change.field === owner?.name);
      entries.push({ ...base, kind: onlyOwner ? 'assigned' : 'updated', fields: changes });
    }
    await insertEntries(event.manager, entries);
  }

  /** Writes the link change on both records, each naming the other. */
  private async recordLinkChange(event: RecordLinkChangedEvent): Promise<void> {
    const { previous, current } = event.attribute;
    const fields =
      previous === null && current === null
        ? []
        : [{ field: ATTRIBUTE_FIELD, oldValue: previous, newValue: current }];
    const entry = (self: typeof event.a, other: typeof event.b): NewEntry => ({
      module: self.moduleName,
      recordId: self.id,
      kind: event.change,
      source: 'relation',
      userId: event.user.id,
      changedAt: utcNow(),
      relation: event.relation,
      relatedModule: other.moduleName,
      relatedId: other.id,
      fields,
    });
    await insertEntries(event.manager, [entry(event.a, event.b), entry(event.b, event.a)]);
  }

  /**
   * Writes a 'converted' entry on the lead that names each record it became, and marks the 'created' entries
   * of the records the conversion created with the lead. An existing account chosen for the conversion was
   * not created, so it gets no entry.
   */
  private async recordConversion(event: LeadConvertedEvent): Promise<void> {
    const targets = {
      accounts: event.accountId,
      contacts: event.contactId,
      potentials: event.potentialId,
    };
    const fields = CONVERSION_TARGETS.filter((module) => targets[module] !== null).map((module) => ({
      field: module,
      oldValue: null,
      newValue: String(targets[module]),
    }));
    await insertEntries(event.manager, [
      {
        module: LEADS_MODULE,
        recordId: event.leadId,
        kind: 'converted',
        source: 'conversion',
        userId: event.user.id,
        changedAt: utcNow(),
        relation: null,
        relatedModule: null,
        relatedId: null,
        fields,
      },
    ]);

    for (const module of CONVERSION_TARGETS) {
      const id = targets[module];
      if (id === null) continue;
      await event.manager
        .createQueryBuilder()
        .update(RecordChangeEntity)
        .set({ relatedModule: LEADS_MODULE, relatedId: event.leadId })
        .where("module = :module AND record_id = :id AND kind = 'created' AND source = 'conversion'", {
          module,
          id,
        })
        .execute();
    }
  }

  /** Removes the history of a purged record. Link entries on other records stay and are no longer shown. */
  /** Writes the entry of a record that went to the recycle bin or came back from it. */
  private async recordBinChange(
    event: RecordBinnedEvent | RecordRestoredEvent,
    kind: 'binned' | 'restored',
  ): Promise<void> {
    await insertEntries(event.manager, [
      {
        module: event.moduleName,
        recordId: event.id,
        kind,
        source: 'form',
        userId: event.user.id,
        changedAt: utcNow(),
        relation: null,
        relatedModule: null,
        relatedId: null,
        fields: [],
      },
    ]);
  }

  private async forgetRecord(event: RecordDeletedEvent): Promise<void> {
    const where = { module: event.moduleName, id: event.id };
    await event.manager
      .createQueryBuilder()
      .delete()
      .from(RecordChangeFieldEntity)
      .where(
        'change_id IN (SELECT c.id FROM record_changes c WHERE c.module = :module AND c.record_id = :id)',
        where,
      )
      .execute();
    await event.manager
      .createQueryBuilder()
      .delete()
      .from(RecordChangeEntity)
      .where('module = :module AND record_id = :id', where)
      .execute();
  }
}

/**
 * Returns the 'linked' and 'unlinked' entries of the records that a saved record's link fields point to
 * now and pointed to before, each naming the saved record, so that an account's history shows the
 * potentials linked to it. The relation key is `<saved module>.<link field>`.
 */
function linkFieldEntries(
  base: Omit<NewEntry, 'kind' | 'fields'>,
  linkFields: FieldDefinition[],
  record: SavedRecord,
): NewEntry[] {
  const entries: NewEntry[] = [];
  for (const field of linkFields) {
    const before = record.previous?.[field.name] ?? null;
    const after = record.values[field.name] ?? null;
    if (before === after) continue;
    const entry = (kind: ChangeKind, targetId: FieldValue): NewEntry => ({
      ...base,
      module: field.link!,
      recordId: Number(targetId),
      kind,
      relation: `${base.module}.${field.name}`,
      relatedModule: base.module,
      relatedId: base.recordId,
      fields: [],
    });
    if (typeof before === 'number') entries.push(entry('unlinked', before));
    if (typeof after === 'number') entries.push(entry('linked', after));
  }
  return entries;
}

/**
 * Inserts history entries and their changed fields. Entries without fields (an import's, a link's) go in multi-row
 * INSERTs. An entry with fields needs its own id first, and only single saves have fields, so it is
 * inserted alone and its fields in one INSERT.
 */
export async function insertEntries(manager: EntityManager, entries: NewEntry[]): Promise<void> {
  const bare = entries.filter((entry) => entry.fields.length === 0).map(({ fields: _fields, ...row }) => row);
  for (let start = 0; start < bare.length; start += ENTRY_BATCH)
    await manager.insert(RecordChangeEntity, bare.slice(start, start + ENTRY_BATCH));

  for (const { fields, ...row } of entries.filter((entry) => entry.fields.length > 0)) {
    const result: InsertResult = await manager.insert(RecordChangeEntity, row);
    const changeId = Number((result.identifiers[0] as { id: number }).id);
    await manager.insert(
      RecordChangeFieldEntity,
      fields.map((field) => ({ changeId, ...field })),
    );
  }
}
