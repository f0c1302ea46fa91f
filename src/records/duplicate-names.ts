import { translate } from '../i18n/i18n.service.js';
import { DuplicateMatch } from './duplicate-finder.service.js';
import { ModuleManifest } from './manifest.js';
import { Locale } from './values.js';

/** Names a record that a duplicate check found: its name, its module and its number, such as "Rossi (Contact, CON3)". */
export function duplicateName(locale: Locale, manifest: ModuleManifest, match: DuplicateMatch): string {
  const module = translate(locale, manifest.singularLabel);
  return match.number
    ? translate(locale, 'duplicates.recordWithNumber', { name: match.name, module, number: match.number })
    : translate(locale, 'duplicates.record', { name: match.name, module });
}
