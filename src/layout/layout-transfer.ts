import { customLabel, LabelTexts, translate } from '../i18n/i18n.service.js';
import { FieldDefinition } from '../records/manifest.js';
import { MAX_DECIMAL_PLACES } from '../records/value-types.js';
import { LOCALES } from '../records/values.js';
import {
  CustomFieldType,
  DEFAULT_DECIMAL_PLACES,
  isCustomFieldType,
  MAX_TEXT_LENGTH,
} from './custom-fields.js';
import { LAYOUT_FILE_VERSION, LayoutFile, LayoutFileBlock, LayoutFileField } from './layout-file.js';
import { TransferContext, TransferValue } from './layout-export.js';
import {
  checkLabelFree,
  FieldProperties,
  LayoutBlock,
  LayoutError,
  LayoutField,
  MAX_HELP_TEXT_LENGTH,
  ModuleLayout,
  setFieldProperties,
} from './module-layout.js';
import { checkValueInput, ListedValue, PicklistValueInput } from './picklist-rules.js';

/** One line of the preview: a catalogue key under `layoutTransfer` and its parameters (labels as keys). */
export interface PlanItem {
  key: string;
  params: Record<string, string>;
}

/** A custom field the import adds, with the uid it keeps from the file. */
export interface PlannedCustomField {
  uid: string;
  type: CustomFieldType;
  maxLength: number | null;
  decimalPlaces: number | null;
  texts: LabelTexts;
}

/** A picklist value the import adds, to the field with this local name (or placeholder of a new field). */
export interface PlannedValue {
  field: string;
  input: PicklistValueInput;
}

/** The planned import of a file: what it changes, and what it leaves out with the reason. */
export interface ImportPlan {
  /** The layout after the import; fields still to add have placeholder names (newFieldName()). */
  layout: ModuleLayout;
  layoutChanged: boolean;
  customFields: PlannedCustomField[];
  picklistValues: PlannedValue[];
  changes: PlanItem[];
  ignored: PlanItem[];
}

/** The properties an import sets, each with the check of its value; others are left out with a reason. */
const IMPORTED_PROPERTIES: Record<string, (value: unknown) => boolean> = {
  mandatory: (value) => typeof value === 'boolean',
  listColumn: (value) => typeof value === 'boolean',
  readOnly: (value) => typeof value === 'boolean',
  quickCreate: (value) => typeof value === 'boolean',
  // A default that does not suit the field here is not applied: forms and imports read it as no default.
  defaultValue: (value) => typeof value === 'string' && value.length <= MAX_DEFAULT_LENGTH,
  helpText: isHelpText,
};

/** The maximum length of a default value in a layout file, in characters. */
const MAX_DEFAULT_LENGTH = 255;

/** Tells whether a value is help text by locale, each text a string within the help text limit. */
function isHelpText(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([locale, text]) =>
      (LOCALES as string[]).includes(locale) &&
      typeof text === 'string' &&
      text.length <= MAX_HELP_TEXT_LENGTH,
  );
}

function isPicklist(type: string): type is 'picklist' | 'multipicklist' {
  return type === 'picklist' || type === 'multipicklist';
}

/** Returns the name a custom field that the import still has to add goes by in the planned layout. */
export function newFieldName(uid: string): string {
  return `new:${uid}`;
}

/**
 * Plans the import of a checked file: the layout it gives, the custom fields and picklist values it adds,
 * the lines of the preview and what is left out. Blocks and fields the file does not mention stay, after
 * the file's, and the import removes nothing, so planning the same file again finds nothing to change.
 */
export function planImport(context: TransferContext, file: LayoutFile): ImportPlan {
  const planner = new ImportPlanner(context, file);
  return planner.plan();
}

class ImportPlanner {
  private readonly changes: PlanItem[] = [];
  private readonly ignored: PlanItem[] = [];
  private readonly customFields: PlannedCustomField[] = [];
  /** Local names by file uid, for the custom fields that exist here or that the import adds. */
  private readonly localNames = new Map<string, string>();
  private readonly definitions: Map<string, FieldDefinition>;

  constructor(
    private readonly context: TransferContext,
    private readonly file: LayoutFile,
  ) {
    this.definitions = new Map(context.manifest.fields.map((field) => [field.name, field]));
  }

  plan(): ImportPlan {
    if (this.file.version > LAYOUT_FILE_VERSION)
      this.ignore('newerVersion', {
        version: String(this.file.version),
        supported: String(LAYOUT_FILE_VERSION),
      });
    this.matchCustomFields();

    const layout = this.targetLayout();
    this.keepClashingLabels(layout);
    const layoutChanges = this.describeLayout(layout);
    const picklistValues = this.plannedValues();
    this.changes.unshift(...layoutChanges);
    return {
      layout,
      layoutChanged: !sameLayout(this.context.layout, layout),
      customFields: this.customFields,
      picklistValues,
      changes: this.changes,
      ignored: this.ignored,
    };
  }

  /** Finds each custom field of the file here by its uid, or plans to add it when its type is known here. */
  private matchCustomFields(): void {
    const byUid = new Map(this.context.customFields.map((row) => [row.uid, row]));
    for (const field of this.file.customFields) {
      const label = this.fileFieldLabel(field.uid);
      const existing = byUid.get(field.uid);
      if (existing) {
        this.localNames.set(field.uid, existing.name);
        if (existing.type !== field.type)
          this.ignore('typeDiffers', { field: label, type: `layout.types.${existing.type}` });
        continue;
      }
      if (this.context.otherUids.has(field.uid)) {
        this.ignore('uidTaken', { field: label });
        continue;
      }
      if (!isCustomFieldType(field.type)) {
        this.ignore('typeUnknown', { field: label, type: plain(field.type) });
        continue;
      }
      const maxLength =
        field.type === 'text' ? Math.min(field.maxLength ?? MAX_TEXT_LENGTH, MAX_TEXT_LENGTH) : null;
      const decimalPlaces =
        field.type === 'decimal'
          ? Math.min(field.decimalPlaces ?? DEFAULT_DECIMAL_PLACES, MAX_DECIMAL_PLACES)
          : null;
      const texts = this.fileField(field.uid)!.labels!;
      if (this.labelTaken(texts)) {
        this.ignore('labelTaken', { field: label });
        continue;
      }
      this.customFields.push({ uid: field.uid, type: field.type, maxLength, decimalPlaces, texts });
      this.localNames.set(field.uid, newFieldName(field.uid));
    }
  }

  /**
   * Tells whether a new custom field's label is shown by a field here or by another field the import adds,
   * in any language, because two fields with one label cannot be distinguished in forms and CSV headers.
   */
  private labelTaken(texts: LabelTexts): boolean {
    if (this.labelClashes('', texts)) return true;
    const keys = (label: LabelTexts) =>
      LOCALES.map((locale) => translate(locale, customLabel(label)).trim().toLowerCase());
    const own = keys(texts);
    return this.customFields.some((planned) => keys(planned.texts).some((key, index) => key === own[index]));
  }

  /** Returns the layout the file gives, with the blocks and fields of this installation it does not mention. */
  private targetLayout(): ModuleLayout {
    const blocks: LayoutBlock[] = [];
    const placed = new Set<string>();
    const nextBlockName = blockNamer(this.context.layout);

    for (const fileBlock of this.file.blocks) {
      const name = this.localBlockName(fileBlock, blocks, nextBlockName);
      if (!name) {
        this.ignore('blockUnknown', { block: plain(fileBlock.name) });
        continue;
      }
      const block: LayoutBlock = {
        name,
        ...(fileBlock.labels ? { texts: fileBlock.labels } : {}),
        fields: [],
      };
      blocks.push(block);
      for (const fileField of fileBlock.fields) {
        const local = this.localFieldName(fileField);
        if (!local || placed.has(local)) continue;
        block.fields.push(this.placedField(local, fileField));
        placed.add(local);
      }
    }

    for (const localBlock of this.context.layout.blocks) {
      const remaining = localBlock.fields.filter((field) => !placed.has(field.name));
      const target = blocks.find((block) => block.name === localBlock.name);
      if (target) target.fields.push(...remaining);
      else blocks.push({ ...localBlock, fields: remaining });
    }
    return { blocks };
  }

  /**
   * Returns the local name of a file's block: a block this module ships keeps its name, and an added one is
   * the local added block with the same label, or a new `block_<n>`. A block that this module does not ship
   * and that has no label cannot be named here, so it returns undefined.
   */
  private localBlockName(
    fileBlock: LayoutFileBlock,
    taken: LayoutBlock[],
    nextBlockName: () => string,
  ): string | undefined {
    const isTaken = (name: string) => taken.some((block) => block.name === name);
    if (this.isShippedBlock(fileBlock.name)) return fileBlock.name;
    if (!fileBlock.labels) return undefined;
    const match = this.context.layout.blocks.find(
      (block) =>
        !this.isShippedBlock(block.name) && !isTaken(block.name) && sameTexts(block.texts, fileBlock.labels),
    );
    return match?.name ?? nextBlockName();
  }

  /** Returns the local name of a file's field, or undefined (with the reason noted) when it has none here. */
  private localFieldName(fileField: LayoutFileField): string | undefined {
    if (fileField.uid !== undefined) return this.localNames.get(fileField.uid);
    const definition = this.definitions.get(fileField.name);
    if (definition && !definition.custom) return definition.name;
    this.ignore('fieldNotInstalled', { field: labelOf(fileField.labels, plain(fileField.name)) });
    return undefined;
  }

  /** Returns the field with the file's label and the properties of the file that this installation accepts. */
  private placedField(name: string, fileField: LayoutFileField): LayoutField {
    const label = labelOf(fileField.labels, this.definitions.get(name)?.label ?? name);
    const properties: FieldProperties = {};
    for (const [property, value] of Object.entries(fileField.properties ?? {})) {
      const check = IMPORTED_PROPERTIES[property];
      if (!check || !check(value)) {
        this.ignore('propertyUnknown', { field: label, property: plain(property) });
        continue;
      }
      const rejection = this.propertyRejection(name, { [property]: value });
      if (rejection) {
        this.ignore('propertyRejected', { field: label, reason: rejection });
        continue;
      }
      Object.assign(properties, { [property]: value });
    }
    return {
      name,
      ...(fileField.labels ? { texts: fileField.labels } : {}),
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
    };
  }

  /**
   * Gives a field back its label here when the file labels it with a text that a field before it in the
   * planned layout shows, in any language, so that no two fields share a label after the import.
   */
  private keepClashingLabels(layout: ModuleLayout): void {
    const seen = new Set<string>();
    const keysOf = (field: LayoutField) => {
      const label = labelOf(field.texts, this.definitions.get(field.name)?.label ?? field.name);
      return LOCALES.map((locale) => `${locale}:${translate(locale, label).trim().toLowerCase()}`);
    };
    for (const block of layout.blocks) {
      for (const [index, field] of block.fields.entries()) {
        const current = this.currentField(field.name);
        if (keysOf(field).some((key) => seen.has(key)) && current && field.texts !== current.texts) {
          this.ignore('relabelTaken', { field: labelOf(field.texts, field.name) });
          block.fields[index] = { ...field, texts: current.texts };
        }
        for (const key of keysOf(block.fields[index])) seen.add(key);
      }
    }
  }

  /** Tells whether another field here shows one of the label's texts, so a field relabelled to it would clash. */
  private labelClashes(name: string, texts: LabelTexts): boolean {
    try {
      checkLabelFree(this.context.manifest, this.context.layout, name, texts);
      return false;
    } catch (error) {
      if (error instanceof LayoutError) return true;
      throw error;
    }
  }

  /** Returns the field as this installation's layout places it now. */
  private currentField(name: string): LayoutField | undefined {
    return this.context.layout.blocks.flatMap((block) => block.fields).find((field) => field.name === name);
  }

  /** Returns the catalogue key of why the field cannot take the property here, or undefined when it can. */
  private propertyRejection(name: string, property: FieldProperties): string | undefined {
    // A custom field the import adds is a plain writable field, which takes every property.
    if (!this.definitions.has(name)) return undefined;
    try {
      setFieldProperties(this.context.manifest, this.context.layout, name, property);
      return undefined;
    } catch (error) {
      if (error instanceof LayoutError) return `layout.errors.${error.code}`;
      throw error;
    }
  }

  /** Describes how the layout changes: blocks added, renamed or moved; fields added, moved or relabelled. */
  private describeLayout(target: ModuleLayout): PlanItem[] {
    const items: PlanItem[] = [];
    const current = this.context.layout;
    const currentBlocks = current.blocks.map((block) => block.name);
    const keptBlocks = target.blocks.filter((block) => currentBlocks.includes(block.name)).map((b) => b.name);
    const currentOrder = currentBlocks.filter((name) => keptBlocks.includes(name));

    for (const block of target.blocks) {
      const before = current.blocks.find((candidate) => candidate.name === block.name);
      const label = this.blockLabel(block);
      if (!before) {
        items.push(item('blockAdded', { block: label }));
      } else {
        if (!sameTexts(before.texts, block.texts))
          items.push(item('blockRenamed', { from: this.blockLabel(before), to: label }));
        if (currentOrder.indexOf(block.name) !== keptBlocks.indexOf(block.name))
          items.push(
            item('blockMoved', { block: label, position: String(target.blocks.indexOf(block) + 1) }),
          );
      }
      items.push(...this.describeFields(before, block));
    }
    return items;
  }

  private describeFields(before: LayoutBlock | undefined, block: LayoutBlock): PlanItem[] {
    const items: PlanItem[] = [];
    const blockLabel = this.blockLabel(block);
    const stayed = block.fields
      .map((field) => field.name)
      .filter((name) => before?.fields.some((other) => other.name === name));
    const previousOrder = (before?.fields ?? [])
      .map((field) => field.name)
      .filter((name) => stayed.includes(name));

    for (const [position, field] of block.fields.entries()) {
      const planned = this.customFields.find((candidate) => newFieldName(candidate.uid) === field.name);
      const label = this.fieldLabel(field);
      if (planned) {
        items.push(
          item('customFieldAdded', { field: label, type: `layout.types.${planned.type}`, block: blockLabel }),
        );
        items.push(...propertyItems(label, undefined, field.properties));
        continue;
      }
      const previous = this.context.layout.blocks
        .flatMap((candidate) => candidate.fields)
        .find((candidate) => candidate.name === field.name)!;
      const movedHere = !stayed.includes(field.name);
      if (movedHere || previousOrder.indexOf(field.name) !== stayed.indexOf(field.name))
        items.push(item('fieldMoved', { field: label, block: blockLabel, position: String(position + 1) }));
      if (!sameTexts(previous.texts, field.texts))
        items.push(item('fieldRelabelled', { from: this.fieldLabel(previous), to: label }));
      items.push(...propertyItems(label, previous.properties, field.properties));
    }
    return items;
  }

  /** Plans the picklist values the file has and this installation lacks; existing values stay as they are. */
  private plannedValues(): PlannedValue[] {
    const planned: PlannedValue[] = [];
    for (const picklist of this.file.picklists) {
      const name = picklist.uid !== undefined ? this.localNames.get(picklist.uid) : picklist.name;
      const definition = name ? this.picklistDefinition(name) : undefined;
      // Without a uid the file names a standard picklist; a local `cf_<n>` of that name is another field.
      if (definition?.custom && picklist.uid === undefined) {
        this.ignore('picklistUnknown', { field: plain(picklist.name) });
        continue;
      }
      if (!name || !definition) {
        if (picklist.uid === undefined) this.ignore('picklistUnknown', { field: plain(picklist.name) });
        continue;
      }
      const fieldLabel = this.fieldLabel({ name, texts: this.fileField(picklist.uid)?.labels });
      const listed: ListedValue[] = (this.context.picklistValues.get(name) ?? []).map((value, id) => ({
        id,
        value: value.value,
        outcome: value.outcome,
      }));
      for (const value of picklist.values) {
        const input = {
          value: value.value,
          probability:
            value.probability === null || value.probability === undefined ? '' : String(value.probability),
          outcome: value.outcome ?? '',
        };
        if (listed.some((other) => other.value.toLowerCase() === input.value.trim().toLowerCase())) continue;
        const result = checkValueInput(definition, input, listed);
        if (!result.ok) {
          this.ignore('valueInvalid', { field: fieldLabel, value: plain(value.value) });
          continue;
        }
        listed.push({ id: listed.length, value: result.checked.value, outcome: result.checked.outcome });
        planned.push({ field: name, input });
        this.changes.push(valueItem(fieldLabel, result.checked));
      }
    }
    return planned;
  }

  /** Returns the definition of a picklist field here, or of a picklist field the import adds. */
  private picklistDefinition(name: string): FieldDefinition | undefined {
    const existing = this.definitions.get(name);
    if (existing) return isPicklist(existing.type) ? existing : undefined;
    const planned = this.customFields.find((field) => newFieldName(field.uid) === name);
    if (!planned || !isPicklist(planned.type)) return undefined;
    return { name, type: planned.type, label: name, block: '', custom: true };
  }

  private isShippedBlock(name: string): boolean {
    return this.context.manifest.blocks.some((block) => block.name === name);
  }

  private blockLabel(block: LayoutBlock): string {
    const shipped = this.context.manifest.blocks.find((candidate) => candidate.name === block.name);
    return labelOf(block.texts, shipped?.label ?? block.name);
  }

  private fieldLabel(field: { name: string; texts?: LabelTexts }): string {
    return labelOf(field.texts, this.definitions.get(field.name)?.label ?? field.name);
  }

  private fileField(uid: string | undefined): LayoutFileField | undefined {
    if (uid === undefined) return undefined;
    return this.file.blocks.flatMap((block) => block.fields).find((field) => field.uid === uid);
  }

  private fileFieldLabel(uid: string): string {
    return labelOf(this.fileField(uid)?.labels, uid);
  }

  private ignore(key: string, params: Record<string, string>): void {
    this.ignored.push(item(key, params));
  }
}

function item(key: string, params: Record<string, string>): PlanItem {
  return { key, params };
}

/** Describes the properties that change, mandatory with its own words and a removed one as the standard setting. */
function propertyItems(
  label: string,
  before: FieldProperties | undefined,
  after: FieldProperties | undefined,
): PlanItem[] {
  const items: PlanItem[] = [];
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const property of names) {
    const previous = (before as Record<string, unknown> | undefined)?.[property];
    const next = (after as Record<string, unknown> | undefined)?.[property];
    if (previous === next) continue;
    if (next === undefined)
      items.push(item('propertyReset', { field: label, property: `layoutTransfer.properties.${property}` }));
    else if (property === 'mandatory')
      items.push(item(next ? 'fieldMadeMandatory' : 'fieldMadeOptional', { field: label }));
  }
  return items;
}

function valueItem(field: string, value: TransferValue): PlanItem {
  if (value.outcome === null) return item('valueAdded', { field, value: plain(value.value) });
  return item('stageAdded', {
    field,
    value: plain(value.value),
    probability: String(value.probability),
    outcome: `picklists.outcomes.${value.outcome}`,
  });
}

/** Returns a function that gives the next free `block_<n>` name after the highest in the layout. */
function blockNamer(layout: ModuleLayout): () => string {
  const numbers = layout.blocks
    .map((block) => /^block_(\d+)$/.exec(block.name))
    .map((match) => (match ? Number(match[1]) : 0));
  let next = Math.max(0, ...numbers);
  return () => `block_${++next}`;
}

/** Returns the label to show: the administrator's texts, or the catalogue key (or plain text) when there are none. */
function labelOf(texts: LabelTexts | undefined, key: string): string {
  return texts ? customLabel(texts, key) : key;
}

/** Returns text from a file as a label that translate() shows unchanged instead of looking it up. */
function plain(text: string): string {
  return customLabel({ en: text });
}

function sameTexts(a: LabelTexts | undefined, b: LabelTexts | undefined): boolean {
  return JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));
}

function sortedEntries(object: object | undefined): [string, unknown][] {
  return Object.entries(object ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
}

function sameLayout(a: ModuleLayout, b: ModuleLayout): boolean {
  const shape = (layout: ModuleLayout) =>
    layout.blocks.map((block) => ({
      name: block.name,
      texts: sortedEntries(block.texts),
      fields: block.fields.map((field) => ({
        name: field.name,
        texts: sortedEntries(field.texts),
        properties: sortedEntries(field.properties),
      })),
    }));
  return JSON.stringify(shape(a)) === JSON.stringify(shape(b));
}
