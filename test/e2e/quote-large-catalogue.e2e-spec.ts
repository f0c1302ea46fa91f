import { unescapeHtml } from '../support/csv-import.js';
import { lineFields } from '../support/quotes.js';
import { Agent, createRecord, saveNewQuote } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

/** More active products than the quote form's product select lists. */
const CATALOGUE_SIZE = 250;

describe.each(databaseKinds())('quote lines from a large catalogue on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const productNumber = async (name: string) =>
    (await query<{ product_no: string }>('SELECT product_no FROM products WHERE product_name = ?', [name]))[0]
      .product_no;

  const storedProductNames = async (quoteId: number) =>
    (
      await query<{ product_name: string }>(
        'SELECT product_name FROM quote_lines WHERE quote_id = ? ORDER BY position',
        [quoteId],
      )
    ).map((row) => row.product_name);

  const quoteForm = (products: string[]) => ({
    subject: 'Parts for Milan',
    account_id: String(account),
    quote_stage: 'Created',
    tax_mode: 'Individual',
    assigned_user_id: '1',
    line_product_kind: 'reference',
    ...lineFields(products.map((product) => ({ product, quantity: '1' }))),
    pricing_overall_discount_kind: 'none',
  });

  /** Returns the error shown beside a line's product box, or undefined. */
  const productError = (html: string, line: number) =>
    new RegExp(`id="error-line_product_${line}">([^<]*)</div>`).exec(unescapeHtml(html))?.[1];

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    await resetRecords(testApp.dataSource);
    account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
    for (let index = 1; index <= CATALOGUE_SIZE; index++)
      await createRecord(testApp, 'products', {
        product_name: `Part ${String(index).padStart(3, '0')}`,
        unit_price: '10.00',
      });
    await createRecord(testApp, 'products', { product_name: 'Twin part', unit_price: '5.00' });
    await createRecord(testApp, 'products', { product_name: 'Twin part', unit_price: '6.00' });
    await createRecord(testApp, 'products', { product_name: 'Old part', active: 'no' });
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await query('DELETE FROM quotes');
  });

  it('form offers product boxes with suggestions', async () => {
    const html = unescapeHtml((await admin.get('/quotes/new')).text);
    const box = /<input [^>]*id="field-line_product_1"[^>]*>/.exec(html)?.[0] ?? '';
    const suggestions =
      /<datalist id="quote-product-suggestions">([\s\S]*?)<\/datalist>/.exec(html)?.[1] ?? '';

    expect(box).toContain('type="text"');
    expect(box).toContain('list="quote-product-suggestions"');
    expect(html).not.toContain('<select class="form-select form-select-sm" id="field-line_product_1"');
    expect(html).toContain('name="line_product_kind" value="reference"');
    expect(suggestions.match(/<option /g)).toHaveLength(200);
    expect(suggestions).toContain(
      `<option value="${await productNumber('Part 001')} Part 001">Part 001</option>`,
    );
  });

  it('saves products typed by number, name or suggestion', async () => {
    const number = await productNumber('Part 250');
    const suggested = `${await productNumber('Part 120')} Part 120`;

    const id = await saveNewQuote(admin, quoteForm([number, 'part 249', suggested]));

    expect(await storedProductNames(id)).toEqual(['Part 250', 'Part 249', 'Part 120']);
  });

  it('edit form shows stored products as references', async () => {
    const id = await saveNewQuote(admin, quoteForm(['Part 230']));

    const html = unescapeHtml((await admin.get(`/quotes/${id}/edit`)).text);

    const box = /<input [^>]*id="field-line_product_1"[^>]*>/.exec(html)?.[0] ?? '';
    expect(box).toContain(`value="${await productNumber('Part 230')} Part 230"`);
  });

  it('rejects unknown, shared and inactive products', async () => {
    const response = await postForm(
      admin,
      '/quotes/new',
      '/quotes',
      quoteForm(['Part 999', 'Twin part', await productNumber('Old part'), 'Part 001']),
    );

    expect(response.status).toBe(422);
    expect(productError(response.text, 1)).toBe(
      'No product that you may see has the number or name "Part 999". Type a product number such as PRO12, or the product\'s whole name as the suggestions list it.',
    );
    expect(productError(response.text, 2)).toBe(
      'Several products are named "Twin part". Type the product number instead, as the suggestions list it.',
    );
    expect(productError(response.text, 3)).toBe(
      'Old part is no longer active, so a new line cannot take it. Choose an active product.',
    );
    expect(productError(response.text, 4)).toBeUndefined();
    expect(unescapeHtml(response.text)).toContain('value="Part 999"');
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });
});
