import { LabelTexts } from '../i18n/i18n.service.js';
import { LOCALES } from '../records/values.js';
import { MAX_LABEL_LENGTH } from './module-layout.js';

/** The value of `format` that marks a layout file. */
export const LAYOUT_FILE_FORMAT = 'affari-layout';

/** The format version this installation writes and reads in full. A newer file is read as far as it can be. */
export const LAYOUT_FILE_VERSION = 1;

/**
 * The maximum size of a layout file, in bytes. The Potentials layout of a fresh install, with its picklists, is
 * about 4 KB of JSON, so this leaves room for many custom fields and values.
 */
export const MAX_LAYOUT_FILE_BYTES = 200 * 1024;

/**
 * A module's layout as a file carries it between installations: blocks and fields in order, the custom
 * fields' definitions, and the picklists' values. Custom fields are named by `uid`, because the generated
 * `cf_<n>` name of one installation may belong to another field in the next.
 */
export interface LayoutFile {
  format: typeof LAYOUT_FILE_FORMAT;
  version: number;
  module: string;
  /** When the file was written, as an ISO 8601 UTC time. Informative only. */
  exportedAt?: string;
  blocks: LayoutFileBlock[];
  customFields: LayoutFileCustomField[];
  picklists: LayoutFilePicklist[];
}

export interface LayoutFileBlock {
  /** The internal name: a shipped block's, or `block_<n>` for one an administrator added. */
  name: string;
  /** The administrator's label; absent for a shipped block with its catalogue label. */
  labels?: LabelTexts;
  fields: LayoutFileField[];
}

export interface LayoutFileField {
  /** The internal name in the exporting installation. A custom field is matched by `uid` instead. */
  name: string;
  uid?: string;
  labels?: LabelTexts;
  properties?: Record<string, unknown>;
}

export interface LayoutFileCustomField {
  uid: string;
  /** The internal name in the exporting installation, for a reader of the file. */
  name: string;
  type: string;
  /** Text fields: the maximum length in characters. */
  maxLength?: number | null;
  /** Decimal fields: the number of decimal places. */
  decimalPlaces?: number | null;
}

export interface LayoutFilePicklist {
  /** The field's internal name; a custom field's picklist is matched by `uid`. */
  name: string;
  uid?: string;
  values: LayoutFilePicklistValue[];
}

export interface LayoutFilePicklistValue {
  value: string;
  /** Sales stages: the default probability, a whole percentage. */
  probability?: number | null;
  /** Sales stages: open, won or lost. */
  outcome?: string | null;
}

export type LayoutFileErrorCode = 'notJson' | 'notLayoutFile' | 'otherModule' | 'invalidEntry';

/** The error of a file that cannot be imported; the code names the message in `layoutTransfer.errors`. */
export class LayoutFileError extends Error {
  constructor(
    readonly code: LayoutFileErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

const INTERNAL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_VALUE_LENGTH = 255;
/** The maximum length of a type name in a file. Types are stored in a 20-character column, so this leaves room. */
const MAX_TYPE_LENGTH = 30;

/**
 * Reads and checks a whole layout file for the module before anything is changed. Throws LayoutFileError
 * for text that is not JSON, JSON that is not a layout file, a file of another module, or an entry of the
 * wrong shape (its path is in the message). Keys this version does not know are left out.
 */
export function parseLayoutFile(text: string, moduleName: string): LayoutFile {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new LayoutFileError('notJson');
  }
  if (!isObject(json) || json.format !== LAYOUT_FILE_FORMAT) throw new LayoutFileError('notLayoutFile');

  const reader = new EntryReader();
  const version = reader.integer(json.version, 'version', 1);
  const module = reader.name(json.module, 'module');
  if (module !== moduleName) throw new LayoutFileError('otherModule', { module });

  const file: LayoutFile = {
    format: LAYOUT_FILE_FORMAT,
    version,
    module,
    blocks: reader.list(json.blocks, 'blocks', (entry, path) => reader.block(entry, path)),
    customFields: reader.list(json.customFields, 'customFields', (entry, path) =>
      reader.customField(entry, path),
    ),
    picklists: reader.list(json.picklists, 'picklists', (entry, path) => reader.picklist(entry, path)),
  };
  checkUniqueNames(file);
  checkCustomFieldsPlaced(file);
  return file;
}

/** Checks that no block, and no standard field, appears twice in the file. */
function checkUniqueNames(file: LayoutFile): void {
  const blocks = new Set<string>();
  const fields = new Set<string>();
  for (const [blockIndex, block] of file.blocks.entries()) {
    if (blocks.has(block.name)) throw invalid(`blocks[${blockIndex}].name`);
    blocks.add(block.name);
    for (const [fieldIndex, field] of block.fields.entries()) {
      if (field.uid !== undefined) continue;
      if (fields.has(field.name)) throw invalid(`blocks[${blockIndex}].fields[${fieldIndex}].name`);
      fields.add(field.name);
    }
  }
}

/** Checks that every custom field is defined once and placed once, with a label, since it has no other. */
function checkCustomFieldsPlaced(file: LayoutFile): void {
  const defined = new Set<string>();
  for (const [index, field] of file.customFields.entries()) {
    if (defined.has(field.uid)) throw invalid(`customFields[${index}].uid`);
    defined.add(field.uid);
  }

  const placed = new Set<string>();
  for (const [blockIndex, block] of file.blocks.entries()) {
    for (const [fieldIndex, field] of block.fields.entries()) {
      if (field.uid === undefined) continue;
      const path = `blocks[${blockIndex}].fields[${fieldIndex}]`;
      if (!defined.has(field.uid) || placed.has(field.uid)) throw invalid(`${path}.uid`);
      if (!field.labels) throw invalid(`${path}.labels`);
      placed.add(field.uid);
    }
  }
  const unplaced = file.customFields.findIndex((field) => !placed.has(field.uid));
  if (unplaced !== -1) throw invalid(`customFields[${unplaced}]`);
}

/** Reads the entries of a parsed file, throwing LayoutFileError('invalidEntry') with the path of a bad one. */
class EntryReader {
  block(entry: unknown, path: string): LayoutFileBlock {
    const object = this.object(entry, path);
    return {
      name: this.name(object.name, `${path}.name`),
      labels: this.labels(object.labels, `${path}.labels`),
      fields: this.list(object.fields, `${path}.fields`, (field, fieldPath) => this.field(field, fieldPath)),
    };
  }

  field(entry: unknown, path: string): LayoutFileField {
    const object = this.object(entry, path);
    const properties = object.properties;
    if (properties !== undefined && properties !== null && !isObject(properties))
      throw invalid(`${path}.properties`);
    return {
      name: this.name(object.name, `${path}.name`),
      uid: this.uid(object.uid, `${path}.uid`),
      labels: this.labels(object.labels, `${path}.labels`),
      properties: properties ?? undefined,
    };
  }

  customField(entry: unknown, path: string): LayoutFileCustomField {
    const object = this.object(entry, path);
    const uid = this.uid(object.uid, `${path}.uid`);
    if (uid === undefined) throw invalid(`${path}.uid`);
    if (typeof object.type !== 'string' || object.type.length > MAX_TYPE_LENGTH)
      throw invalid(`${path}.type`);
    const maxLength =
      object.maxLength === undefined || object.maxLength === null
        ? null
        : this.integer(object.maxLength, `${path}.maxLength`, 1);
    const decimalPlaces =
      object.decimalPlaces === undefined || object.decimalPlaces === null
        ? null
        : this.integer(object.decimalPlaces, `${path}.decimalPlaces`, 0);
    return { uid, name: this.name(object.name, `${path}.name`), type: object.type, maxLength, decimalPlaces };
  }

  picklist(entry: unknown, path: string): LayoutFilePicklist {
    const object = this.object(entry, path);
    return {
      name: this.name(object.name, `${path}.name`),
      uid: this.uid(object.uid, `${path}.uid`),
      values: this.list(object.values, `${path}.values`, (value, valuePath) => this.value(value, valuePath)),
    };
  }

  value(entry: unknown, path: string): LayoutFilePicklistValue {
    const object = this.object(entry, path);
    if (typeof object.value !== 'string' || object.value.length > MAX_VALUE_LENGTH)
      throw invalid(`${path}.value`);
    const probability =
      object.probability === undefined || object.probability === null
        ? null
        : this.integer(object.probability, `${path}.probability`, 0);
    const outcome = object.outcome ?? null;
    if (outcome !== null && typeof outcome !== 'string') throw invalid(`${path}.outcome`);
    return { value: object.value, probability, outcome };
  }

  list<T>(entry: unknown, path: string, read: (item: unknown, itemPath: string) => T): T[] {
    if (entry === undefined) return [];
    if (!Array.isArray(entry)) throw invalid(path);
    return entry.map((item, index) => read(item, `${path}[${index}]`));
  }

  object(entry: unknown, path: string): Record<string, unknown> {
    if (!isObject(entry)) throw invalid(path);
    return entry;
  }

  name(entry: unknown, path: string): string {
    if (typeof entry !== 'string' || !INTERNAL_NAME.test(entry)) throw invalid(path);
    return entry;
  }

  uid(entry: unknown, path: string): string | undefined {
    if (entry === undefined) return undefined;
    if (typeof entry !== 'string' || !UID.test(entry)) throw invalid(path);
    return entry;
  }

  integer(entry: unknown, path: string, min: number): number {
    if (typeof entry !== 'number' || !Number.isSafeInteger(entry) || entry < min) throw invalid(path);
    return entry;
  }

  /** Reads label texts by locale; texts of locales this installation does not have are left out. */
  labels(entry: unknown, path: string): LabelTexts | undefined {
    if (entry === undefined || entry === null) return undefined;
    if (!isObject(entry)) throw invalid(path);
    const texts: LabelTexts = {};
    for (const locale of LOCALES) {
      const text = entry[locale];
      if (text === undefined) continue;
      if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_LABEL_LENGTH)
        throw invalid(`${path}.${locale}`);
      texts[locale] = text.trim();
    }
    return Object.keys(texts).length > 0 ? texts : undefined;
  }
}

function invalid(path: string): LayoutFileError {
  return new LayoutFileError('invalidEntry', { entry: path });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
