import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { CompanySettingsService } from '../../src/company/company-settings.service.js';
import { centsToMoney, formatMoney, Locale } from '../../src/records/values.js';
import { QuotePdfService } from '../../modules/quotes/quote-pdf.service.js';
import { QuotePrintPage } from '../../modules/quotes/quote-print.page.js';
import { unescapeHtml } from '../support/csv-import.js';
import { pdfText } from '../support/pdf-text.js';
import { lineFields } from '../support/quotes.js';
import {
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const MODULES = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'];

/** Saves the sharing page with every module public but quotes at the given level. */
const quotesSharing = (admin: Agent, level: string) =>
  setSharing(admin, {
    ...Object.fromEntries(MODULES.map((module) => [module, 'public_read_write_delete'])),
    quotes: level,
  });

const TOTAL_COLUMNS = {
  net_total: 'net_total_cents',
  overall_discount: 'overall_discount_cents',
  taxes_total: 'taxes_total_cents',
  shipping_handling: 'shipping_handling_cents',
  adjustment: 'adjustment_cents',
  grand_total: 'grand_total_cents',
} as const;

const chromiumFound = existsSync('/usr/bin/chromium');
if (!chromiumFound) console.warn('SKIPPED: the PDF tests need Chromium at /usr/bin/chromium');

/** Returns the text of each figure under the lines, by its data-total name, tags removed. */
function totalsOf(html: string): Record<string, string> {
  const rows = [
    ...html.matchAll(
      /<tr class="[^"]*" data-total="([^"]+)"><th scope="row">([^<]*)<\/th><td[^>]*>([^<]*)<\/td>/g,
    ),
  ];
  return Object.fromEntries(rows.map((match) => [match[1], match[3]]));
}

/** Returns a line's cells, tags removed, by its position. */
function lineCells(html: string, position: number): string[] {
  const row = new RegExp(`<tr data-line="${position}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) =>
    match[1].replace(/<[^>]*>/g, '').trim(),
  );
}

/** Returns the tax summary as [tax, rate, taxable amount, tax] rows. */
function taxSummaryOf(html: string): string[][] {
  const table = /<table class="table table-sm quote-tax-summary">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((cell) => cell[1]),
  );
}

describe.each(databaseKinds())('printable quote on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;
  let contact: number;
  let printer: number;
  let toner: number;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  /**
   * Two lines (2 × 100.00 less 10+5 at VAT 22 %, 3 × 30.00 at VAT 10 %), an overall discount of 11.00,
   * shipping of 10.00 at VAT 22 % and an adjustment of −0.82.
   */
  const quoteForm = (more: Record<string, string> = {}) => ({
    subject: 'Printers for the Milan office',
    account_id: String(account),
    contact_id: String(contact),
    quote_stage: 'Delivered',
    valid_until: '06/30/2027',
    tax_mode: 'Individual',
    assigned_user_id: '1',
    terms_conditions: 'Payment within 30 days.\nPrices in euro.',
    description: 'Second floor printers',
    ...lineFields([
      {
        product: String(printer),
        quantity: '2',
        discountKind: 'cascade',
        discount: '10+5',
        comment: 'Floor 2',
      },
      { product: String(toner), quantity: '3' },
    ]),
    pricing_overall_discount_kind: 'amount',
    pricing_overall_discount: '11.00',
    pricing_shipping_amount: '10.00',
    pricing_shipping_tax: 'VAT 22 %',
    pricing_adjustment: '-0.82',
    ...more,
  });

  const createQuote = async (more: Record<string, string> = {}) => {
    const response = await postForm(admin, '/quotes/new', '/quotes', quoteForm(more));
    if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
    return Number(/\/quotes\/(\d+)$/.exec(response.headers.location)![1]);
  };

  /** Returns the quote's stored totals formatted as pages show them in the locale. */
  const storedTotalTexts = async (id: number, locale: Locale) => {
    const [row] = await query<Record<string, string | number>>(
      `SELECT ${Object.values(TOTAL_COLUMNS).join(', ')} FROM quotes WHERE id = ?`,
      [id],
    );
    return Object.fromEntries(
      Object.entries(TOTAL_COLUMNS).map(([name, column]) => [
        name,
        formatMoney(centsToMoney(row[column]), locale),
      ]),
    );
  };

  const saveCompany = async () => {
    const result = await testApp.app.get(CompanySettingsService).save({
      name: 'Ufficio Moderno S.r.l.',
      street: 'Via Dante 7',
      postalCode: '20121',
      city: 'Milano',
      province: 'MI',
      country: 'Italia',
      vatNumber: '12345678903',
      taxCode: '12345678903',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await query('DELETE FROM company_settings');
    account = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi S.p.A.',
      billing_street: 'Via Roma 1',
      billing_city: 'Torino',
      billing_code: '10121',
      billing_state: 'TO',
      billing_country: 'Italia',
    });
    contact = await createRecord(testApp, 'contacts', { first_name: 'Mario', last_name: 'Rossi' });
    printer = await createRecord(testApp, 'products', {
      product_name: 'Laser printer',
      unit_price: '100.00',
      tax_class: 'VAT 22 %',
    });
    toner = await createRecord(testApp, 'products', {
      product_name: 'Toner',
      unit_price: '30.00',
      tax_class: 'VAT 10 %',
    });
  });

  it('print page shows company, customer and terms', async () => {
    await saveCompany();
    const id = await createQuote();
    const response = await admin.get(`/quotes/${id}/print`);
    // Without the white space between tags, so that neighbouring elements can be matched together.
    const html = unescapeHtml(response.text).replace(/>\s+</g, '><');

    expect(response.status).toBe(200);
    expect(html).not.toContain('app-navbar');
    expect(html).toContain('<p class="print-company-name">Ufficio Moderno S.r.l.</p>');
    expect(html).toContain('<p>Via Dante 7</p><p>20121 Milano (MI)</p><p>Italia</p>');
    expect(html).toContain('<p>VAT number: 12345678903</p><p>Tax code: 12345678903</p>');
    expect(html).toContain('<h1>Quote QUO1</h1>');
    expect(html).toContain('<dt>Valid Until</dt><dd>06/30/2027</dd>');
    // The stage is not for the customer's eyes.
    expect(html).not.toContain('Quote Stage');
    expect(html).toContain(
      '<p class="print-account">Rossi S.p.A.</p><p>Via Roma 1</p><p>10121 Torino (TO)</p>',
    );
    expect(html).toContain('<p>Attention: Mario Rossi</p>');
    expect(html).toContain('<p>Payment within 30 days.\nPrices in euro.</p>');
    expect(html).toContain('<p>Second floor printers</p>');
    expect(html).not.toContain('print-warning');
  });

  it('print page totals equal stored totals', async () => {
    const id = await createQuote();
    const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);
    const detail = unescapeHtml((await admin.get(`/quotes/${id}`)).text);
    const stored = await storedTotalTexts(id, 'en');

    expect(stored.grand_total).toBe('€ 306.03');
    for (const page of [html, detail]) {
      const totals = totalsOf(page);
      for (const [name, text] of Object.entries(stored))
        expect({ name, text: totals[name] }).toEqual({ name, text });
      expect(totals.discounted_total).toBe('€ 250.00');
      expect(totals.shipping_tax).toBe('€ 2.20');
    }
  });

  it('lines show discount shares and taxable amounts', async () => {
    const id = await createQuote();

    for (const path of [`/quotes/${id}`, `/quotes/${id}/print`]) {
      const html = unescapeHtml((await admin.get(path)).text);
      // 11.00 spread over nets of 171.00 and 90.00: 7.20 and 3.79 rounded down, the cent left to the larger.
      expect(lineCells(html, 1)).toEqual([
        '1',
        'Laser printerFloor 2',
        '2',
        '€ 100.00',
        '10 % + 5 %',
        '€ 29.00',
        '€ 171.00',
        '€ 7.21',
        '€ 163.79',
        'VAT 22 %',
        '€ 36.03',
      ]);
      expect(lineCells(html, 2)).toEqual([
        '2',
        'Toner',
        '3',
        '€ 30.00',
        '',
        '€ 0.00',
        '€ 90.00',
        '€ 3.79',
        '€ 86.21',
        'VAT 10 %',
        '€ 8.62',
      ]);
    }
  });

  it('tax summary adds up to the taxes total', async () => {
    const id = await createQuote();
    const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);

    // VAT 22 % on 163.79 of the printer and 10.00 of shipping: 36.03 + 2.20.
    expect(taxSummaryOf(html)).toEqual([
      ['VAT 22 %', '22 %', '€ 173.79', '€ 38.23'],
      ['VAT 10 %', '10 %', '€ 86.21', '€ 8.62'],
    ]);
    expect(html).toContain('<td class="text-end">€ 46.85</td></tr></tfoot>');
    expect(totalsOf(html).taxes_total).toBe('€ 46.85');
  });

  it('later tax rate change leaves the print as saved', async () => {
    const id = await createQuote();
    await query("UPDATE taxes SET rate_thousandths = 25000 WHERE name = 'VAT 22 %'");
    await query('UPDATE products SET unit_price_cents = 99900 WHERE id = ?', [printer]);
    try {
      const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);

      expect(lineCells(html, 1)[3]).toBe('€ 100.00');
      expect(lineCells(html, 1)[10]).toBe('€ 36.03');
      expect(totalsOf(html).grand_total).toBe('€ 306.03');
    } finally {
      await query("UPDATE taxes SET rate_thousandths = 22000 WHERE name = 'VAT 22 %'");
    }
  });

  it('group mode summary taxes the discounted total', async () => {
    const id = await createQuote({ tax_mode: 'Group', pricing_group_tax: 'VAT 4 %' });
    const html = unescapeHtml((await admin.get(`/quotes/${id}`)).text);

    // 4 % of 250.00 is 10.00; the shipping keeps its VAT 22 % of 2.20.
    expect(taxSummaryOf(html)).toEqual([
      ['VAT 4 %', '4 %', '€ 250.00', '€ 10.00'],
      ['VAT 22 %', '22 %', '€ 10.00', '€ 2.20'],
    ]);
    // No line carries a tax of its own, so the lines table has no tax columns.
    expect(lineCells(html, 1)).toHaveLength(9);
    expect(totalsOf(html).taxes_total).toBe('€ 12.20');
  });

  it('totals changed outside the app hide derived figures', async () => {
    const id = await createQuote();
    await query('UPDATE quotes SET grand_total_cents = 99999 WHERE id = ?', [id]);
    const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);

    expect(totalsOf(html).grand_total).toBe('€ 999.99');
    expect(totalsOf(html).discounted_total).toBeUndefined();
    expect(taxSummaryOf(html)).toEqual([]);
    expect(html).not.toContain('Share of overall discount');
    expect(html).toContain('the stored totals do not follow from the stored lines');
    expect(lineCells(html, 1)[6]).toBe('€ 171.00');
  });

  it('PDF file name keeps safe characters', () => {
    const printPage = testApp.app.get(QuotePrintPage);

    expect(printPage.fileName({ id: 5, values: { quote_no: 'QUO12' } })).toBe('QUO12.pdf');
    expect(printPage.fileName({ id: 5, values: { quote_no: 'QUO/../1"2\r\n' } })).toBe('QUO12.pdf');
    expect(printPage.fileName({ id: 5, values: { quote_no: '"/' } })).toBe('quote-5.pdf');
    expect(printPage.fileName({ id: 5, values: { quote_no: null } })).toBe('quote-5.pdf');
  });

  it('Italian user gets Italian formats', async () => {
    await saveCompany();
    const id = await createQuote();
    await query(`UPDATE users SET locale = 'it' WHERE username = 'admin'`);
    try {
      const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);
      const stored = await storedTotalTexts(id, 'it');

      expect(html).toContain('<html lang="it">');
      expect(html).toContain('<dt>Valido fino al</dt><dd>30/06/2027</dd>');
      expect(html).toContain('<p>Partita IVA: 12345678903</p><p>Codice fiscale: 12345678903</p>');
      expect(stored.grand_total).toBe('€ 306,03');
      expect(totalsOf(html).grand_total).toBe(stored.grand_total);
      expect(lineCells(html, 1)[4]).toBe('10 % + 5 %');
      expect(lineCells(html, 1)[8]).toBe('€ 163,79');
      expect(taxSummaryOf(html)[0]).toEqual(['VAT 22 %', '22 %', '€ 173,79', '€ 38,23']);
      expect(html).toContain('<caption>Riepilogo imposte</caption>');
    } finally {
      await query(`UPDATE users SET locale = 'en' WHERE username = 'admin'`);
    }
  });

  it('missing company details show a note', async () => {
    const id = await createQuote();
    const html = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);

    expect(html).toContain(
      'this quote shows no seller. <a href="/admin/company">Enter the company details</a>',
    );
    expect(html).toContain('<h1>Quote QUO1</h1>');
  });

  describe('as a salesperson', () => {
    let nora: Agent;

    beforeEach(async () => {
      const every = ['view', 'create', 'edit', 'delete', 'import', 'export'];
      const roleId = await createRole(testApp, admin, `Quote readers ${Date.now()}`, SALESPERSON_ROLE);
      await createProfileFor(
        admin,
        roleId,
        `Quote readers ${Date.now()}`,
        { accounts: every, contacts: every, products: every, quotes: every },
        { 'quotes:terms_conditions': 'hidden', 'quotes:adjustment': 'hidden' },
      );
      await createUser(testApp, 'nora', roleId);
      nora = await loginAgent(testApp.app, 'nora', PASSWORD);
    });
    afterEach(async () => {
      await quotesSharing(admin, 'public_read_write_delete');
    });

    it('quote outside scope is not found', async () => {
      await quotesSharing(admin, 'private');
      const id = await createQuote();

      expect((await nora.get(`/quotes/${id}/print`)).status).toBe(404);
      expect((await nora.get(`/quotes/${id}/pdf`)).status).toBe(404);
      expect((await nora.get(`/quotes/${id}`)).status).toBe(404);
    });

    it('hidden fields stay hidden', async () => {
      const id = await createQuote();
      const html = unescapeHtml((await nora.get(`/quotes/${id}/print`)).text);

      expect(html).toContain('<h1>Quote QUO1</h1>');
      expect(html).not.toContain('Payment within 30 days');
      expect(html).not.toContain('Terms and Conditions');
      expect(Object.keys(totalsOf(html))).not.toContain('adjustment');
      expect(html).not.toContain('-0.82');
      expect(totalsOf(html).grand_total).toBe('€ 306.03');
      expect(html).not.toContain('/admin/company');
    });
  });

  it('markup in subject and terms is escaped', async () => {
    const id = await createQuote({
      subject: '<script>alert(1)</script>',
      terms_conditions: '<img src=x onerror=alert(2)>',
    });
    const response = await admin.get(`/quotes/${id}/print`);

    expect(response.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    expect(response.text).not.toContain('<script>alert(1)');
    expect(response.text).not.toContain('<img src=x');
  });

  it('detail page links to print and PDF', async () => {
    const id = await createQuote();
    const html = (await admin.get(`/quotes/${id}`)).text;

    expect(html).toContain(`<a class="btn btn-outline-primary" href="/quotes/${id}/print">Print</a>`);
    expect(html).toContain(`<a class="btn btn-outline-primary" href="/quotes/${id}/pdf">Download PDF</a>`);
  });

  it('PDF without Chromium explains the browser way', async () => {
    const id = await createQuote();
    const pdf = testApp.app.get(QuotePdfService);
    const available = jest.spyOn(pdf, 'available').mockReturnValue(false);
    try {
      const response = await admin.get(`/quotes/${id}/pdf`);
      const print = unescapeHtml((await admin.get(`/quotes/${id}/print`)).text);

      expect(response.status).toBe(503);
      expect(unescapeHtml(response.text)).toContain('because Chromium is not installed on it.');
      expect(unescapeHtml(response.text)).toContain('choose Save as PDF as the printer');
      expect(response.text).toContain(`href="/quotes/${id}/print"`);
      expect(print).not.toContain(`/quotes/${id}/pdf`);
      expect(print).toContain('choose Save as PDF as the printer');
    } finally {
      available.mockRestore();
    }
  });

  (chromiumFound ? it : it.skip)(
    'PDF download is a PDF named after the quote',
    async () => {
      const id = await createQuote();
      const response = await admin
        .get(`/quotes/${id}/pdf`)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      const body = response.body as Buffer;

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe('attachment; filename="QUO1.pdf"');
      expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // Lines of wrapped text are joined, as a reader of the page would read them.
      const text = pdfText(body).replace(/\s+/g, ' ');
      expect(text).toContain('Quote QUO1');
      expect(text).toContain('Laser printer');
      expect(text).toContain('€ 163.79');
      expect(text).toContain('€ 306.03');
    },
    60_000,
  );
});
