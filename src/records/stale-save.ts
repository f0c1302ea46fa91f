import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { formatForInput, InputFormat } from './field-codec.js';
import { FieldDefinition, ModuleManifest } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { CSV_MULTI_SEPARATOR } from './multi-values.js';
import { FieldErrors, parseSubmission } from './record-validation.js';
import { RecordViews } from './record-views.js';
import { RecordsService, StoredRecord } from './records.service.js';
import { formatDateTime } from './values.js';
import { readCheckbox } from './value-types.js';

/** The hidden form field with the version of the record when its edit form was opened. */
export const OPENED_VERSION_FIELD = '_version';

/**
 * The hidden form field with the form text of each field when the edit form was opened, as JSON. A stale
 * save compares it with the stored values and the submitted ones, to tell who changed which field.
 */
export const OPENED_VALUES_FIELD = '_opened';

/** The version and form texts an edit form was opened with, which it carries in hidden fields. */
export interface OpenedForm {
  version: number;
  values: Record<string, string>;
}

/** Reads the version a form was opened with, or undefined for a post without one (an API-like post). */
export function openedVersionOf(body: Record<string, unknown>): number | undefined {
  const raw = body[OPENED_VERSION_FIELD];
  return typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : undefined;
}

/** Reads the hidden fields of a posted edit form, so that a form shown again keeps what it was opened with. */
export function openedFormOf(body: Record<string, unknown>): OpenedForm | undefined {
  const version = openedVersionOf(body);
  if (version === undefined) return undefined;
  return { version, values: openedValuesOf(body) };
}

/** Returns the hidden form fields of an opened form for the form template, with the values of `shown` only. */
export function openedFormInputs(
  opened: OpenedForm,
  shown: ReadonlySet<string>,
): { version: string; values: string } {
  const values = Object.fromEntries(Object.entries(opened.values).filter(([name]) => shown.has(name)));
  return { version: String(opened.version), values: JSON.stringify(values) };
}

/** Reads the opened form texts. A value that is not an object of strings counts as unknown (empty). */
function openedValuesOf(body: Record<string, unknown>): Record<string, string> {
  const raw = body[OPENED_VALUES_FIELD];
  if (typeof raw !== 'string') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>))
    if (typeof value === 'string') values[name] = value;
  return values;
}

/** The side that changed a field since the form was opened: the other user, this user, or both. */
export type ChangeSide = 'theirs' | 'yours' | 'both';

/** One field of the conflict table, with its three values as the page shows them. */
export interface ConflictRow {
  name: string;
  label: string;
  opened: string;
  current: string;
  yours: string;
  side: ChangeSide;
  note: string;
}

/** The page of a stale save: the comparison, and the review form's values, errors and version. */
export interface StaleSaveView {
  conflict: {
    intro: string;
    currentHeading: string;
    rows: ConflictRow[];
    discardHref: string;
  };
  review: { opened: OpenedForm; values: Record<string, string>; errors: FieldErrors };
}

/**
 * Builds the page of a save made on an out-of-date edit form: the fields whose stored value differs from
 * the submitted one, each with the value when the form was opened, the stored one and the submitted one.
 * The review form starts from the stored values, takes the submitted value of each field that only this
 * user changed, and marks each field that both users changed.
 * NOTE: a module's own form sections, such as a quote's lines, are not compared. The review form shows
 * them as this user submitted them, and the page only notes it (`staleSave.sectionsNotCompared`).
 */
@Injectable()
export class StaleSavePage {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly views: RecordViews,
  ) {}

  async build(input: {
    manifest: ModuleManifest;
    user: CurrentUser;
    permissions: UserPermissions;
    body: Record<string, unknown>;
    format: InputFormat;
    current: StoredRecord;
  }): Promise<StaleSaveView> {
    const { manifest, user, permissions, body, format, current } = input;
    const locale = user.locale;
    const fields = permissions.visible(manifest.name, this.registry.writableFields(manifest.name));
    const currentTexts = this.views.inputValues(manifest, current, locale);
    const opened = openedValuesOf(body);
    const yours = this.submittedTexts(manifest, fields, body, format, permissions, locale);

    const rows: ConflictRow[] = [];
    const reviewValues = { ...currentTexts };
    const reviewErrors: FieldErrors = {};
    for (const field of fields) {
      const currentText = currentTexts[field.name] ?? '';
      // A field the form did not show, or an opened form without its values, counts as unchanged by this user.
      const openedText = opened[field.name] ?? yours[field.name] ?? currentText;
      const yourText = yours[field.name] ?? openedText;
      if (same(yourText, currentText)) continue;

      const side = changeSide(openedText, currentText, yourText);
      const yourDisplay = await this.display(manifest, field, yourText, current, user);
      if (side === 'yours') reviewValues[field.name] = yourText;
      if (side === 'both')
        reviewErrors[field.name] = { code: 'changedMeanwhile', params: { value: yourDisplay } };
      rows.push({
        name: field.name,
        label: translate(locale, field.label),
        opened: await this.display(manifest, field, openedText, current, user),
        current: await this.display(manifest, field, currentText, current, user),
        yours: yourDisplay,
        side,
        note: translate(locale, `staleSave.side.${side}`),
      });
    }

    const changedBy = await this.changedBy(current, user);
    return {
      conflict: {
        intro: translate(locale, 'staleSave.intro', changedBy),
        currentHeading: translate(locale, 'staleSave.currentHeading', changedBy),
        rows,
        discardHref: `/${manifest.name}/${current.id}`,
      },
      review: {
        opened: { version: current.version ?? 1, values: currentTexts },
        values: reviewValues,
        errors: reviewErrors,
      },
    };
  }

  /**
   * Returns the submitted form text of each field the user may change, in the form the stored values take
   * (so that "1000" and "1,000.00" compare equal). A value that does not parse keeps the text typed.
   */
  private submittedTexts(
    manifest: ModuleManifest,
    fields: FieldDefinition[],
    body: Record<string, unknown>,
    format: InputFormat,
    permissions: UserPermissions,
    locale: CurrentUser['locale'],
  ): Record<string, string> {
    const changeable = fields.filter((field) => !permissions.isReadOnly(manifest.name, field));
    const input: Record<string, unknown> = {};
    for (const field of changeable) if (field.name in body) input[field.name] = body[field.name];
    const { values, errors } = parseSubmission(changeable, input, format);

    const texts: Record<string, string> = {};
    for (const field of changeable) {
      if (!(field.name in input)) continue;
      const raw = input[field.name];
      texts[field.name] = errors[field.name]
        ? (lastText(raw) ?? '')
        : formatForInput(field, values[field.name] ?? null, locale);
    }
    return texts;
  }

  /**
   * Returns a form text as the conflict table shows it: names for links, users and groups, Yes or No for a
   * checkbox. A linked record is named only when the user may open it or it is the stored link, so that a
   * posted id reveals no other record's name.
   */
  private async display(
    manifest: ModuleManifest,
    field: FieldDefinition,
    text: string,
    current: StoredRecord,
    user: CurrentUser,
  ): Promise<string> {
    const locale = user.locale;
    if (text.trim() === '') return translate(locale, 'staleSave.empty');
    if (field.type === 'checkbox')
      return translate(locale, readCheckbox(text) === true ? 'common.yes' : 'common.no');
    if (field.type === 'multipicklist') return text.split(CSV_MULTI_SEPARATOR).join(', ');
    if (field.type === 'owner' || field.type === 'user') return (await this.views.ownerName(text)) ?? text;
    if (field.type !== 'link' || !/^\d{1,10}$/.test(text)) return text;

    const id = Number(text);
    const names = await this.records.linkNames(
      manifest,
      [{ id: current.id, values: { [field.name]: id } }],
      user,
    );
    const linked = names.get(field.link!)?.get(id);
    const stored = current.values[field.name] === id;
    return linked && (linked.openable || stored) ? linked.name : `#${id}`;
  }

  /** Returns the name of the user who saved the record last and when, for the page's texts. */
  private async changedBy(current: StoredRecord, user: CurrentUser): Promise<{ name: string; when: string }> {
    const modifiedBy = current.values.modified_by_id;
    const name = typeof modifiedBy === 'number' ? await this.views.ownerName(String(modifiedBy)) : undefined;
    const updatedAt = current.values.updated_at;
    return {
      name: name ?? translate(user.locale, 'staleSave.someone'),
      when: typeof updatedAt === 'string' ? formatDateTime(updatedAt, user.locale) : '',
    };
  }
}

function same(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

/** Tells who changed a field whose stored value differs from the submitted one. */
function changeSide(opened: string, current: string, yours: string): ChangeSide {
  if (same(opened, yours)) return 'theirs';
  if (same(opened, current)) return 'yours';
  return 'both';
}

/** Returns the last string of a posted value, which a ticked checkbox sends after its hidden "0". */
function lastText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    const last: unknown = raw[raw.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return undefined;
}
