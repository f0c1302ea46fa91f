import { EntitySchema } from 'typeorm';

/** The kinds of history entry. */
export const CHANGE_KINDS = [
  'created',
  'updated',
  'assigned',
  'imported',
  'converted',
  'linked',
  'unlinked',
  'relinked',
  'binned',
  'restored',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * One entry of a record's history: one save, import, conversion or change of a many-to-many link, with its
 * user and time. A link entry names the other record and the relation, and the entry of a record created by
 * a conversion names the lead.
 */
export interface RecordChange {
  id: number;
  module: string;
  recordId: number;
  kind: ChangeKind;
  /**
   * The origin of the change: the source of a save ('form', 'board', 'mass', 'import', 'conversion'),
   * 'transfer' for a move of a user's records, or 'relation' for a many-to-many link.
   */
  source: string;
  userId: number | null;
  /** UTC, 'YYYY-MM-DD HH:MM:SS'. */
  changedAt: string;
  /** `<declaring module>.<relation name>` of a link entry. */
  relation: string | null;
  relatedModule: string | null;
  relatedId: number | null;
  /** Declared so that the foreign key exists. Never loaded. */
  user?: unknown;
}

/**
 * One changed field of a history entry, by the field's name, so that relabelling the field does not break
 * it. Values are kept as their column stores them, as text, and formatted when the history is read. A link
 * entry keeps the relation's attribute (a contact's role) under the name 'attribute', and a lead's conversion
 * entry keeps each record it became under that record's module name.
 */
export interface RecordChangeField {
  id: number;
  changeId: number;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  change?: unknown;
}

export const RecordChangeEntity = new EntitySchema<RecordChange>({
  name: 'RecordChange',
  tableName: 'record_changes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    recordId: { name: 'record_id', type: 'int' },
    kind: { type: 'varchar', length: 20 },
    source: { type: 'varchar', length: 20 },
    userId: { name: 'user_id', type: 'int', nullable: true },
    changedAt: { name: 'changed_at', type: 'datetime' },
    relation: { type: 'varchar', length: 120, nullable: true },
    relatedModule: { name: 'related_module', type: 'varchar', length: 50, nullable: true },
    relatedId: { name: 'related_id', type: 'int', nullable: true },
  },
  relations: {
    user: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'fk_record_changes_user_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [{ name: 'ix_record_changes_record', columns: ['module', 'recordId', 'id'] }],
});

export const RecordChangeFieldEntity = new EntitySchema<RecordChangeField>({
  name: 'RecordChangeField',
  tableName: 'record_change_fields',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    changeId: { name: 'change_id', type: 'int' },
    field: { type: 'varchar', length: 100 },
    oldValue: { name: 'old_value', type: 'text', nullable: true },
    newValue: { name: 'new_value', type: 'text', nullable: true },
  },
  relations: {
    change: {
      type: 'many-to-one',
      target: 'RecordChange',
      joinColumn: { name: 'change_id', foreignKeyConstraintName: 'fk_record_change_fields_change_id' },
      onDelete: 'CASCADE',
    },
  },
  indices: [{ name: 'ix_record_change_fields_change', columns: ['changeId'] }],
});
