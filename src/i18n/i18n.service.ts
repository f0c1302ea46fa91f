import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { i18n as I18nInstance } from 'i18next';
import { PROJECT_ROOT } from '../paths.js';
import { Decimal } from 'decimal.js';
import { formatDecimal, Locale, LOCALES } from '../records/values.js';

type Catalogue = Record<string, unknown>;

function readCatalogue(locale: Locale): Catalogue {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'i18n', `${locale}.json`), 'utf8')) as Catalogue;
}

/** Creates the process's i18next instance, loaded synchronously from the JSON catalogues. */
function createInstance(): I18nInstance {
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: LOCALES,
    resources: Object.fromEntries(LOCALES.map((locale) => [locale, { translation: readCatalogue(locale) }])),
    // Handlebars escapes the translated text when it is put into a page, so i18next must not escape too.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  // `{{count, integer}}` groups the digits as the language does: 1,234,567 in English, 1.234.567 in Italian.
  // A value that is not a whole number is shown as it is.
  instance.services.formatter?.add('integer', (value: unknown, lng: string | undefined) => {
    const text = String(value);
    return /^-?\d+$/.test(text) ? formatDecimal(new Decimal(text), toLocale(lng), 0) : text;
  });
  return instance;
}

const instance = createInstance();

/**
 * Prefix of a label that an administrator wrote in the Layout Editor. Catalogue keys never contain a
 * space, so no key can start with it.
 */
const CUSTOM_LABEL_PREFIX = 'custom label ';

/** The texts of an administrator's label, by locale. */
export type LabelTexts = Partial<Record<Locale, string>>;

interface CustomLabel {
  texts: LabelTexts;
  /** The catalogue key shown when no text is given at all. */
  key?: string;
}

/**
 * Encodes an administrator's label so that it passes, as a field's or block's `label`, through every
 * `translate()` call that a catalogue key passes through. `key` is the catalogue label it replaces.
 */
export function customLabel(texts: LabelTexts, key?: string): string {
  return CUSTOM_LABEL_PREFIX + JSON.stringify({ texts, key } satisfies CustomLabel);
}

/** Decodes a label made by customLabel(), or returns undefined for a catalogue key. */
export function readCustomLabel(label: string): CustomLabel | undefined {
  if (!label.startsWith(CUSTOM_LABEL_PREFIX)) return undefined;
  return JSON.parse(label.slice(CUSTOM_LABEL_PREFIX.length)) as CustomLabel;
}

/**
 * Returns the text of an administrator's label in the locale. A label given in one language only is shown
 * in every language, because a new label often changes what the field means.
 */
function customLabelText(locale: Locale, label: CustomLabel): string {
  const text = label.texts[locale] ?? LOCALES.map((other) => label.texts[other]).find(Boolean);
  if (text) return text;
  return label.key ? translate(locale, label.key) : '';
}

/**
 * Translates a catalogue key, or returns the text of a label made by customLabel(). A missing key shows
 * as the key itself, so it is noticed and not hidden.
 */
export function translate(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const custom = readCustomLabel(key);
  if (custom) return customLabelText(locale, custom);
  return instance.t(key, { lng: locale, ...params });
}

export function hasTranslation(locale: Locale, key: string): boolean {
  return instance.exists(key, { lng: locale, fallbackLng: false });
}

export function toLocale(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : 'en';
}
