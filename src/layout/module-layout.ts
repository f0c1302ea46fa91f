import { customLabel, LabelTexts, translate } from '../i18n/i18n.service.js';
import { AUDIT_FIELDS, FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { LOCALES } from '../records/values.js';

/**
 * A module's layout: its blocks in order, each with its fields in order, and the labels an administrator
 * wrote. The functions here are pure; LayoutService stores the result and ModuleRegistry serves it.
 */
export interface ModuleLayout {
  blocks: LayoutBlock[];
}

export interface LayoutBlock {
  /** Internal name: the manifest's for a shipped block, `block_<n>` for one an administrator added. */
  name: string;
  /** The administrator's label; absent for a shipped block shown with its catalogue label. */
  texts?: LabelTexts;
  fields: LayoutField[];
}

export interface LayoutField {
  name: string;
  /** The administrator's label; absent for a field shown with its catalogue label. */
  texts?: LabelTexts;
  /** The properties an administrator set; a property left out keeps the manifest's value. */
  properties?: FieldProperties;
}

/** The properties an administrator sets on a field besides its place and label. */
export interface FieldProperties {
  /** Forms and imports ask for a value. A record saved empty before keeps working until its next edit. */
  mandatory?: boolean;
  /** The list shows the field as a column to users who have not chosen their own columns. */
  listColumn?: boolean;
  /** The value of new records that leave the field empty, written as a CSV file writes it. */
  defaultValue?: string;
  /** Text shown under the field on forms, by locale. */
  helpText?: LabelTexts;
  /** No user may change the field, and forms show it disabled. */
  readOnly?: boolean;
  /** The quick create form shows the field. */
  quickCreate?: boolean;
}

/** A row of `layout_blocks`. */
export interface StoredBlock {
  name: string;
  position: number;
  /** JSON of the label's texts by locale, or null for the catalogue label. */
  labels: string | null;
}

/** A row of `layout_fields`. */
export interface StoredField {
  field: string;
  block: string;
  position: number;
  labels: string | null;
  /** JSON of the field's properties, or null when it has the manifest's. */
  properties?: string | null;
}

export interface StoredLayout {
  blocks: StoredBlock[];
  fields: StoredField[];
}

/** The maximum length of a block or field label, in characters. */
export const MAX_LABEL_LENGTH = 100;

/** The maximum length of a field's help text in each language, in characters. */
export const MAX_HELP_TEXT_LENGTH = 500;

/**
 * The types whose fields take a default value. A link, user or owner default would name one record or
 * user for everybody, often one outside a user's reach, and a new record's owner already defaults to its
 * creator. Date and time values and record numbers are set by the system.
 */
const DEFAULT_VALUE_TYPES = new Set<string>([
  'text',
  'textarea',
  'email',
  'phone',
  'url',
  'integer',
  'percent',
  'currency',
  'decimal',
  'date',
  'time',
  'picklist',
]);

export type LayoutErrorCode =
  | 'blockNotFound'
  | 'fieldNotFound'
  | 'blockNotEmpty'
  | 'labelMissing'
  | 'labelTooLong'
  | 'typeInvalid'
  | 'lengthInvalid'
  | 'placesInvalid'
  | 'indexTypeInvalid'
  | 'tooManyIndexes'
  | 'columnFailed'
  | 'fieldLocked'
  | 'fieldNotWritable'
  | 'fieldRestrictedByProfiles'
  | 'fieldAlwaysListed'
  | 'labelTaken'
  | 'fieldPurged'
  | 'fieldLockedEditable'
  | 'propertiesNotOffered'
  | 'readOnlyMandatory'
  | 'defaultNotOffered'
  | 'defaultInvalid'
  | 'helpTextTooLong';

/** A layout change that cannot be made; the code names the message in the `layout.errors` catalogue. */
export class LayoutError extends Error {
  constructor(
    readonly code: LayoutErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

export type Direction = 'up' | 'down';

/**
 * Builds the layout of a module from its manifest and the rows stored for it. A module without rows has
 * the manifest's layout. A field without a row, such as one added by a newer release, goes to the end of
 * its manifest block. That block appears after the stored ones only when some field is in it, so a
 * shipped block the administrator deleted stays deleted. Rows of fields the manifest no longer has are
 * ignored.
 */
export function layoutOf(manifest: ModuleManifest, stored: StoredLayout): ModuleLayout {
  const known = new Set(manifest.fields.map((field) => field.name));
  const blocks: LayoutBlock[] = [...stored.blocks]
    .sort((a, b) => a.position - b.position)
    .map((row) => ({ name: row.name, texts: parseTexts(row.labels), fields: [] }));

  const placed = new Set<string>();
  for (const row of [...stored.fields].sort((a, b) => a.position - b.position)) {
    const block = blocks.find((candidate) => candidate.name === row.block);
    if (!block || !known.has(row.field) || placed.has(row.field)) continue;
    block.fields.push({
      name: row.field,
      texts: parseTexts(row.labels),
      properties: parseProperties(row.properties ?? null),
    });
    placed.add(row.field);
  }

  const shippedBlocks = manifest.blocks.map((block) => block.name);
  for (const field of manifest.fields.filter((candidate) => !placed.has(candidate.name))) {
    let block = blocks.find((candidate) => candidate.name === field.block);
    if (!block) {
      block = { name: field.block, fields: [] };
      blocks.splice(insertionIndex(blocks, shippedBlocks, field.block), 0, block);
    }
    block.fields.push({ name: field.name });
  }

  // A module without stored rows shows every manifest block, even an empty one, as shipped.
  if (stored.blocks.length === 0) {
    for (const name of shippedBlocks.filter(
      (candidate) => !blocks.some((block) => block.name === candidate),
    )) {
      blocks.splice(insertionIndex(blocks, shippedBlocks, name), 0, { name, fields: [] });
    }
  }
  return { blocks };
}

/** Returns where a shipped block goes: before the first block that follows it in the manifest. */
function insertionIndex(blocks: LayoutBlock[], shippedBlocks: string[], name: string): number {
  const later = shippedBlocks.slice(shippedBlocks.indexOf(name) + 1);
  const index = blocks.findIndex((block) => later.includes(block.name));
  return index === -1 ? blocks.length : index;
}

/** Returns the manifest as the layout arranges it: blocks and fields in order, with their labels. */
export function applyLayout(manifest: ModuleManifest, layout: ModuleLayout): ModuleManifest {
  const definitions = new Map(manifest.fields.map((field) => [field.name, field]));
  const blocks = layout.blocks.map((block) => {
    const shipped = manifest.blocks.find((candidate) => candidate.name === block.name);
    return { name: block.name, label: labelOf(block.texts, shipped?.label) };
  });
  const fields = layout.blocks.flatMap((block) =>
    block.fields.map((entry): FieldDefinition => {
      const definition = definitions.get(entry.name)!;
      const served = { ...definition, block: block.name, label: labelOf(entry.texts, definition.label) };
      return { ...served, ...definitionOf(entry.properties ?? {}) };
    }),
  );
  return { ...manifest, blocks, fields };
}

/** Returns the parts of a field definition that the properties set; a property left out sets nothing. */
function definitionOf(properties: FieldProperties): Partial<FieldDefinition> {
  const definition: Partial<FieldDefinition> = {};
  if (properties.mandatory !== undefined) definition.required = properties.mandatory;
  if (properties.defaultValue !== undefined) definition.defaultValue = properties.defaultValue;
  if (properties.helpText) definition.helpText = customLabel(properties.helpText);
  if (properties.readOnly) definition.readOnlyForAll = true;
  if (properties.quickCreate) definition.quickCreate = true;
  if (properties.listColumn !== undefined) definition.listColumn = properties.listColumn;
  return definition;
}

function labelOf(texts: LabelTexts | undefined, key: string | undefined): string {
  if (texts || !key) return customLabel(texts ?? {}, key);
  return key;
}

/** Returns the rows that store the layout, with positions counted from 0 in each list. */
export function storedRows(layout: ModuleLayout): StoredLayout {
  return {
    blocks: layout.blocks.map((block, position) => ({
      name: block.name,
      position,
      labels: block.texts ? JSON.stringify(block.texts) : null,
    })),
    fields: layout.blocks.flatMap((block) =>
      block.fields.map((field, position) => ({
        field: field.name,
        block: block.name,
        position,
        labels: field.texts ? JSON.stringify(field.texts) : null,
        properties: field.properties ? JSON.stringify(field.properties) : null,
      })),
    ),
  };
}

function parseTexts(json: string | null): LabelTexts | undefined {
  return json === null ? undefined : (JSON.parse(json) as LabelTexts);
}

function parseProperties(json: string | null): FieldProperties | undefined {
  return json === null ? undefined : (JSON.parse(json) as FieldProperties);
}

/**
 * Returns the i18n key of why the module cannot work without the field, or undefined. Such a field is
 * shown locked, and it cannot be made optional.
 */
export function essentialReason(manifest: ModuleManifest, field: FieldDefinition): string | undefined {
  if (field.essentialReason) return field.essentialReason;
  if (field.name === manifest.nameField) return 'layout.essential.nameField';
  if (field.type === 'owner') return 'layout.essential.owner';
  return undefined;
}

/**
 * Cleans the texts of a label typed on the form: trimmed, empty ones left out. Returns undefined when no
 * text is left, and throws when one is too long.
 */
export function cleanTexts(input: Partial<Record<string, string>>): LabelTexts | undefined {
  const texts: LabelTexts = {};
  for (const locale of LOCALES) {
    const text = (input[locale] ?? '').trim();
    if (text.length > MAX_LABEL_LENGTH) throw new LayoutError('labelTooLong', { max: MAX_LABEL_LENGTH });
    if (text) texts[locale] = text;
  }
  return Object.keys(texts).length > 0 ? texts : undefined;
}

/** Cleans the help texts typed on the form, as cleanTexts() cleans a label, with their own length limit. */
export function cleanHelpTexts(input: Partial<Record<string, string>>): LabelTexts | undefined {
  const texts: LabelTexts = {};
  for (const locale of LOCALES) {
    const text = (input[locale] ?? '').replace(/\r\n?/g, '\n').trim();
    if (text.length > MAX_HELP_TEXT_LENGTH)
      throw new LayoutError('helpTextTooLong', { max: MAX_HELP_TEXT_LENGTH });
    if (text) texts[locale] = text;
  }
  return Object.keys(texts).length > 0 ? texts : undefined;
}

/** Tells whether a form ever writes the field, so that the Layout Editor offers its properties. */
export function isFormField(field: FieldDefinition): boolean {
  return !field.system && !field.readOnly && !field.computed;
}

/** Tells whether the field's type takes a default value. */
export function takesDefaultValue(field: FieldDefinition): boolean {
  return isFormField(field) && DEFAULT_VALUE_TYPES.has(field.type);
}

/**
 * Throws unless the field's label is free: no other field of the module shows the same text, without regard
 * to case and surrounding spaces, in any language. Two fields with one label cannot be distinguished in
 * forms, lists and CSV headers, where an import matches columns to fields by label.
 */
export function checkLabelFree(
  manifest: ModuleManifest,
  layout: ModuleLayout,
  fieldName: string,
  texts: LabelTexts | undefined,
): void {
  const fields = applyLayout(manifest, layout).fields;
  const own = fields.find((field) => field.name === fieldName);
  const label = texts ? customLabel(texts, own?.label) : own?.label;
  if (!label) return;
  const key = (text: string) => text.trim().toLowerCase();
  for (const locale of LOCALES) {
    const text = translate(locale, label);
    const taken = fields.find(
      (field) => field.name !== fieldName && key(translate(locale, field.label)) === key(text),
    );
    if (taken) throw new LayoutError('labelTaken', { label: text });
  }
}

/** Tells whether the block contains the audit fields every record has, which the layout does not move. */
export function holdsAuditFields(blockName: string): boolean {
  return AUDIT_FIELDS.some((field) => field.block === blockName);
}

function findBlock(layout: ModuleLayout, name: string): LayoutBlock {
  const block = layout.blocks.find((candidate) => candidate.name === name);
  if (!block) throw new LayoutError('blockNotFound');
  return block;
}

function findField(layout: ModuleLayout, name: string): { block: LayoutBlock; index: number } {
  for (const block of layout.blocks) {
    const index = block.fields.findIndex((field) => field.name === name);
    if (index !== -1) return { block, index };
  }
  throw new LayoutError('fieldNotFound');
}

function copy(layout: ModuleLayout): ModuleLayout {
  return { blocks: layout.blocks.map((block) => ({ ...block, fields: [...block.fields] })) };
}

/** Swaps the item at `index` with its neighbour in the direction; at either end nothing moves. */
function swap<T>(items: T[], index: number, direction: Direction): void {
  const other = direction === 'up' ? index - 1 : index + 1;
  if (other < 0 || other >= items.length) return;
  [items[index], items[other]] = [items[other], items[index]];
}

/** Adds an empty block at the end, named `block_<n>` after the highest number in use. */
export function addBlock(
  layout: ModuleLayout,
  texts: LabelTexts | undefined,
): { layout: ModuleLayout; name: string } {
  if (!texts) throw new LayoutError('labelMissing');
  const numbers = layout.blocks
    .map((block) => /^block_(\d+)$/.exec(block.name))
    .map((match) => (match ? Number(match[1]) : 0));
  const name = `block_${Math.max(0, ...numbers) + 1}`;
  const result = copy(layout);
  result.blocks.push({ name, texts, fields: [] });
  return { layout: result, name };
}

/** Sets a block's label; without texts a shipped block shows its catalogue label again. */
export function renameBlock(layout: ModuleLayout, name: string, texts: LabelTexts | undefined): ModuleLayout {
  const result = copy(layout);
  findBlock(result, name).texts = texts;
  return result;
}

export function moveBlock(layout: ModuleLayout, name: string, direction: Direction): ModuleLayout {
  const result = copy(layout);
  swap(result.blocks, result.blocks.indexOf(findBlock(result, name)), direction);
  return result;
}

/** Deletes an empty block. A block with fields, or with the audit fields, stays until they are moved. */
export function deleteBlock(layout: ModuleLayout, name: string): ModuleLayout {
  const block = findBlock(layout, name);
  if (block.fields.length > 0 || holdsAuditFields(name))
    throw new LayoutError('blockNotEmpty', { count: block.fields.length || AUDIT_FIELDS.length });
  return { blocks: copy(layout).blocks.filter((candidate) => candidate.name !== name) };
}

/** Moves a field up or down inside its block. */
export function moveField(layout: ModuleLayout, name: string, direction: Direction): ModuleLayout {
  const result = copy(layout);
  const { block, index } = findField(result, name);
  swap(block.fields, index, direction);
  return result;
}

/** Moves a field to the end of another block; moving it to its own block leaves it where it is. */
export function moveFieldToBlock(layout: ModuleLayout, name: string, blockName: string): ModuleLayout {
  const result = copy(layout);
  const target = findBlock(result, blockName);
  const { block, index } = findField(result, name);
  if (block === target) return result;
  const [field] = block.fields.splice(index, 1);
  target.fields.push(field);
  return result;
}

/** Sets a field's label; without texts the field shows its catalogue label again. */
export function relabelField(
  layout: ModuleLayout,
  name: string,
  texts: LabelTexts | undefined,
): ModuleLayout {
  const result = copy(layout);
  const { block, index } = findField(result, name);
  block.fields[index] = { ...block.fields[index], texts };
  return result;
}

/**
 * Sets properties of a field. A locked field cannot be made optional or read-only, and a field that forms
 * never write (system, read-only by its module, computed) takes none of them but the list column. A
 * read-only field cannot be mandatory, because no user could fill in a record that has it empty. Default values are
 * checked against the field's type and picklist by the caller, because that needs the picklists; only the
 * type is checked here. The name field links each row of the list to its record, so it stays a list column.
 */
export function setFieldProperties(
  manifest: ModuleManifest,
  layout: ModuleLayout,
  name: string,
  changes: FieldProperties,
): ModuleLayout {
  const result = copy(layout);
  const { block, index } = findField(result, name);
  const field = manifest.fields.find((candidate) => candidate.name === name);
  if (!field) throw new LayoutError('fieldNotFound');

  const essential = essentialReason(manifest, field);
  if (changes.mandatory === false && essential) throw new LayoutError('fieldLocked');
  if (changes.readOnly && essential) throw new LayoutError('fieldLockedEditable');
  if (changes.mandatory && !isFormField(field)) throw new LayoutError('fieldNotWritable');
  const others = Object.keys(changes).filter((key) => key !== 'mandatory' && key !== 'listColumn');
  if (others.length > 0 && !isFormField(field)) throw new LayoutError('propertiesNotOffered');
  if (changes.defaultValue !== undefined && !takesDefaultValue(field))
    throw new LayoutError('defaultNotOffered');
  if (changes.listColumn === false && field.name === manifest.nameField)
    throw new LayoutError('fieldAlwaysListed');

  const properties = { ...block.fields[index].properties, ...changes };
  if (properties.readOnly && (properties.mandatory ?? field.required))
    throw new LayoutError('readOnlyMandatory');
  block.fields[index] = { ...block.fields[index], properties };
  return result;
}

/**
 * Places a new field, with its label, at the end of a block. A field without a stored row is already in
 * the layout at the end of its manifest block, so it is taken out of there first.
 */
export function addField(
  layout: ModuleLayout,
  name: string,
  blockName: string,
  texts: LabelTexts | undefined,
  properties?: FieldProperties,
): ModuleLayout {
  if (!texts) throw new LayoutError('labelMissing');
  const result: ModuleLayout = {
    blocks: layout.blocks.map((block) => ({
      ...block,
      fields: block.fields.filter((field) => field.name !== name),
    })),
  };
  findBlock(result, blockName).fields.push({ name, texts, ...(properties ? { properties } : {}) });
  return result;
}
