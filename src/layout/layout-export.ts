import { CustomFieldRow } from './layout.entities.js';
import {
  LAYOUT_FILE_FORMAT,
  LAYOUT_FILE_VERSION,
  LayoutFile,
  LayoutFileBlock,
  LayoutFilePicklist,
} from './layout-file.js';
import { ModuleManifest } from '../records/manifest.js';
import { ModuleLayout } from './module-layout.js';
import { StageOutcome } from './picklist-rules.js';

/** A picklist value as stored, for the file and for the comparison with a file. */
export interface TransferValue {
  value: string;
  probability: number | null;
  outcome: StageOutcome | null;
}

/** The data of one module that an export or an import reads from the installation. */
export interface TransferContext {
  /** The manifest with its active custom fields, before any layout. */
  manifest: ModuleManifest;
  layout: ModuleLayout;
  /** The module's active custom field definitions. */
  customFields: CustomFieldRow[];
  /** Uids of custom fields that are not the module's active ones: another module's, or still being added. */
  otherUids: Set<string>;
  /** The values of each picklist field, by field name, in their order. */
  picklistValues: Map<string, TransferValue[]>;
}

/** Builds the layout file of a module: blocks and fields in order, custom field definitions and picklists. */
export function layoutFileOf(context: TransferContext, exportedAt: string): LayoutFile {
  const uids = new Map(context.customFields.map((row) => [row.name, row.uid ?? undefined]));
  const blocks: LayoutFileBlock[] = context.layout.blocks.map((block) => ({
    name: block.name,
    ...(block.texts ? { labels: block.texts } : {}),
    fields: block.fields.map((field) => ({
      name: field.name,
      ...(uids.get(field.name) ? { uid: uids.get(field.name) } : {}),
      ...(field.texts ? { labels: field.texts } : {}),
      ...(field.properties && Object.keys(field.properties).length > 0
        ? { properties: { ...field.properties } }
        : {}),
    })),
  }));
  const picklists: LayoutFilePicklist[] = [...context.picklistValues.entries()].map(([name, values]) => ({
    name,
    ...(uids.get(name) ? { uid: uids.get(name) } : {}),
    values: values.map((value) =>
      value.outcome === null
        ? { value: value.value }
        : { value: value.value, probability: value.probability, outcome: value.outcome },
    ),
  }));
  return {
    format: LAYOUT_FILE_FORMAT,
    version: LAYOUT_FILE_VERSION,
    module: context.manifest.name,
    exportedAt,
    blocks,
    customFields: context.customFields
      .filter((row) => row.uid)
      .map((row) => ({
        uid: row.uid!,
        name: row.name,
        type: row.type,
        maxLength: row.maxLength,
        ...(row.decimalPlaces === null ? {} : { decimalPlaces: row.decimalPlaces }),
      })),
    picklists,
  };
}
