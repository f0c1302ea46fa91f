/**
 * The shape of a business module's manifest. The core reads manifests and never imports a business
 * module: every form, detail page, list column, filter, validation rule and CSV column comes from here.
 */

export type FieldType =
  | 'text'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'integer'
  | 'percent'
  | 'currency'
  | 'decimal'
  | 'date'
  | 'time'
  | 'checkbox'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'link'
  | 'user'
  | 'owner'
  | 'recordNumber';

export interface PicklistDefault {
  value: string;
  /** Sales stages only: the probability a potential takes when it enters the stage. */
  probability?: number;
  /** Sales stages only: whether the stage is still open, or closes the deal as won or lost. */
  outcome?: 'open' | 'won' | 'lost';
}

export interface FieldDefinition {
  /** Internal name, also the database column (currency columns add `_cents`). Never changes. */
  name: string;
  type: FieldType;
  /** i18n key of the label, or an administrator's label made by customLabel(). */
  label: string;
  block: string;
  required?: boolean;
  /** Set by the system, never by a form or an import (record number, audit fields). */
  system?: boolean;
  /** Shown on forms but only the module's own logic changes it (effective close date). */
  readOnly?: boolean;
  maxLength?: number;
  /** Decimal fields: the number of decimal places, which the value always has. */
  decimalPlaces?: number;
  min?: number;
  max?: number;
  /** Picklist fields: the values seeded on first start; administrators edit them afterwards. */
  picklistValues?: PicklistDefault[];
  /**
   * Picklist fields: the values are the stages of a pipeline, each with a default probability and an
   * outcome (open, won or lost). At least one stage of each outcome must remain.
   */
  pipelineStages?: boolean;
  /** Link fields: the module the id points to. */
  link?: string;
  /** Link fields: the target's detail page lists the records that point to it. */
  relatedList?: boolean;
  /** Text fields: unique without regard to case and surrounding spaces, kept in a `<name>_key` column. */
  uniqueKey?: boolean;
  /** Included in the list's search box. */
  searchable?: boolean;
  /** Shown as a list column by default. */
  listColumn?: boolean;
  /** Offered in the list's filter bar. */
  filter?: boolean;
  /**
   * i18n key of the reason why the module cannot work without this field, which the Layout Editor shows
   * beside it. The name field and the owner field are essential without it.
   */
  essentialReason?: string;
  /**
   * A custom field an administrator added in the Layout Editor. Its column is in the module's custom-field
   * table (customFieldTable()), one row per record with the record's id, not in the module's own table.
   */
  custom?: boolean;
  /**
   * The value a new record takes when a form or an import leaves the field empty, written as a CSV file
   * writes it (ISO date, dot decimal). The Layout Editor sets it, and applyDefaults() applies it.
   */
  defaultValue?: string;
  /** Help text shown under the field on forms: a customLabel() text, set in the Layout Editor. */
  helpText?: string;
  /**
   * Made read-only for every user in the Layout Editor. PermissionsService treats it as a profile's
   * read-only field for everyone, so forms, imports and mass edits refuse it the same way.
   */
  readOnlyForAll?: boolean;
  /** The quick create form shows the field, besides the mandatory and essential ones. */
  quickCreate?: boolean;
  /** Computed fields are shown and sorted but never stored: amount × percent / 100. */
  computed?: { kind: 'weighted'; amount: string; percent: string };
  /**
   * The list's filter bar offers whether the field is set or empty, with these i18n keys as the choices'
   * labels (a lead's conversion date: "Converted" and "Not converted").
   */
  presenceFilter?: { setLabel: string; emptyLabel: string };
}

export interface BlockDefinition {
  name: string;
  /** i18n key of the label, or an administrator's label made by customLabel(). */
  label: string;
}

/**
 * A check that a new or changed record does not repeat a value that a record of the listed modules already
 * has. The value is compared without regard to case and surrounding spaces, through a `<field>_key` column
 * that every listed module keeps with its own duplicate check on the same field.
 */
export interface DuplicateCheck {
  /** The field compared, a standard field of this module and of each listed module. */
  field: string;
  /** Modules whose records are compared, this one included when its own records are. */
  modules: string[];
}

/**
 * A many-to-many relation that a module declares with another module, stored by the core in the
 * `record_relations` table. Both modules' detail pages list it, so the other module declares nothing.
 */
export interface RelationDefinition {
  /** The name within the declaring module, also part of URLs: 'contacts'. No field of the module has it. */
  name: string;
  /** The related module. */
  module: string;
  /** i18n key of the list's heading on the declaring module's pages; the related module's label when absent. */
  label?: string;
  /** i18n key of the list's heading on the related module's pages; the declaring module's label when absent. */
  inverseLabel?: string;
  /** A value each link carries, chosen from a fixed list, such as a contact's role in a deal. */
  attribute?: RelationAttribute;
  /**
   * A link field of the declaring module that names its main related record, such as a potential's Contact
   * Name. Saving the field adds that record to the relation, and the list marks it and refuses to unlink it.
   */
  mainField?: string;
}

export interface RelationAttribute {
  /** i18n key of the attribute's column heading and select label. */
  label: string;
  /** The stored values, each with the i18n key of its label. */
  values: { value: string; label: string }[];
}

export interface ModuleManifest {
  /** URL segment and registry key: 'potentials'. */
  name: string;
  table: string;
  /** i18n keys of the plural and singular names. */
  label: string;
  singularLabel: string;
  /** The field that names a record in links, titles and pickers, and sorts records by name. */
  nameField: string;
  /**
   * The fields whose values, joined with a space, name a record instead of the name field alone: a
   * person's `['first_name', 'last_name']` gives "Mario Rossi". They include the name field.
   */
  nameFields?: string[];
  /** Prefix of the record number (POT → POT1, POT2, …), when the module numbers its records. */
  numberPrefix?: string;
  blocks: BlockDefinition[];
  fields: FieldDefinition[];
  /** Fields summed over the whole filtered list and shown under it. */
  listTotals?: string[];
  /**
   * False when the sum of listTotals means nothing in another record's related list, such as the grand totals
   * of a potential's quotes, where every revision and rejected quote would be added up. It defaults to true.
   */
  relatedListTotals?: boolean;
  /** Forms and imports flag a record whose value of the field another record already has. */
  duplicateCheck?: DuplicateCheck;
  defaultSort: { field: string; direction: 'asc' | 'desc' };
  /** Administration pages of the module's own, which the Layout Editor links to from the module's page. */
  settingsPages?: { path: string; label: string }[];
  /**
   * Filters every list of the module applies while its URL or request sets no value for the field: field
   * name → filter value. FILTER_ANY as the value shows every record again.
   */
  defaultFilters?: Record<string, string>;
  /**
   * A field whose value, once set, makes the record read-only: forms, mass edits and board moves reject a
   * change to it. `message` is the i18n key of the reason shown to the user. Deleting stays possible.
   */
  lockedWhenSet?: { field: string; message: string };
  /**
   * Many-to-many relations with other modules, listed on the detail pages of both. One-to-many relations are
   * link fields with `relatedList`, declared by the module whose records hold the link.
   */
  relations?: RelationDefinition[];
}

/** Filter values that keep the records whose field is empty, or set, whatever its value. */
export const FILTER_EMPTY = '__empty__';
export const FILTER_SET = '__set__';
/** The filter value that turns a module's default filter off for one list. */
export const FILTER_ANY = '__any__';

/** Columns every record table has, managed by the engine itself. */
export const AUDIT_FIELDS: FieldDefinition[] = [
  { name: 'created_at', type: 'datetime', label: 'fields.created_at', block: 'system', system: true },
  { name: 'updated_at', type: 'datetime', label: 'fields.updated_at', block: 'system', system: true },
  { name: 'created_by_id', type: 'user', label: 'fields.created_by_id', block: 'system', system: true },
  { name: 'modified_by_id', type: 'user', label: 'fields.modified_by_id', block: 'system', system: true },
];

/**
 * Columns that put a record in the recycle bin: the time of deletion and the user who deleted it. Both are null
 * for a record outside the bin, and the access scope leaves out every row whose `deleted_at` is set.
 */
export const BIN_COLUMNS = { deletedAt: 'deleted_at', deletedBy: 'deleted_by_id' } as const;

/**
 * The column beside a module's owner field (`assigned_user_id`, type 'owner') that contains the group a
 * record is assigned to. Exactly one of the two is set: the record belongs to a user or to a group.
 */
export const OWNER_GROUP_COLUMN = 'assigned_group_id';

/**
 * The column of every module's table that counts the updates of a record, starting at 1. An edit form
 * carries the version it was opened with, and its save is rejected when the record has changed since.
 */
export const VERSION_COLUMN = 'version';

export function columnOf(field: FieldDefinition): string {
  return field.type === 'currency' ? `${field.name}_cents` : field.name;
}

/**
 * Tells whether the field has a `<name>_key` column beside its own: the value trimmed and in lower case, which
 * unique names and duplicate checks compare.
 */
export function hasKeyColumn(manifest: ModuleManifest, field: FieldDefinition): boolean {
  return Boolean(field.uniqueKey) || (!field.custom && manifest.duplicateCheck?.field === field.name);
}

/** Returns the table of a module's custom fields: one row per record, keyed by the record's id. */
export function customFieldTable(manifest: ModuleManifest): string {
  return `${manifest.table}_cf`;
}

export function hasCustomFields(manifest: ModuleManifest): boolean {
  return manifest.fields.some((field) => field.custom);
}

/** Returns the table that stores the field's column: the module's own, or its custom-field table. */
export function tableOf(manifest: ModuleManifest, field: FieldDefinition): string {
  return field.custom ? customFieldTable(manifest) : manifest.table;
}
