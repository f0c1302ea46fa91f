import { EntitySchema } from 'typeorm';

/** A block of a module's stored layout, in its position; the label is JSON of texts by locale. */
export interface LayoutBlockRow {
  id: number;
  module: string;
  name: string;
  position: number;
  labels: string | null;
}

export const LayoutBlockEntity = new EntitySchema<LayoutBlockRow>({
  name: 'LayoutBlock',
  tableName: 'layout_blocks',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    name: { type: 'varchar', length: 64 },
    position: { type: 'int' },
    labels: { type: 'text', nullable: true },
  },
  indices: [{ name: 'uq_layout_blocks_name', columns: ['module', 'name'], unique: true }],
});

/** The stored placement of a module's field: its block, its position and its label texts. */
export interface LayoutFieldRow {
  id: number;
  module: string;
  field: string;
  block: string;
  position: number;
  labels: string | null;
  /** JSON of the properties an administrator set (FieldProperties), or null for the manifest's. */
  properties: string | null;
}

export const LayoutFieldEntity = new EntitySchema<LayoutFieldRow>({
  name: 'LayoutField',
  tableName: 'layout_fields',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    field: { type: 'varchar', length: 64 },
    block: { type: 'varchar', length: 64 },
    position: { type: 'int' },
    labels: { type: 'text', nullable: true },
    properties: { type: 'text', nullable: true },
  },
  indices: [{ name: 'uq_layout_fields_field', columns: ['module', 'field'], unique: true }],
});

/** One change of a module's layout: what changed, who changed it and when. */
export interface LayoutChangeRow {
  id: number;
  module: string;
  /** Names the message in the `layout.changes` catalogue. */
  action: string;
  /** JSON of the message's parameters; labels are kept as catalogue keys or customLabel() texts. */
  details: string;
  changedById: number;
  changedAt: string;
}

export const LayoutChangeEntity = new EntitySchema<LayoutChangeRow>({
  name: 'LayoutChange',
  tableName: 'layout_changes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    action: { type: 'varchar', length: 30 },
    details: { type: 'text' },
    changedById: { name: 'changed_by_id', type: 'int' },
    changedAt: { name: 'changed_at', type: 'datetime' },
  },
  indices: [{ name: 'ix_layout_changes_module', columns: ['module', 'id'] }],
});

/**
 * A custom field an administrator defined for a module. Its label, block and position are in the stored
 * layout like any field's. `status` is 'adding' while its column is being added, and 'active' once the
 * column exists: only active fields are served, so no query names a column before it is there. A deleted
 * field is 'deleted' while its column and values are kept for restoring, 'purging' while its column is
 * being dropped, and 'purged' afterwards. Its name stays taken in every status.
 */
export interface CustomFieldRow {
  id: number;
  module: string;
  /** Generated internal name, also the column name: `cf_<n>`. Never changes. */
  name: string;
  /**
   * Random identity that a layout file carries to another installation, where `name` may be another
   * field's. Fields imported from a file keep the file's uid, so the next import of that file finds them.
   */
  uid: string | null;
  type: string;
  /** Text fields: the longest value, in characters. */
  maxLength: number | null;
  /** Decimal fields: the number of decimal places. */
  decimalPlaces: number | null;
  /** The column has an index, so lists sort and filter on it as fast as on an indexed standard field. */
  indexed: boolean;
  status: CustomFieldStatus;
  createdById: number;
  createdAt: string;
  deletedById: number | null;
  deletedAt: string | null;
  purgedAt: string | null;
}

export type CustomFieldStatus = 'adding' | 'active' | 'deleted' | 'purging' | 'purged';

export const CustomFieldEntity = new EntitySchema<CustomFieldRow>({
  name: 'CustomField',
  tableName: 'custom_fields',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    name: { type: 'varchar', length: 64 },
    uid: { type: 'varchar', length: 36, nullable: true },
    type: { type: 'varchar', length: 20 },
    maxLength: { name: 'max_length', type: 'int', nullable: true },
    decimalPlaces: { name: 'decimal_places', type: 'int', nullable: true },
    indexed: { name: 'is_indexed', type: 'boolean', default: false },
    status: { type: 'varchar', length: 20 },
    createdById: { name: 'created_by_id', type: 'int' },
    createdAt: { name: 'created_at', type: 'datetime' },
    deletedById: { name: 'deleted_by_id', type: 'int', nullable: true },
    deletedAt: { name: 'deleted_at', type: 'datetime', nullable: true },
    purgedAt: { name: 'purged_at', type: 'datetime', nullable: true },
  },
  indices: [
    { name: 'uq_custom_fields_name', columns: ['module', 'name'], unique: true },
    { name: 'uq_custom_fields_uid', columns: ['uid'], unique: true },
  ],
});
