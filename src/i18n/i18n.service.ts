import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { i18n as I18nInstance } from 'i18next';
import { PROJECT_ROOT } from '../paths.js';
import { Locale, LOCALES } from '../records/values.js';

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
  return instance;
}

const instance = createInstance();

/** Translates a catalogue key. A missing key shows as the key itself, so it is noticed and not hidden. */
export function translate(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  return instance.t(key, { lng: locale, ...params });
}

export function hasTranslation(locale: Locale, key: string): boolean {
  return instance.exists(key, { lng: locale, fallbackLng: false });
}

export function toLocale(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : 'en';
}
