import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import { translate } from '../i18n/i18n.service.js';
import { formatForInput } from '../records/field-codec.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { defaultValueOf } from '../records/record-validation.js';
import { RecordViews } from '../records/record-views.js';
import { LayoutService } from './layout.service.js';
import {
  essentialReason,
  isFormField,
  LayoutError,
  MAX_HELP_TEXT_LENGTH,
  takesDefaultValue,
} from './module-layout.js';

/** The forms of the field properties page, each changing one property. */
export type PropertyForm = 'default' | 'help' | 'readOnly' | 'quickCreate';

/** A change of the field properties page that failed: its form, what was typed into it, and why. */
export interface PropertyFailure {
  form: PropertyForm;
  values?: Record<string, unknown>;
  error: LayoutError;
}

/** Builds the Layout Editor's page of one field's properties. */
@Injectable()
export class FieldPropertiesPages {
  constructor(
    private readonly layouts: LayoutService,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly views: RecordViews,
  ) {}

  async fieldPage(
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    failure?: PropertyFailure,
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const manifest = this.registry.get(moduleName);
    const field = manifest.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new LayoutError('fieldNotFound');
    const entry = (await this.layouts.layout(moduleName)).blocks
      .flatMap((block) => block.fields)
      .find((candidate) => candidate.name === fieldName);
    const properties = entry?.properties ?? {};
    const errorOf = (form: PropertyForm) =>
      failure?.form === form
        ? translate(locale, `layout.errors.${failure.error.code}`, failure.error.params)
        : undefined;
    const typed = (key: string, stored: string) => {
      const value = failure?.values?.[key];
      return failure && typeof value === 'string' ? value : stored;
    };

    const essential = essentialReason(manifest, field);
    const label = translate(locale, field.label);
    const base = `/admin/layout/${moduleName}/fields/${fieldName}`;
    const defaultInput = takesDefaultValue(field)
      ? await this.views.formField(
          { ...field, required: false, helpText: undefined },
          user,
          typed(fieldName, formatForInput(field, defaultValueOf(field), locale)),
          {},
          await this.picklists.forModule(moduleName),
        )
      : undefined;
    const help = { en: properties.helpText?.en ?? '', it: properties.helpText?.it ?? '' };
    const forms = {
      defaultValue: defaultInput && {
        ...defaultInput,
        label: translate(locale, 'layout.properties.defaultValue'),
        error: errorOf('default'),
        action: `${base}/default`,
      },
      helpText: {
        action: `${base}/help`,
        en: typed('help_en', help.en),
        it: typed('help_it', help.it),
        max: MAX_HELP_TEXT_LENGTH,
        error: errorOf('help'),
      },
      readOnly: {
        action: `${base}/read-only`,
        value: Boolean(properties.readOnly),
        offered: !essential,
        locked: Boolean(essential),
        error: errorOf('readOnly'),
      },
      quickCreate: {
        action: `${base}/quick-create`,
        value: Boolean(properties.quickCreate),
        // Mandatory and essential fields are always on the quick create form.
        always: Boolean(field.required || essential),
        error: errorOf('quickCreate'),
      },
    };
    const summary = [
      { target: forms.defaultValue ? `field-${fieldName}` : 'default-title', error: errorOf('default') },
      { target: 'help-en', error: forms.helpText.error },
      { target: 'read-only', error: forms.readOnly.error },
      { target: 'quick-create', error: forms.quickCreate.error },
    ].filter((row) => row.error);

    return {
      title: 'layout.title',
      moduleName,
      moduleLabel: translate(locale, manifest.label),
      moduleHref: `/admin/layout/${moduleName}#field-${fieldName}`,
      fieldLabel: label,
      type: translate(locale, `layout.types.${field.type}`),
      mandatory: Boolean(field.required),
      essential: essential ? translate(locale, essential) : undefined,
      offered: isFormField(field),
      ...forms,
      defaultError: errorOf('default'),
      errorSummary: summary,
    };
  }
}
