import { parse } from 'csv-parse/sync';
import { unescapeHtml } from '../support/csv-import.js';
import { lineFields } from '../support/quotes.js';
import { detailValue } from '../support/record-pages.js';
import { RecordsService } from '../../src/records/records.service.js';
import {
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
  saveNewQuote,
  setSharing,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

interface StoredLine {
  position: number;
  product_name: string;
  quantity: string;
  unit_price_cents: string;
  discount_kind: string;
  discount_text: string | null;
  gross_cents: string;
  discount_cents: string;
  net_cents: string;
  tax_cents: string;
  tax_rates: string;
}

const TOTAL_COLUMNS = [
  'net_total_cents',
  'overall_discount_cents',
  'taxes_total_cents',
  'shipping_handling_cents',
  'adjustment_cents',
  'grand_total_cents',
];

describe.each(databaseKinds())('quotes on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;
  let printer: number;
  let toner: number;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  /** Returns a quote's stored totals in cents, as numbers, in the order of TOTAL_COLUMNS. */
  const storedTotals = async (id: number) => {
    const [row] = await query<Record<string, unknown>>(
      `SELECT ${TOTAL_COLUMNS.join(', ')} FROM quotes WHERE id = ?`,
      [id],
    );
    return TOTAL_COLUMNS.map((column) => Number(row[column]));
  };

  const storedLines = (id: number) =>
    query<StoredLine>(
      `SELECT position, product_name, quantity, unit_price_cents, discount_kind, discount_text, gross_cents,
              discount_cents, net_cents, tax_cents, tax_rates
         FROM quote_lines WHERE quote_id = ? ORDER BY position`,
      [id],
    );

  /** The quote of the main example: two lines, shipping with VAT 22 % and an adjustment of −0.82. */
  const exampleQuote = (more: Record<string, string> = {}) => ({
    subject: 'Printers for the Milan office',
    account_id: String(account),
    quote_stage: 'Created',
    tax_mode: 'Individual',
    assigned_user_id: '1',
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
    pricing_overall_discount_kind: 'none',
    pricing_shipping_amount: '10.00',
    pricing_shipping_tax: 'VAT 22 %',
    pricing_adjustment: '-0.82',
    ...more,
  });

  const createQuote = (more: Record<string, string> = {}) => saveNewQuote(admin, exampleQuote(more));

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    account = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi S.p.A.',
      billing_street: 'Via Roma 1',
      billing_city: 'Milano',
      billing_code: '20121',
      billing_country: 'Italia',
    });
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

  it('menu lists quotes after products', async () => {
    const html = (await admin.get('/quotes')).text;
    const links = [...html.matchAll(/class="nav-link[^"]*" href="\/(\w+)"/g)].map((match) => match[1]);

    expect(links.slice(links.indexOf('products'), links.indexOf('products') + 2)).toEqual([
      'products',
      'quotes',
    ]);
  });

  it('new quote form offers active products on empty lines', async () => {
    await createRecord(testApp, 'products', { product_name: 'Fax machine', active: 'no' });
    const html = unescapeHtml((await admin.get('/quotes/new')).text);

    expect(html).toContain('name="line_count" value="5"');
    expect(html).toContain('id="field-line_product_5"');
    expect(html).toContain('>Laser printer</option>');
    expect(html).not.toContain('Fax machine');
    expect(html).toContain("copied from the account's billing address when the quote is saved");
  });

  it('Enter in the quote form saves rather than adds lines', async () => {
    const html = (await admin.get('/quotes/new')).text;
    const form = html.slice(html.indexOf('id="record-form"'));
    const firstButton = /<button type="submit"[^>]*>/.exec(form)?.[0] ?? '';

    // A browser submits a form with its first submit button when the user presses Enter in a field.
    expect(firstButton).not.toContain('name=');
    expect(form).toContain('Add more lines');
  });

  it('create stores lines and totals', async () => {
    const id = await createQuote();
    const lines = await storedLines(id);

    expect(lines.map((line) => [line.position, line.product_name, line.quantity])).toEqual([
      [1, 'Laser printer', '2'],
      [2, 'Toner', '3'],
    ]);
    // 2 × 100.00 = 200.00, less 10 % then 5 %: 171.00, and 22 % of it is 37.62.
    expect(
      lines.map((line) => [
        Number(line.unit_price_cents),
        line.discount_kind,
        line.discount_text,
        Number(line.gross_cents),
        Number(line.discount_cents),
        Number(line.net_cents),
        Number(line.tax_cents),
      ]),
    ).toEqual([
      [10000, 'cascade', '10+5', 20000, 2900, 17100, 3762],
      [3000, 'none', null, 9000, 0, 9000, 900],
    ]);
    expect(lines.map((line) => JSON.parse(line.tax_rates) as unknown)).toEqual([
      [{ name: 'VAT 22 %', rate: '22' }],
      [{ name: 'VAT 10 %', rate: '10' }],
    ]);
    // Taxes: 37.62 + 9.00 on the lines and 2.20 on shipping; 261.00 + 48.82 + 10.00 − 0.82 = 319.00.
    expect(await storedTotals(id)).toEqual([26100, 0, 4882, 1000, -82, 31900]);
  });

  it('detail page shows lines and totals', async () => {
    const id = await createQuote();
    const html = unescapeHtml((await admin.get(`/quotes/${id}`)).text);

    expect(await detailValue(admin, `/quotes/${id}`, 'Grand Total')).toBe('€ 319.00');
    expect(await detailValue(admin, `/quotes/${id}`, 'Taxes')).toBe('€ 48.82');
    expect(await detailValue(admin, `/quotes/${id}`, 'Adjustment')).toBe('€ -0.82');
    expect(html).toMatch(
      /<tr data-line="1">[\s\S]*?Laser printer[\s\S]*?10 % \+ 5 %[\s\S]*?€ 171\.00[\s\S]*?€ 37\.62/,
    );
    expect(html).toMatch(/<tr data-line="2">[\s\S]*?Toner[\s\S]*?€ 90\.00[\s\S]*?€ 9\.00/);
  });

  it('Italian user sees and types comma decimals', async () => {
    const id = await createQuote();
    await query(`UPDATE users SET locale = 'it' WHERE username = 'admin'`);
    try {
      const edit = unescapeHtml((await admin.get(`/quotes/${id}/edit`)).text);
      expect(edit).toContain('name="pricing_adjustment" type="text" inputmode="decimal" value="-0,82"');

      const saved = await postForm(admin, `/quotes/${id}/edit`, `/quotes/${id}`, {
        ...exampleQuote({ pricing_shipping_amount: '10,50', pricing_adjustment: '' }),
        valid_until: '',
      });
      expect(saved.status).toBe(303);
      // Shipping 10.50 with 2.31 tax: 261.00 + 46.62 + 2.31 + 10.50 = 320.43.
      expect(await storedTotals(id)).toEqual([26100, 0, 4893, 1050, 0, 32043]);
    } finally {
      await query(`UPDATE users SET locale = 'en' WHERE username = 'admin'`);
    }
  });

  it('edit changes a line and totals follow', async () => {
    const id = await createQuote();
    const edit = unescapeHtml((await admin.get(`/quotes/${id}/edit`)).text);
    expect(edit).toContain('name="line_discount_1" type="text" value="10+5"');

    const saved = await postForm(admin, `/quotes/${id}/edit`, `/quotes/${id}`, {
      ...exampleQuote(),
      ...lineFields([
        { product: String(printer), quantity: '2', discountKind: 'cascade', discount: '10+5' },
        { product: String(toner), quantity: '4', unitPrice: '30.00' },
      ]),
    });

    expect(saved.status).toBe(303);
    expect(
      (await storedLines(id)).map((line) => [line.quantity, Number(line.net_cents), Number(line.tax_cents)]),
    ).toEqual([
      ['2', 17100, 3762],
      ['4', 12000, 1200],
    ]);
    // 291.00 + 37.62 + 12.00 + 2.20 + 10.00 − 0.82 = 352.00.
    expect(await storedTotals(id)).toEqual([29100, 0, 5182, 1000, -82, 35200]);
  });

  it('group tax mode taxes the discounted total', async () => {
    const id = await createQuote({
      tax_mode: 'Group',
      pricing_group_tax: 'VAT 22 %',
      pricing_overall_discount_kind: 'amount',
      pricing_overall_discount: '11.00',
      pricing_shipping_amount: '',
      pricing_shipping_tax: '',
      pricing_adjustment: '',
    });

    // 261.00 − 11.00 = 250.00, and 22 % of it is 55.00.
    expect(await storedTotals(id)).toEqual([26100, 1100, 5500, 0, 0, 30500]);
  });

  it('mass edit of tax mode reprices', async () => {
    const id = await createQuote({ pricing_group_tax: 'VAT 4 %' });
    const response = await postFormAndFollow(admin, '/quotes', '/mass/quotes/edit', {
      field: 'tax_mode',
      tax_mode: 'Group',
      ids: [String(id)],
    });

    expect(response.text).toContain('1 record changed.');
    expect((await storedLines(id)).map((line) => Number(line.tax_cents))).toEqual([0, 0]);
    // 4 % of 261.00 is 10.44, plus 2.20 on shipping; 261.00 + 12.64 + 10.00 − 0.82 = 282.82.
    expect(await storedTotals(id)).toEqual([26100, 0, 1264, 1000, -82, 28282]);
  });

  it('mass edit refuses a tax mode that takes the total below zero', async () => {
    // Individual: 261.00 + 48.82 + 10.00 − 300.00 = 19.82. Group at 4 %: 261.00 + 10.44 + 2.20 + 10.00 − 300.00 < 0.
    const id = await createQuote({ pricing_adjustment: '-300.00', pricing_group_tax: 'VAT 4 %' });
    const response = await postFormAndFollow(admin, '/quotes', '/mass/quotes/edit', {
      field: 'tax_mode',
      tax_mode: 'Group',
      ids: [String(id)],
    });

    expect(response.text).toContain('With this adjustment the total would be below 0.');
    const [row] = await query<{ tax_mode: string }>('SELECT tax_mode FROM quotes WHERE id = ?', [id]);
    expect(row.tax_mode).toBe('Individual');
    expect(await storedTotals(id)).toEqual([26100, 0, 4882, 1000, -30000, 1982]);
  });

  it('mass edit to group mode needs a group tax', async () => {
    const id = await createQuote();
    const response = await postFormAndFollow(admin, '/quotes', '/mass/quotes/edit', {
      field: 'tax_mode',
      tax_mode: 'Group',
      ids: [String(id)],
    });

    expect(response.text).toContain('This quote has no group tax, so in Group mode it would carry no VAT.');
    const [row] = await query<{ tax_mode: string }>('SELECT tax_mode FROM quotes WHERE id = ?', [id]);
    expect(row.tax_mode).toBe('Individual');
    expect(await storedTotals(id)).toEqual([26100, 0, 4882, 1000, -82, 31900]);
  });

  it('group mode form needs a group tax', async () => {
    const response = await postForm(
      admin,
      '/quotes/new',
      '/quotes',
      exampleQuote({ tax_mode: 'Group', pricing_group_tax: '' }),
    );

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('In Group mode the whole quote needs a tax.');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });

  it('new quote form offers the first tax for the whole quote', async () => {
    const html = (await admin.get('/quotes/new')).text;

    expect(/<select[^>]*name="pricing_group_tax"[\s\S]*?<\/select>/.exec(html)![0]).toContain(
      '<option value="VAT 22 %" selected>',
    );
  });

  it('errors name line and field and save nothing', async () => {
    const fax = await createRecord(testApp, 'products', { product_name: 'Fax machine', active: 'no' });
    const response = await postForm(admin, '/quotes/new', '/quotes', {
      ...exampleQuote(),
      ...lineFields([
        { product: String(printer), quantity: '-1' },
        { product: String(toner), quantity: '1', discountKind: 'percent', discount: '101' },
        { product: String(toner), quantity: '1', discountKind: 'cascade', discount: '10++5' },
        { product: String(fax), quantity: '1' },
      ]),
    });
    const html = unescapeHtml(response.text);

    expect(response.status).toBe(422);
    expect(html).toContain('href="#field-line_quantity_1" class="alert-link">Line 1, Quantity</a>');
    expect(html).toContain('href="#field-line_discount_2" class="alert-link">Line 2, Discount</a>');
    expect(html).toContain('href="#field-line_discount_3" class="alert-link">Line 3, Discount</a>');
    expect(html).toContain('href="#field-line_product_4" class="alert-link">Line 4, Product</a>');
    expect(html).toContain(
      '<div class="invalid-feedback" id="error-line_discount_2">A discount cannot be more than 100 %',
    );
    expect(html).toContain('"10++5" is not a cascade discount');
    expect(html).toContain('Fax machine is no longer active');
    expect(html).toContain('name="line_discount_3" type="text" value="10++5"');
    expect(html).toContain('value="Printers for the Milan office"');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
    expect(await query('SELECT id FROM quote_lines')).toEqual([]);
  });

  it('record error keeps lines unsaved', async () => {
    const id = await createQuote();
    const response = await postForm(admin, `/quotes/${id}/edit`, `/quotes/${id}`, {
      ...exampleQuote({ subject: '' }),
      ...lineFields([{ product: String(toner), quantity: '7' }]),
    });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(
      'name="line_quantity_1" type="text" inputmode="decimal" value="7"',
    );
    expect((await storedLines(id)).map((line) => line.quantity)).toEqual(['2', '3']);
    expect(await storedTotals(id)).toEqual([26100, 0, 4882, 1000, -82, 31900]);
  });

  it('quote without lines is rejected', async () => {
    const response = await postForm(admin, '/quotes/new', '/quotes', {
      ...exampleQuote(),
      ...lineFields([{ product: '' }, { product: '' }]),
    });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('Add at least one line with a product or a service.');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });

  it('existing line keeps a deactivated product', async () => {
    const id = await createQuote();
    await query('UPDATE products SET active = ? WHERE id = ?', [false, toner]);

    const edit = unescapeHtml((await admin.get(`/quotes/${id}/edit`)).text);
    const saved = await postForm(admin, `/quotes/${id}/edit`, `/quotes/${id}`, exampleQuote());

    expect(edit).toContain('>Toner (inactive)</option>');
    expect(saved.status).toBe(303);
    expect((await storedLines(id)).map((line) => line.product_name)).toEqual(['Laser printer', 'Toner']);
  });

  it('line of a deleted product names it', async () => {
    const id = await createQuote();
    await testApp.app.get(RecordsService).remove('products', ADMIN, toner);

    // The edit form offers no product for the line, so it posts the line without one.
    const response = await postForm(
      admin,
      `/quotes/${id}/edit`,
      `/quotes/${id}`,
      exampleQuote({ line_product_2: '' }),
    );

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('The product "Toner" of this line was deleted.');
    expect((await storedLines(id)).map((line) => line.product_name)).toEqual(['Laser printer', 'Toner']);
  });

  it('more lines adds rows and saves nothing', async () => {
    const response = await postForm(admin, '/quotes/new', '/quotes', { ...exampleQuote(), _more_lines: '1' });
    const html = unescapeHtml(response.text);

    expect(response.status).toBe(200);
    expect(html).toContain('name="line_count" value="10"');
    expect(html).toContain('name="line_discount_1" type="text" value="10+5"');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });

  it('new quote copies the account address', async () => {
    const id = await createQuote();
    const [row] = await query<Record<string, string | null>>(
      'SELECT bill_street, bill_city, bill_code, ship_street, ship_city, ship_country FROM quotes WHERE id = ?',
      [id],
    );

    expect(row).toEqual({
      bill_street: 'Via Roma 1',
      bill_city: 'Milano',
      bill_code: '20121',
      ship_street: 'Via Roma 1',
      ship_city: 'Milano',
      ship_country: 'Italia',
    });
  });

  it('typed address is not replaced', async () => {
    const id = await createQuote({ ship_city: 'Torino' });
    const [row] = await query<{ bill_city: string | null; ship_city: string | null }>(
      'SELECT bill_city, ship_city FROM quotes WHERE id = ?',
      [id],
    );

    expect(row).toEqual({ bill_city: null, ship_city: 'Torino' });
  });

  it('quotes are numbered QUO1, QUO2', async () => {
    const rejected = await postForm(admin, '/quotes/new', '/quotes', exampleQuote({ line_quantity_1: '0' }));
    const first = await createQuote();
    const second = await createQuote({ subject: 'Second quote' });
    const rows = await query<{ id: number; quote_no: string }>('SELECT id, quote_no FROM quotes ORDER BY id');

    // The rejected quote's transaction is rolled back with the number it took.
    expect(rejected.status).toBe(422);
    expect(rows.map((row) => [Number(row.id), row.quote_no])).toEqual([
      [first, 'QUO1'],
      [second, 'QUO2'],
    ]);
  });

  it('profile without quotes gets 403', async () => {
    const roleId = await createRole(testApp, admin, 'No quotes', SALESPERSON_ROLE);
    const every = ['view', 'create', 'edit', 'delete', 'import', 'export'];
    await createProfileFor(admin, roleId, 'No quotes', {
      leads: every,
      accounts: every,
      contacts: every,
      potentials: every,
      products: every,
    });
    await createUser(testApp, 'nora', roleId);
    const id = await createQuote();
    const nora = await loginAgent(testApp.app, 'nora', PASSWORD);

    expect((await nora.get('/quotes')).status).toBe(403);
    expect((await nora.get(`/quotes/${id}`)).status).toBe(403);
    expect((await nora.get('/quotes/new')).status).toBe(403);
    expect((await nora.get('/export/quotes')).status).toBe(403);
    expect((await nora.get('/potentials')).text).not.toContain('href="/quotes"');
  });

  it('profile without products adds no product', async () => {
    const roleId = await createRole(testApp, admin, 'No products', SALESPERSON_ROLE);
    const every = ['view', 'create', 'edit', 'delete', 'import', 'export'];
    await createProfileFor(admin, roleId, 'No products', { accounts: every, quotes: every });
    await createUser(testApp, 'nora', roleId);
    const modules = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'];
    await setSharing(
      admin,
      Object.fromEntries(modules.map((module) => [module, 'public_read_write_delete'])),
    );
    const nora = await loginAgent(testApp.app, 'nora', PASSWORD);

    const form = unescapeHtml((await nora.get('/quotes/new')).text);
    const response = await postForm(nora, '/quotes/new', '/quotes', {
      ...exampleQuote(),
      ...lineFields([{ product: String(printer), quantity: '1' }, { product: '' }]),
    });

    expect(form).not.toContain('Laser printer');
    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('Line 1, Product</a>: The product was not found.');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });

  it('line product links only for product viewers', async () => {
    const roleId = await createRole(testApp, admin, 'Quote readers', SALESPERSON_ROLE);
    await createProfileFor(admin, roleId, 'Quote readers', { accounts: ['view'], quotes: ['view'] });
    await createUser(testApp, 'olga', roleId);
    const modules = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'];
    await setSharing(admin, Object.fromEntries(modules.map((module) => [module, 'public_read'])));
    const id = await createQuote();
    const olga = await loginAgent(testApp.app, 'olga', PASSWORD);

    const adminLine = /<tr data-line="1">([\s\S]*?)<\/tr>/.exec((await admin.get(`/quotes/${id}`)).text)![1];
    const olgaPage = await olga.get(`/quotes/${id}`);
    const olgaLine = /<tr data-line="1">([\s\S]*?)<\/tr>/.exec(olgaPage.text)![1];

    expect(adminLine).toContain(`<a href="/products/${printer}">Laser printer</a>`);
    expect(olgaPage.status).toBe(200);
    expect(olgaLine).toContain('Laser printer');
    expect(olgaLine).not.toContain('/products/');
  });

  it('CSV export lists quotes with totals', async () => {
    await createQuote();
    const response = await admin.get('/export/quotes').buffer(true);
    const rows: string[][] = parse(response.text, { bom: true });
    const cells = Object.fromEntries(rows[0].map((label, index) => [label, rows[1][index]]));

    expect(response.status).toBe(200);
    expect(cells['Record number']).toBe('QUO1');
    expect(cells.Subject).toBe('Printers for the Milan office');
    expect(cells['Grand Total']).toBe('319.00');
  });
});
