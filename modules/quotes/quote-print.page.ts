import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import hbs from 'hbs';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { CompanySettings, CompanySettingsService } from '../../src/company/company-settings.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { RecordViews } from '../../src/records/record-views.js';
import { formatDate, Locale } from '../../src/records/values.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { QuoteDetailPage } from './quote-detail.page.js';

/** The print page's stylesheet, which the PDF carries inline because its browser fetches nothing. */
const PRINT_STYLESHEET = join(PROJECT_ROOT, 'public', 'css', 'quote-print.css');

/** The view and layout of the print page, under modules/. */
export const PRINT_VIEW = 'quotes/views/print';
export const PRINT_LAYOUT = 'quotes/views/layouts/print';

/** The print page's offer of a PDF: a link, or the hint to save one from the browser's print dialog. */
export type PdfOffer = { href: string } | { hint: string };

/** One labelled value of the quote's heading. */
interface HeadingValue {
  label: string;
  text: string;
}

/**
 * Builds the printable page of a quote: the company from the company settings, the quote's heading, the
 * customer, the lines and totals of the detail page, the terms and the description. Fields hidden by the
 * user's profile are left out.
 */
@Injectable()
export class QuotePrintPage {
  private stylesheet: string | undefined;

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly views: RecordViews,
    private readonly companySettings: CompanySettingsService,
    private readonly detail: QuoteDetailPage,
  ) {}

  /**
   * Builds the page's model. `inlineStyles` puts the stylesheet in the page for the PDF's browser, which
   * fetches nothing. The page served to users links the stylesheet instead, because the CSP forbids inline styles.
   */
  async model(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
    options: { pdf: PdfOffer; inlineStyles: boolean },
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const text = await this.fieldTexts(user, record, permissions);
    const number = text('quote_no');
    const company = await this.companySettings.get();

    return {
      layout: PRINT_LAYOUT,
      titleText:
        [number, text('subject')].filter(Boolean).join(' · ') || translate(locale, 'quotes.singular'),
      styles: options.inlineStyles ? new hbs.handlebars.SafeString(this.readStylesheet()) : undefined,
      company: companyModel(company, locale),
      companyMissing: !company.configured,
      companyHref: user.isAdmin ? '/admin/company' : undefined,
      number,
      subject: text('subject'),
      heading: [
        this.value(locale, 'quotes.print.date', savedOn(record, locale)),
        // The stage is the seller's own bookkeeping, so the customer's copy leaves it out.
        this.labelled(locale, 'valid_until', text),
      ].filter((value): value is HeadingValue => value !== undefined),
      customer: {
        account: text('account_id'),
        contact: text('contact_id'),
        billing: addressLines('bill', text),
        shipping: addressLines('ship', text),
      },
      document: await this.detail.document(user, record, permissions),
      terms: text('terms_conditions'),
      description: text('description'),
      backHref: `/quotes/${record.id}`,
      pdf: options.pdf,
    };
  }

  /** Returns the PDF's file name: the quote's number with anything but letters, digits, - and _ removed. */
  fileName(record: StoredRecord): string {
    const number = typeof record.values.quote_no === 'string' ? record.values.quote_no : '';
    const safe = number.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 60);
    return `${safe || `quote-${record.id}`}.pdf`;
  }

  /** Returns a function that gives a field's text as the detail page shows it, or '' when the profile hides it. */
  private async fieldTexts(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<(name: string) => string> {
    const manifest = this.registry.get('quotes');
    const names = await this.records.linkNames(manifest, [record], user);
    return (name: string) => {
      const field = this.registry.field('quotes', name);
      if (!field || permissions.isHidden('quotes', field)) return '';
      return this.views.displayCell(field, record.values[name] ?? null, names, user.locale).text;
    };
  }

  private labelled(locale: Locale, name: string, text: (name: string) => string): HeadingValue | undefined {
    return this.value(locale, `quotes.fields.${name}`, text(name));
  }

  private value(locale: Locale, label: string, text: string): HeadingValue | undefined {
    return text === '' ? undefined : { label: translate(locale, label), text };
  }

  private readStylesheet(): string {
    this.stylesheet ??= readFileSync(PRINT_STYLESHEET, 'utf8');
    return this.stylesheet;
  }
}

/** Returns the day the quote was last saved (UTC), in the locale's format, or '' when it is unknown. */
function savedOn(record: StoredRecord, locale: Locale): string {
  const savedAt = record.values.updated_at;
  return typeof savedAt === 'string' ? formatDate(savedAt.slice(0, 10), locale) : '';
}

/** Lays out the company as a letterhead: name, address lines, then the tax numbers and contacts. */
function companyModel(company: CompanySettings, locale: Locale) {
  const place = [company.postalCode, company.city, company.province ? `(${company.province})` : '']
    .filter(Boolean)
    .join(' ');
  const labelled = (key: string, value: string) =>
    value === '' ? undefined : `${translate(locale, `company.fields.${key}`)}: ${value}`;
  return {
    name: company.name,
    address: [...company.street.split(/\r?\n/), place, company.country].filter((line) => line.trim() !== ''),
    details: [
      labelled('vatNumber', company.vatNumber),
      labelled('taxCode', company.taxCode),
      labelled('phone', company.phone),
      labelled('email', company.email),
      company.website || undefined,
    ].filter((line): line is string => line !== undefined),
  };
}

/** Lays out one of the quote's addresses as lines: street, PO box, postal code and city with state, country. */
function addressLines(side: 'bill' | 'ship', text: (name: string) => string): string[] {
  const part = (name: string) => text(`${side}_${name}`);
  const state = part('state');
  const place = [part('code'), part('city'), state ? `(${state})` : ''].filter(Boolean).join(' ');
  return [...part('street').split(/\r?\n/), part('po_box'), place, part('country')].filter(
    (line) => line.trim() !== '',
  );
}
