import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { FieldDefinition } from '../../src/records/manifest.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { FieldErrors } from '../../src/records/record-validation.js';
import { FormField, RecordViews } from '../../src/records/record-views.js';
import {
  ACCOUNT_CHOICE_INPUT,
  ASSIGNEE_INPUT,
  ConversionErrors,
  ConversionForm,
  createInput,
  EXISTING_ACCOUNT_INPUT,
  inputName,
  noErrors,
} from './lead-conversion-form.js';
import { ConversionStart } from './lead-conversion.service.js';
import { CONVERSION_MODULES, ConversionModule } from './lead-field-mapping.js';

/** An entry of the error summary, which links to `#field-<name>`. */
interface SummaryEntry {
  name: string;
  label: string;
  error: string;
}

/** The field that picks an existing account: a drop-down of visible accounts, or a name box when they are many. */
const EXISTING_ACCOUNT_FIELD: FieldDefinition = {
  name: EXISTING_ACCOUNT_INPUT,
  type: 'link',
  link: 'accounts',
  label: 'leads.convert.existingAccount',
  block: 'info',
};

/** Builds the model of the conversion page from the lead, the offer, the form text and its errors. */
@Injectable()
export class LeadConversionPage {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly views: RecordViews,
    private readonly picklists: PicklistsService,
  ) {}

  async model(
    user: CurrentUser,
    start: ConversionStart,
    form: ConversionForm = start.form,
    errors: ConversionErrors = noErrors(),
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const { lead } = start;
    const leadName = [lead.values.first_name, lead.values.last_name].filter(Boolean).join(' ');
    const summary: SummaryEntry[] = [];
    const owner = this.registry.field('leads', ASSIGNEE_INPUT)!;
    const assignee = await this.views.formField(
      { ...owner, label: 'leads.convert.assignee' },
      user,
      form.assignee,
      this.assigneeErrors(errors),
      await this.picklists.forModule('leads'),
    );
    if (assignee.error) summary.push({ name: assignee.name, label: assignee.label, error: assignee.error });

    const sections = [];
    for (const module of CONVERSION_MODULES) {
      const section = await this.section(user, module, start, form, errors, summary);
      if (section) sections.push(section);
    }
    const heading = translate(locale, 'leads.convert.heading', { name: leadName });
    return {
      title: 'leads.convert.title',
      titleText: heading,
      heading,
      module: 'leads',
      moduleLabel: translate(locale, 'leads.plural'),
      leadName,
      leadHref: `/leads/${lead.id}`,
      action: `/leads/${lead.id}/convert`,
      choiceError: errors.choice ? translate(locale, errors.choice) : undefined,
      errorSummaryHeading: translate(locale, 'leads.convert.errorSummary'),
      errorSummary: errors.choice
        ? [
            {
              name: 'choice',
              label: translate(locale, 'leads.convert.choice'),
              error: translate(locale, errors.choice),
            },
            ...summary,
          ]
        : summary,
      assignee,
      sections,
    };
  }

  /** Returns the assignee's error from any target record, because the page has one assignee for all of them. */
  private assigneeErrors(errors: ConversionErrors): FieldErrors {
    for (const fieldErrors of Object.values(errors.targets)) {
      const error = fieldErrors?.[ASSIGNEE_INPUT];
      if (error) return { [ASSIGNEE_INPUT]: error };
    }
    return {};
  }

  /** One section of the page, or undefined when the user may neither create nor choose such a record. */
  private async section(
    user: CurrentUser,
    module: ConversionModule,
    start: ConversionStart,
    form: ConversionForm,
    errors: ConversionErrors,
    summary: SummaryEntry[],
  ) {
    const { offer } = start;
    const existingOffered = module === 'accounts' && offer.existingAccounts;
    if (!offer.creatable[module] && !existingOffered) return undefined;

    const locale = user.locale;
    const manifest = this.registry.get(module);
    const singular = translate(locale, manifest.singularLabel);
    const picklists = await this.picklists.forModule(module);
    const fieldErrors = errors.targets[module] ?? {};
    const fields: FormField[] = [];
    if (offer.creatable[module]) {
      for (const field of offer.fields[module]) {
        const formField = await this.views.formField(
          field,
          user,
          form.values[module][field.name] ?? '',
          fieldErrors,
          picklists,
        );
        fields.push({ ...formField, name: inputName(module, field.name) });
      }
    }

    // Errors of fields the section does not show (a mapped value the target rejects) link to the section.
    for (const [name, error] of Object.entries(fieldErrors)) {
      if (name === ASSIGNEE_INPUT) continue;
      const shown = fields.find((field) => field.name === inputName(module, name));
      const label = translate(locale, this.registry.field(module, name)?.label ?? name);
      summary.push({
        name: shown ? shown.name : module,
        label: `${singular} · ${label}`,
        error: this.views.errorMessage(locale, error),
      });
    }

    return {
      module,
      legend: singular,
      createName: createInput(module),
      createId: `field-${createInput(module)}`,
      createLabel: translate(locale, `leads.convert.create.${module}`),
      createChecked: form.create[module],
      newOffered: offer.creatable[module],
      fields,
      account:
        module === 'accounts' && existingOffered
          ? await this.accountChoice(user, start, form, errors, summary)
          : undefined,
    };
  }

  /** The choice between a new account and an existing one, with the account matching the company first. */
  private async accountChoice(
    user: CurrentUser,
    start: ConversionStart,
    form: ConversionForm,
    errors: ConversionErrors,
    summary: SummaryEntry[],
  ) {
    const locale = user.locale;
    const picker = await this.views.formField(
      EXISTING_ACCOUNT_FIELD,
      user,
      form.existingAccount,
      errors.inputs,
      await this.picklists.forModule('accounts'),
    );
    const { match } = start;
    // A name box shows the matching account by its name, which the conversion looks up like an id.
    if (match && !picker.options && picker.value === String(match.id)) picker.value = match.name;
    if (match && picker.options) {
      const others = picker.options.filter((option) => option.value !== String(match.id));
      const matching = {
        value: String(match.id),
        label: match.name,
        selected: form.existingAccount === String(match.id),
      };
      picker.options = [others[0], matching, ...others.slice(1)];
    }
    if (picker.error)
      summary.push({
        name: picker.name,
        label: `${translate(locale, 'accounts.singular')} · ${picker.label}`,
        error: picker.error,
      });
    return {
      choiceName: ACCOUNT_CHOICE_INPUT,
      newChecked: form.accountChoice === 'new',
      existingChecked: form.accountChoice === 'existing',
      match: match ? translate(locale, 'leads.convert.matchingAccount', { name: match.name }) : undefined,
      picker,
    };
  }
}
