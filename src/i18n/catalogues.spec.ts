import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { translate } from './i18n.service.js';

type Catalogue = Map<string, unknown>;

/** Reads a catalogue as dotted keys (`errors.field.required`) mapped to their values. */
function readCatalogue(locale: 'en' | 'it'): Catalogue {
  const tree = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'src', 'i18n', `${locale}.json`), 'utf8'),
  ) as unknown;
  const entries = new Map<string, unknown>();
  const walk = (node: unknown, prefix: string) => {
    if (typeof node !== 'object' || node === null) {
      entries.set(prefix, node);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, prefix ? `${prefix}.${key}` : key);
  };
  walk(tree, '');
  return entries;
}

/** Plural suffixes: i18next picks the key whose suffix is the Intl.PluralRules category of the count. */
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Strips the plural suffix, so that `list.count_one` and `list.count_many` become one key. */
function baseKey(key: string): string {
  return key.replace(PLURAL_SUFFIX, '');
}

/**
 * Lists the placeholders of a value with their format (`count, integer`), sorted, so that two values can be
 * compared.
 */
function placeholders(value: string): string[] {
  return [...value.matchAll(/\{\{([^}]+)\}\}/g)]
    .map((match) =>
      match[1]
        .split(',')
        .map((part) => part.trim())
        .join(', '),
    )
    .sort();
}

/**
 * Words that are the same in Italian as in English, compared in lower case and without placeholders. They
 * are terms Italian software keeps in English, the language names, each written in its own language, and
 * the names of character encodings.
 */
const SAME_IN_ITALIAN = new Set([
  'pipeline',
  'email',
  'password',
  'record',
  'lead',
  'no',
  'english',
  'italiano',
  'utf-8',
  'url',
  'layout',
  'budget',
  'file',
  'byte',
  'kb',
  'mb',
  'menu',
  'commit',
  'influencer',
]);

/** Tells whether an Italian value may equal its English one, as `{{count}} record` or a bare `{{name}}` may. */
function isSameInItalian(value: string): boolean {
  const words = value
    .replace(/\{\{[^}]*\}\}/g, '')
    .trim()
    .toLowerCase();
  return words === '' || SAME_IN_ITALIAN.has(words);
}

describe('i18n catalogues', () => {
  const english = readCatalogue('en');
  const italian = readCatalogue('it');

  it('have the same keys apart from plural forms', () => {
    const enKeys = [...new Set([...english.keys()].map(baseKey))].sort();
    const itKeys = [...new Set([...italian.keys()].map(baseKey))].sort();

    expect(itKeys).toEqual(enKeys);
  });

  it.each([
    ['en', english],
    ['it', italian],
  ] as const)('have every plural form %s needs', (locale, catalogue) => {
    // The ICU data in Node 20 gives Italian a third form, `many` (a million), which English lacks.
    const categories = [...new Intl.PluralRules(locale).resolvedOptions().pluralCategories].sort();
    const families = new Map<string, string[]>();
    for (const key of catalogue.keys()) {
      const suffix = PLURAL_SUFFIX.exec(key)?.[1];
      if (suffix) families.set(baseKey(key), [...(families.get(baseKey(key)) ?? []), suffix]);
    }

    expect(families.size).toBeGreaterThan(0);
    for (const [key, suffixes] of families) {
      expect({ key, forms: suffixes.sort() }).toEqual({ key, forms: categories });
    }
  });

  it('keep the placeholders of each English value', () => {
    for (const [key, value] of italian) {
      // A form English lacks (Italian `many`) is compared with the English `other`.
      const englishKey = english.has(key) ? key : `${baseKey(key)}_other`;

      expect({ key, placeholders: placeholders(String(value)) }).toEqual({
        key,
        placeholders: placeholders(String(english.get(englishKey))),
      });
    }
  });

  it.each([
    ['en', english],
    ['it', italian],
  ] as const)('have no empty value in %s', (_locale, catalogue) => {
    for (const [key, value] of catalogue) {
      expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
      expect({ key, empty: String(value).trim() === '' }).toEqual({ key, empty: false });
    }
  });

  it('translate every English value into Italian', () => {
    const untranslated = [...italian]
      .filter(([key, value]) => value === english.get(key) && !isSameInItalian(String(value)))
      .map(([key, value]) => `${key}: ${String(value)}`);

    expect(untranslated).toEqual([]);
  });

  it('show a count of a million in Italian', () => {
    expect(translate('it', 'list.count', { count: 1000000 })).toBe('1.000.000 record');
    expect(translate('it', 'list.count', { count: 1 })).toBe('1 record');
  });

  it('group the digits of counts', () => {
    expect(translate('en', 'list.count', { count: 1234567 })).toBe('1,234,567 records');
    expect(translate('it', 'list.count', { count: 4238 })).toBe('4.238 record');
  });

  it.each([
    ['en', english],
    ['it', italian],
  ] as const)('format every count in %s', (_locale, catalogue) => {
    const bare = [...catalogue]
      .filter(([, value]) => placeholders(String(value)).includes('count'))
      .map(([key]) => key);

    expect(bare).toEqual([]);
  });
});
