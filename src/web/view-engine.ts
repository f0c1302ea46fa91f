import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import hbs from 'hbs';
import type { HelperOptions } from 'handlebars';
import { NestExpressApplication } from '@nestjs/platform-express';
import { translate, toLocale } from '../i18n/i18n.service.js';
import { PROJECT_ROOT } from '../paths.js';

let helpersRegistered = false;

function registerHelpers(): void {
  hbs.registerHelper('t', function (this: unknown, key: string, options: HelperOptions) {
    const data = options.data as { root?: { locale?: string } } | undefined;
    const root = data?.root;
    return translate(toLocale(root?.locale), key, options.hash as Record<string, unknown>);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('describedBy', describedBy);
}

/** The texts a form field's partial may show under the input, each with an id made from the field's name. */
interface DescribedField {
  name: string;
  readOnly?: boolean;
  hint?: string;
  help?: string;
  note?: string;
  error?: string;
}

/**
 * Returns the ids for a field's aria-describedby, in the order its texts follow the input, or '' when it
 * has none. A read-only field shows its reason instead of the input hint.
 */
export function describedBy(field: DescribedField): string {
  const { name } = field;
  return [
    field.readOnly ? `readonly-${name}` : undefined,
    field.hint && !field.readOnly ? `hint-${name}` : undefined,
    field.help ? `help-${name}` : undefined,
    field.note ? `note-${name}` : undefined,
    field.error ? `error-${name}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Registers every file of views/partials as a partial named after the file, and every file of
 * modules/<module>/views/partials as `<module>-<file>`.
 */
function registerPartials(): void {
  registerPartialsOf(join(PROJECT_ROOT, 'views', 'partials'), '');
  const modules = join(PROJECT_ROOT, 'modules');
  for (const module of readdirSync(modules, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const folder = join(modules, module.name, 'views', 'partials');
    if (existsSync(folder)) registerPartialsOf(folder, `${module.name}-`);
  }
}

function registerPartialsOf(folder: string, prefix: string): void {
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.hbs'))) {
    hbs.registerPartial(prefix + basename(file, '.hbs'), readFileSync(join(folder, file), 'utf8'));
  }
}

/** Sets up Handlebars: views/ for shared pages, modules/ for a module's own views. */
export function configureViews(app: NestExpressApplication): void {
  if (!helpersRegistered) {
    registerHelpers();
    helpersRegistered = true;
  }
  registerPartials();
  app.setBaseViewsDir([join(PROJECT_ROOT, 'views'), join(PROJECT_ROOT, 'modules')]);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
}
