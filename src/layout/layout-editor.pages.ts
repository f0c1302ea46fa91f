import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import { translate } from '../i18n/i18n.service.js';
import { AUDIT_FIELDS, FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { formatDateTime, Locale, LOCALES } from '../records/values.js';
import {
  CUSTOM_FIELD_TYPES,
  CustomFieldForm,
  DEFAULT_DECIMAL_PLACES,
  MAX_INDEXED_FIELDS,
  MAX_TEXT_LENGTH,
} from './custom-fields.js';
import { MAX_DECIMAL_PLACES } from '../records/value-types.js';
import type { LabelForm } from './layout-edits.js';
import { LayoutService } from './layout.service.js';
import {
  applyLayout,
  essentialReason,
  holdsAuditFields,
  LayoutBlock,
  LayoutError,
  ModuleLayout,
} from './module-layout.js';

/**
 * A change that failed: the form it came from (its anchor), the labels typed into it when it is a label
 * form, and why.
 */
export interface LayoutFailure {
  form: string;
  values?: LabelForm & CustomFieldForm;
  error: LayoutError;
}

/** The label boxes of a form, and an error of the form: beside the boxes, or above them for a button. */
interface LabelInputs {
  labelEn: string;
  labelIt: string;
  error?: string;
  actionError?: string;
  /** The element the error summary links to. */
  errorTarget?: string;
}

/** The form that adds a custom field, with its choices and the errors beside its inputs. */
interface NewFieldInputs extends LabelInputs {
  maxLength: string;
  maxTextLength: number;
  listColumn: boolean;
  decimalPlaces: string;
  maxDecimalPlaces: number;
  types: { value: string; label: string; selected: boolean }[];
  blocks: { value: string; label: string; selected: boolean }[];
  /** The index checkbox is ticked. */
  indexed: boolean;
  maxIndexedFields: number;
  typeError?: string;
  lengthError?: string;
  placesError?: string;
  indexError?: string;
}

/** Builds the Layout Editor's page of a module from its stored layout. */
@Injectable()
export class LayoutEditorPages {
  constructor(
    private readonly layouts: LayoutService,
    private readonly registry: ModuleRegistry,
  ) {}

  async modulePage(
    user: CurrentUser,
    moduleName: string,
    failure?: LayoutFailure,
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const shipped = this.registry.base(moduleName);
    const layout = await this.layouts.layout(moduleName);
    const served = applyLayout(shipped, layout);
    const inputsOf = (form: string, texts: Partial<Record<Locale, string>> | undefined): LabelInputs => {
      const stored = { labelEn: texts?.en ?? '', labelIt: texts?.it ?? '' };
      if (failure?.form !== form) return stored;

      const message = translate(locale, `layout.errors.${failure.error.code}`, failure.error.params);
      if (!failure.values) return { ...stored, actionError: message, errorTarget: form };
      return {
        labelEn: String(failure.values.label_en ?? ''),
        labelIt: String(failure.values.label_it ?? ''),
        error: message,
        errorTarget: `${form}-en`,
      };
    };

    const blocks = layout.blocks.map((block, index) => ({
      name: block.name,
      anchor: `block-${block.name}`,
      labelAction: `/admin/layout/${moduleName}/blocks/${block.name}/label`,
      label: translate(locale, served.blocks[index].label),
      standardLabel: this.standardLabel(
        shipped.blocks.find((candidate) => candidate.name === block.name)?.label,
      ),
      first: index === 0,
      last: index === layout.blocks.length - 1,
      deletable: block.fields.length === 0 && !holdsAuditFields(block.name),
      ...inputsOf(`block-${block.name}`, block.texts),
      fields: [
        ...block.fields.map((entry, position) =>
          this.fieldRow(locale, {
            shipped,
            served,
            layout,
            block,
            name: entry.name,
            position,
            inputs: inputsOf(`field-${entry.name}`, entry.texts),
          }),
        ),
        ...(holdsAuditFields(block.name)
          ? AUDIT_FIELDS.map((field) => this.auditFieldRow(locale, field))
          : []),
      ],
    }));
    const newBlock = inputsOf('new-block', undefined);
    const newField = this.newFieldForm(locale, served, inputsOf('new-field', undefined), failure);
    const rows: (Partial<NewFieldInputs> & { label: string })[] = [
      ...blocks,
      ...blocks.flatMap((block) => block.fields),
      { label: translate(locale, 'layout.newBlock'), ...newBlock },
      { label: translate(locale, 'layout.newField'), ...newField },
    ];
    const summary = rows
      .filter((row) => row.errorTarget)
      .map((row) => ({
        target: row.errorTarget,
        label: row.label,
        error:
          row.error ??
          row.actionError ??
          row.typeError ??
          row.lengthError ??
          row.placesError ??
          row.indexError,
      }));

    return {
      title: 'layout.title',
      moduleName,
      moduleLabel: translate(locale, shipped.label),
      picklistsHref: `/admin/layout/${moduleName}/picklists`,
      settingsPages: (shipped.settingsPages ?? []).map((page) => ({
        href: page.path,
        label: translate(locale, page.label),
      })),
      blocks,
      newBlock,
      newField,
      errorSummary: summary,
      changes: (await this.layouts.history(moduleName)).map((change) => ({
        when: formatDateTime(change.changedAt, locale),
        by: change.by ?? '',
        text: translate(
          locale,
          `layout.changes.${change.action}`,
          Object.fromEntries(
            Object.entries(change.details).map(([key, label]) => [key, translate(locale, label)]),
          ),
        ),
      })),
    };
  }

  /**
   * Builds the form that adds a custom field. After a failure it keeps what was typed and puts the error
   * beside the input it concerns: the labels, the type or the length, or above the form for the others.
   */
  private newFieldForm(
    locale: Locale,
    served: ModuleManifest,
    labels: LabelInputs,
    failure: LayoutFailure | undefined,
  ): NewFieldInputs {
    const failed = failure?.form === 'new-field' ? failure : undefined;
    const typed = failed?.values ?? {};
    const form: NewFieldInputs = {
      labelEn: labels.labelEn,
      labelIt: labels.labelIt,
      maxLength: typeof typed.max_length === 'string' ? typed.max_length : String(MAX_TEXT_LENGTH),
      maxTextLength: MAX_TEXT_LENGTH,
      listColumn: typed.list_column === 'on',
      decimalPlaces:
        typeof typed.decimal_places === 'string' ? typed.decimal_places : String(DEFAULT_DECIMAL_PLACES),
      maxDecimalPlaces: MAX_DECIMAL_PLACES,
      indexed: typed.indexed === 'on',
      maxIndexedFields: MAX_INDEXED_FIELDS,
      types: CUSTOM_FIELD_TYPES.map((type) => ({
        value: type,
        label: translate(locale, `layout.types.${type}`),
        selected: typed.type === type,
      })),
      blocks: served.blocks
        .filter((block) => !holdsAuditFields(block.name))
        .map((block) => ({
          value: block.name,
          label: translate(locale, block.label),
          selected: typed.block === block.name,
        })),
    };
    if (!failed) return form;

    const message = labels.error ?? labels.actionError;
    switch (failed.error.code) {
      case 'labelMissing':
      case 'labelTooLong':
      case 'labelTaken':
        return { ...form, error: message, errorTarget: 'new-field-en' };
      case 'typeInvalid':
        return { ...form, typeError: message, errorTarget: 'new-field-type' };
      case 'lengthInvalid':
        return { ...form, lengthError: message, errorTarget: 'new-field-length' };
      case 'placesInvalid':
        return { ...form, placesError: message, errorTarget: 'new-field-places' };
      case 'indexTypeInvalid':
        return { ...form, indexError: message, errorTarget: 'new-field-indexed' };
      default:
        return { ...form, actionError: message, errorTarget: 'new-field' };
    }
  }

  private fieldRow(
    locale: Locale,
    input: {
      shipped: ModuleManifest;
      served: ModuleManifest;
      layout: ModuleLayout;
      block: LayoutBlock;
      name: string;
      position: number;
      inputs: LabelInputs;
    },
  ) {
    const { shipped, served, block, name, position } = input;
    const field = served.fields.find((candidate) => candidate.name === name)!;
    const standard = shipped.fields.find((candidate) => candidate.name === name)!;
    const essential = essentialReason(shipped, field);
    return {
      name,
      anchor: `field-${name}`,
      labelAction: `/admin/layout/${shipped.name}/fields/${name}/label`,
      label: translate(locale, field.label),
      standardLabel: field.custom ? undefined : this.standardLabel(standard.label),
      internalName: field.custom ? name : undefined,
      // Only custom fields can be deleted, because the module's code reads its standard fields.
      deleteHref: field.custom ? `/admin/layout/${shipped.name}/fields/${name}/delete` : undefined,
      type: typeLabel(locale, field),
      mandatory: Boolean(field.required),
      // A locked field stays mandatory, and a field that forms never write cannot be asked for.
      mandatoryToggle: !essential && visibilityOf(field) === 'editable',
      // The name field links each row of the list to its record, so it is always a column.
      listColumn: Boolean(field.listColumn) || name === shipped.nameField,
      listColumnToggle: name !== shipped.nameField,
      visibility: translate(locale, `layout.visibility.${visibilityOf(field)}`),
      essential: essential ? translate(locale, essential) : undefined,
      propertiesHref:
        visibilityOf(field) === 'editable' ? `/admin/layout/${shipped.name}/fields/${name}` : undefined,
      propertyBadges: [
        field.defaultValue !== undefined ? 'layout.badges.defaultValue' : undefined,
        field.helpText ? 'layout.badges.helpText' : undefined,
        field.readOnlyForAll ? 'layout.badges.readOnly' : undefined,
        field.quickCreate ? 'layout.badges.quickCreate' : undefined,
      ]
        .filter((key): key is string => key !== undefined)
        .map((key) => translate(locale, key)),
      movable: true,
      first: position === 0,
      last: position === block.fields.length - 1,
      targets: input.layout.blocks
        .filter((other) => other !== block)
        .map((other) => ({
          name: other.name,
          label: translate(locale, served.blocks.find((candidate) => candidate.name === other.name)!.label),
        })),
      ...input.inputs,
    };
  }

  /** Builds the row of an audit field, which every record has and the layout does not move or relabel. */
  private auditFieldRow(locale: Locale, field: FieldDefinition) {
    return {
      name: field.name,
      anchor: `field-${field.name}`,
      label: translate(locale, field.label),
      type: translate(locale, `layout.types.${field.type}`),
      mandatory: false,
      listColumn: false,
      visibility: translate(locale, 'layout.visibility.system'),
      essential: translate(locale, 'layout.essential.audit'),
      movable: false,
      error: undefined,
      actionError: undefined,
      errorTarget: undefined,
    };
  }

  /** Returns the catalogue label in every language, such as "Amount / Importo", or undefined for an added block. */
  private standardLabel(key: string | undefined): string | undefined {
    if (!key) return undefined;
    return LOCALES.map((locale) => translate(locale, key)).join(' / ');
  }
}

/** Returns where a field is shown, as the key under `layout.visibility`. */
function visibilityOf(field: FieldDefinition): string {
  if (field.computed) return 'computed';
  if (field.system) return 'system';
  if (field.readOnly) return 'readOnly';
  return 'editable';
}

/** Returns the name of a field's type, with the decimal places of a decimal field, which cannot change. */
function typeLabel(locale: Locale, field: FieldDefinition): string {
  const type = translate(locale, `layout.types.${field.type}`);
  if (field.decimalPlaces === undefined) return type;
  return translate(locale, 'layout.typeWithPlaces', { type, count: field.decimalPlaces });
}
