import { Injectable } from '@nestjs/common';
import { CurrentUser } from '../access/current-user.js';
import { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { UsersService } from '../users/users.service.js';
import {
  FieldValue,
  formatForDisplay,
  formatForInput,
  groupOwner,
  ownerGroupId,
  readOwner,
} from './field-codec.js';
import { GroupsService } from '../groups/groups.service.js';
import { FieldDefinition, ModuleManifest } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { MULTI_VALUE_DELIMITER } from './multi-values.js';
import { PicklistSet, PicklistsService } from './picklists.service.js';
import { FieldErrors } from './record-validation.js';
import { LinkNames, RecordsService, linkedNameOf, StoredRecord } from './records.service.js';
import { formatDate, Locale } from './values.js';
import { readCheckbox } from './value-types.js';

/** The example in a date field's hint. Its day is above 12, so the order of day and month is plain. */
const DATE_HINT_EXAMPLE = '2027-06-30';

/** Above this many visible records a link field is a text box for the name instead of a drop-down. */
const MAX_SELECT_OPTIONS = 300;

export interface DisplayCell {
  text: string;
  href?: string;
  /** The value is an http(s) address to show as an external link. */
  external?: boolean;
  multiline?: boolean;
}

export interface SelectOption {
  value: string;
  label: string;
  selected: boolean;
}

/** Options shown under a heading in a drop-down (an <optgroup>): the users, then the groups. */
export interface OptionSection {
  label: string;
  options: SelectOption[];
}

export interface FormField {
  name: string;
  label: string;
  kind: 'text' | 'textarea' | 'select' | 'checkboxes' | 'email' | 'url' | 'tel' | 'number' | 'checkbox';
  value: string;
  required: boolean;
  error?: string;
  options?: SelectOption[];
  /** Options under headings, after `options`. */
  optionSections?: OptionSection[];
  hint?: string;
  /** The administrator's help text for the field, shown under it. */
  help?: string;
  inputMode?: string;
  /** The user's profile lets them see the value but not change it: shown disabled, never submitted. */
  readOnly?: boolean;
  /** The value as the disabled box of a read-only field shows it (a select's option label). */
  displayValue?: string;
  /** Checkboxes: the box is ticked. */
  checked?: boolean;
  /** Why the field cannot be changed: the profile's reason, or the Layout Editor's for everybody. */
  readOnlyHint?: string;
  /** A module's note on the field's value in this record, shown under it (see RecordPagesController.fieldNotes). */
  note?: string;
}

/** The record that an edit form changes, with the names of the records it links to. */
export interface StoredLinks {
  record: StoredRecord;
  names: LinkNames;
}

/** Builds what list, detail and form templates show, from the field registry and the user's locale. */
@Injectable()
export class RecordViews {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly picklists: PicklistsService,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
  ) {}

  /**
   * The users and groups an owner drop-down offers: those the user may assign records to, or for a filter
   * every active user and every group.
   */
  async ownerChoices(
    user: CurrentUser,
    purpose: 'assign' | 'filter',
    selected: string,
  ): Promise<OptionSection[]> {
    const [users, groups] =
      purpose === 'assign'
        ? await Promise.all([this.users.listAssignable(user), this.groups.listAssignable(user)])
        : await Promise.all([this.users.listActive(), this.groups.all()]);
    const option = (value: string, label: string) => ({ value, label, selected: value === selected });
    const sections = [
      {
        label: translate(user.locale, 'groups.usersHeading'),
        options: users.map((u) => option(String(u.id), u.fullName)),
      },
      {
        label: translate(user.locale, 'groups.title'),
        options: groups.map((g) => option(groupOwner(g.id), g.name)),
      },
    ];
    return sections.filter((section) => section.options.length > 0);
  }

  /**
   * Formats a stored value as a page shows it. A linked record gets a link only when the user may open its
   * page, so that no link leads to "not found" or "not allowed". Otherwise its name is plain text.
   */
  displayCell(field: FieldDefinition, value: FieldValue, names: LinkNames, locale: Locale): DisplayCell {
    if (value === null || value === undefined) return { text: '' };

    if (field.type === 'link' || field.type === 'user' || field.type === 'owner') {
      const linked = linkedNameOf(field, value, names);
      const text = linked?.name ?? `#${String(value)}`;
      return field.type === 'link' && linked?.openable
        ? { text, href: `/${field.link!}/${String(value)}` }
        : { text };
    }
    if (field.type === 'picklist') return { text: this.picklistLabel(field, value as string, locale) };
    if (field.type === 'url') {
      const text = value as string;
      return /^https?:\/\//i.test(text) ? { text, href: text, external: true } : { text };
    }
    if (field.type === 'email') return { text: value as string, href: `mailto:${value as string}` };
    return { text: formatForDisplay(field, value, locale), multiline: field.type === 'textarea' };
  }

  /** Returns the name of a user or group given as an owner value (a user's id or `group:<id>`), if there is one. */
  async ownerName(raw: string): Promise<string | undefined> {
    const owner = readOwner(raw);
    if (owner === undefined) return undefined;
    const groupId = ownerGroupId(owner);
    if (groupId !== undefined) return (await this.groups.get(groupId).catch(() => undefined))?.name;
    return (await this.users.get(owner as number).catch(() => undefined))?.fullName;
  }

  /** Picklist values are data, shown as stored unless the catalogue translates the standard ones. */
  private picklistLabel(_field: FieldDefinition, value: string, _locale: Locale): string {
    return value;
  }

  errorMessage(locale: Locale, error: { code: string; params?: Record<string, string | number> }): string {
    return translate(locale, `errors.field.${error.code}`, error.params ?? {});
  }

  /**
   * The form fields of every block, with typed values kept and each error beside its field. Fields the
   * user's profile hides are left out; read-only ones are shown disabled. An edit form passes the stored
   * record, so that each link field keeps its linked record among the choices. `shown` limits the fields,
   * for the quick create form.
   */
  async formBlocks(
    manifest: ModuleManifest,
    user: CurrentUser,
    values: Record<string, string>,
    errors: FieldErrors,
    permissions: UserPermissions,
    options: { stored?: StoredLinks; shown?: (field: FieldDefinition) => boolean } = {},
  ): Promise<{ label: string; fields: FormField[] }[]> {
    const locale = user.locale;
    const { stored, shown = () => true } = options;
    const picklists = await this.picklists.forModule(manifest.name);
    const writable = permissions
      .visible(manifest.name, this.registry.writableFields(manifest.name))
      .filter(shown);

    const blocks: { label: string; fields: FormField[] }[] = [];
    for (const block of manifest.blocks) {
      const fields: FormField[] = [];
      for (const field of writable.filter((f) => f.block === block.name)) {
        const formField = await this.formField(field, user, values[field.name] ?? '', errors, picklists);
        if (stored) keepStoredLink(formField, field, stored);
        if (permissions.isReadOnly(manifest.name, field)) {
          formField.readOnly = true;
          formField.readOnlyHint = translate(
            locale,
            field.readOnlyForAll ? 'form.readOnlyForAllHint' : 'profiles.readOnlyHint',
          );
          const options = [
            ...(formField.options ?? []),
            ...(formField.optionSections ?? []).flatMap((section) => section.options),
          ];
          const selected = options.filter((option) => option.selected && option.value !== '');
          formField.displayValue =
            formField.kind === 'checkboxes'
              ? selected.map((option) => option.label).join(', ')
              : (selected[0]?.label ?? formField.displayValue ?? formField.value);
        }
        fields.push(formField);
      }
      if (fields.length > 0) blocks.push({ label: translate(locale, block.label), fields });
    }
    return blocks;
  }

  /** One field of a form, with its typed value and its error. */
  async formField(
    field: FieldDefinition,
    user: CurrentUser,
    value: string,
    errors: FieldErrors,
    picklists: PicklistSet,
  ): Promise<FormField> {
    const locale = user.locale;
    const base: FormField = {
      name: field.name,
      label: translate(locale, field.label),
      kind: 'text',
      value,
      required: Boolean(field.required),
      error: errors[field.name] ? this.errorMessage(locale, errors[field.name]) : undefined,
      help: field.helpText ? translate(locale, field.helpText) : undefined,
    };

    switch (field.type) {
      case 'textarea':
        return { ...base, kind: 'textarea' };
      case 'date':
        // A text box rather than <input type="date">, because Chromium (156) sends an impossible date
        // such as 02/30/2027 as an empty value, so the user would read "required" and lose what they
        // typed. The box takes the date in the user's locale, as pages show it.
        return {
          ...base,
          hint: translate(locale, 'form.dateHint', { example: formatDate(DATE_HINT_EXAMPLE, locale) }),
        };
      case 'email':
        return { ...base, kind: 'email' };
      case 'url':
        return { ...base, kind: 'url', hint: translate(locale, 'form.urlHint') };
      case 'phone':
        return { ...base, kind: 'tel' };
      case 'currency':
        return { ...base, inputMode: 'decimal', hint: translate(locale, 'form.moneyHint') };
      case 'integer':
      case 'percent':
        return { ...base, inputMode: 'numeric' };
      case 'decimal': {
        const count = field.decimalPlaces ?? 0;
        const hint = count === 0 ? 'form.wholeNumberHint' : 'form.decimalHint';
        return {
          ...base,
          inputMode: count === 0 ? 'numeric' : 'decimal',
          hint: translate(locale, hint, { count }),
        };
      }
      case 'time':
        return { ...base, hint: translate(locale, 'form.timeHint') };
      case 'checkbox': {
        // A stored record and a submitted form both give "1" for a ticked box and "0" for an unticked one.
        const checked = readCheckbox(value) === true;
        const displayValue = translate(locale, checked ? 'common.yes' : 'common.no');
        return { ...base, kind: 'checkbox', checked, displayValue };
      }
      case 'picklist':
        return {
          ...base,
          kind: 'select',
          options: this.options(
            picklists.values(field.name).map((e) => e.value),
            value,
          ),
        };
      case 'multipicklist':
        return {
          ...base,
          kind: 'checkboxes',
          options: this.checkboxOptions(
            picklists.values(field.name).map((e) => e.value),
            value,
          ),
        };
      case 'user': {
        const users = await this.users.listAssignable(user);
        return {
          ...base,
          kind: 'select',
          options: this.idOptions(
            users.map((u) => ({ id: u.id, name: u.fullName })),
            value,
          ),
        };
      }
      case 'owner':
        return {
          ...base,
          kind: 'select',
          options: [{ value: '', label: '', selected: value === '' }],
          optionSections: await this.ownerChoices(user, 'assign', value),
        };
      case 'link': {
        const targets = await this.records.options(field.link!, user, MAX_SELECT_OPTIONS);
        if (targets.length > MAX_SELECT_OPTIONS)
          return { ...base, hint: translate(locale, 'form.linkByName') };
        return { ...base, kind: 'select', options: this.idOptions(targets, value) };
      }
      default:
        return base;
    }
  }

  private options(values: string[], selected: string) {
    const known = values.includes(selected) || selected === '' ? [] : [selected];
    return [
      { value: '', label: '', selected: selected === '' },
      ...[...known, ...values].map((value) => ({ value, label: value, selected: value === selected })),
    ];
  }

  /**
   * Builds the checkboxes of a multi-select picklist. `chosen` is the form's text of the field, the values
   * joined with ` |##| `. A chosen value no longer listed is kept as a checked box after the listed ones,
   * as a single picklist keeps it in its drop-down, so the user sees it and unticks it to save the record.
   */
  private checkboxOptions(values: string[], chosen: string): SelectOption[] {
    const selected = chosen
      .split(MULTI_VALUE_DELIMITER)
      .map((value) => value.trim())
      .filter((value) => value !== '');
    const isSelected = (value: string) =>
      selected.some((other) => other.toLowerCase() === value.toLowerCase());
    const unlisted = selected.filter(
      (value) => !values.some((listed) => listed.toLowerCase() === value.toLowerCase()),
    );
    return [...values, ...unlisted].map((value) => ({ value, label: value, selected: isSelected(value) }));
  }

  private idOptions(targets: { id: number; name: string }[], selected: string) {
    return [
      { value: '', label: '', selected: selected === '' },
      ...targets.map((target) => ({
        value: String(target.id),
        label: target.name,
        selected: String(target.id) === selected,
      })),
    ];
  }

  /** Formats the stored values as a form shows them for editing. */
  inputValues(manifest: ModuleManifest, record: StoredRecord, locale: Locale): Record<string, string> {
    const values: Record<string, string> = {};
    for (const field of this.registry.writableFields(manifest.name)) {
      values[field.name] = formatForInput(field, record.values[field.name] ?? null, locale);
    }
    return values;
  }
}

/**
 * Adds the stored target of a link or user field to its choices when the picker leaves it out, because the
 * user may not see that record or its module, or the linked user was deactivated. The form then shows its
 * name, and saving the form keeps the link. Only the stored target is added, never an id from the request,
 * so the form reveals no other record's name.
 */
function keepStoredLink(formField: FormField, field: FieldDefinition, stored: StoredLinks): void {
  const id = stored.record.values[field.name];
  if (field.type !== 'link' && field.type !== 'user') return;
  if (typeof id !== 'number' || !formField.options) return;
  if (formField.options.some((option) => option.value === String(id))) return;

  const name = stored.names.get(field.type === 'user' ? 'users' : field.link!)?.get(id)?.name ?? `#${id}`;
  // After the empty choice, which always comes first.
  formField.options.splice(1, 0, {
    value: String(id),
    label: name,
    selected: formField.value === String(id),
  });
}
