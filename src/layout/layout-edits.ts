import { BadRequestException } from '@nestjs/common';
import { customLabel, LabelTexts } from '../i18n/i18n.service.js';
import { ModuleManifest } from '../records/manifest.js';
import { LayoutEdit } from './layout.service.js';
import {
  addBlock,
  applyLayout,
  cleanHelpTexts,
  cleanTexts,
  deleteBlock,
  Direction,
  LayoutError,
  ModuleLayout,
  moveBlock,
  moveField,
  moveFieldToBlock,
  checkLabelFree,
  relabelField,
  renameBlock,
  setFieldProperties,
} from './module-layout.js';

/** The help text inputs of the field properties page, one a locale. */
export interface HelpTextForm {
  help_en?: string;
  help_it?: string;
}

/** The label inputs of the editor's forms, one a locale. */
export interface LabelForm {
  label_en?: string;
  label_it?: string;
}

/**
 * The Layout Editor's changes as edits for LayoutService.change(), each with its history entry. Labels in
 * the history are taken from the layout the edit is applied to, so they name what the administrator saw.
 */
export class LayoutEdits {
  constructor(private readonly shipped: ModuleManifest) {}

  addBlock(form: LabelForm): LayoutEdit {
    const texts = cleanTexts(textsOf(form));
    return (layout) => {
      const result = addBlock(layout, texts);
      return {
        layout: result.layout,
        action: 'blockAdded',
        details: { block: this.blockLabel(result.layout, result.name) },
      };
    };
  }

  renameBlock(name: string, form: LabelForm): LayoutEdit {
    const texts = cleanTexts(textsOf(form));
    const shippedBlock = this.shipped.blocks.some((block) => block.name === name);
    return (layout) => {
      // A shipped block without texts takes its catalogue label again; an added block has no other.
      if (!texts && !shippedBlock) throw new LayoutError('labelMissing');
      const result = renameBlock(layout, name, texts);
      return {
        layout: result,
        action: 'blockRenamed',
        details: { from: this.blockLabel(layout, name), to: this.blockLabel(result, name) },
      };
    };
  }

  moveBlock(name: string, direction: string | undefined): LayoutEdit {
    const checked = toDirection(direction);
    return (layout) => ({
      layout: moveBlock(layout, name, checked),
      action: checked === 'up' ? 'blockMovedUp' : 'blockMovedDown',
      details: { block: this.blockLabel(layout, name) },
    });
  }

  deleteBlock(name: string): LayoutEdit {
    return (layout) => ({
      layout: deleteBlock(layout, name),
      action: 'blockDeleted',
      details: { block: this.blockLabel(layout, name) },
    });
  }

  moveField(name: string, direction: string | undefined): LayoutEdit {
    const checked = toDirection(direction);
    return (layout) => ({
      layout: moveField(layout, name, checked),
      action: checked === 'up' ? 'fieldMovedUp' : 'fieldMovedDown',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  moveFieldToBlock(name: string, blockName: string): LayoutEdit {
    return (layout) => ({
      layout: moveFieldToBlock(layout, name, blockName),
      action: 'fieldMovedToBlock',
      details: { field: this.fieldLabel(layout, name), block: this.blockLabel(layout, blockName) },
    });
  }

  relabelField(name: string, form: LabelForm): LayoutEdit {
    const texts = cleanTexts(textsOf(form));
    const custom = this.shipped.fields.some((field) => field.name === name && field.custom);
    return (layout) => {
      // A custom field has no catalogue label to fall back on.
      if (!texts && custom) throw new LayoutError('labelMissing');
      checkLabelFree(this.shipped, layout, name, texts);
      const result = relabelField(layout, name, texts);
      return {
        layout: result,
        action: 'fieldRelabelled',
        details: { from: this.fieldLabel(layout, name), to: this.fieldLabel(result, name) },
      };
    };
  }

  setMandatory(name: string, mandatory: boolean): LayoutEdit {
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { mandatory }),
      action: mandatory ? 'fieldMadeMandatory' : 'fieldMadeOptional',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  /** Makes the field a default column of the list, or takes it out of the default columns. */
  setListColumn(name: string, listColumn: boolean): LayoutEdit {
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { listColumn }),
      action: listColumn ? 'fieldListedByDefault' : 'fieldUnlistedByDefault',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  /**
   * Sets or clears (undefined) a field's default value, written as a CSV file writes it. `shown` is the
   * value as the history shows it in each language.
   */
  setDefaultValue(name: string, value: string | undefined, shown: LabelTexts): LayoutEdit {
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { defaultValue: value }),
      action: value === undefined ? 'fieldDefaultCleared' : 'fieldDefaultSet',
      details: {
        field: this.fieldLabel(layout, name),
        ...(value === undefined ? {} : { value: customLabel(shown) }),
      },
    });
  }

  setHelpText(name: string, form: HelpTextForm): LayoutEdit {
    const texts = cleanHelpTexts({ en: stringOf(form.help_en), it: stringOf(form.help_it) });
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { helpText: texts }),
      action: texts ? 'fieldHelpTextSet' : 'fieldHelpTextCleared',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  setReadOnly(name: string, readOnly: boolean): LayoutEdit {
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { readOnly }),
      action: readOnly ? 'fieldMadeReadOnly' : 'fieldMadeEditable',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  setQuickCreate(name: string, quickCreate: boolean): LayoutEdit {
    return (layout) => ({
      layout: setFieldProperties(this.shipped, layout, name, { quickCreate }),
      action: quickCreate ? 'fieldAddedToQuickCreate' : 'fieldRemovedFromQuickCreate',
      details: { field: this.fieldLabel(layout, name) },
    });
  }

  private blockLabel(layout: ModuleLayout, name: string): string {
    const block = applyLayout(this.shipped, layout).blocks.find((candidate) => candidate.name === name);
    if (!block) throw new LayoutError('blockNotFound');
    return block.label;
  }

  private fieldLabel(layout: ModuleLayout, name: string): string {
    const field = applyLayout(this.shipped, layout).fields.find((candidate) => candidate.name === name);
    if (!field) throw new LayoutError('fieldNotFound');
    return field.label;
  }
}

function textsOf(form: LabelForm): Partial<Record<string, string>> {
  return { en: stringOf(form.label_en), it: stringOf(form.label_it) };
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function toDirection(value: string | undefined): Direction {
  if (value === 'up' || value === 'down') return value;
  throw new BadRequestException();
}
