import { parse } from 'csv-parse/sync';
import { importCsv, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import {
  Agent,
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

/**
 * Quotes with their product lines in CSV files: one row per line, grouped back into quotes on import,
 * priced by the quote engine and stored with their lines.
 */

const TOTAL_COLUMNS = [
  'net_total_cents',
  'overall_discount_cents',
  'taxes_total_cents',
  'shipping_handling_cents',
  'adjustment_cents',
  'grand_total_cents',
];

const LINE_HEADER = 'Line product,Line quantity,Line unit price,Line discount';

/** Returns the CSV text of a header and rows, one line each. */
function csvFile(header: string, rows: string[]): string {
  return `${header}\n${rows.join('\n')}\n`;
}

describe.each(databaseKinds())('quote lines in CSV files on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;
  let printer: number;
  let toner: number;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const quoteId = async (subject: string) => {
    const rows = await query<{ id: number | string }>('SELECT id FROM quotes WHERE subject = ?', [subject]);
    if (rows.length !== 1) throw new Error(`${rows.length} quotes have the subject ${subject}`);
    return Number(rows[0].id);
  };

  /** Returns a quote's stored totals in cents as text, in the order of TOTAL_COLUMNS, with null for a total not set. */
  const storedTotals = async (subject: string) => {
    const [row] = await query<Record<string, unknown>>(
      `SELECT ${TOTAL_COLUMNS.join(', ')} FROM quotes WHERE id = ?`,
      [await quoteId(subject)],
    );
    return TOTAL_COLUMNS.map((column) => (row[column] === null ? null : String(row[column] as string)));
  };

  /** Returns a quote's stored lines and pricing row with every number as text, so that drivers compare alike. */
  const storedQuote = async (subject: string) => {
    const id = await quoteId(subject);
    const lines = await query<Record<string, unknown>>(
      `SELECT position, product_id, product_name, quantity, unit_price_cents, discount_kind, discount_text,
              comment, gross_cents, discount_cents, net_cents, tax_cents, tax_rates
         FROM quote_lines WHERE quote_id = ? ORDER BY position`,
      [id],
    );
    const pricing = await query<Record<string, unknown>>(
      `SELECT overall_discount_kind, overall_discount_text, group_taxes, shipping_taxes
         FROM quote_pricing WHERE quote_id = ?`,
      [id],
    );
    const [quote] = await query<Record<string, unknown>>(
      'SELECT tax_mode, quote_stage, account_id, assigned_user_id FROM quotes WHERE id = ?',
      [id],
    );
    const asText = (row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value as string)]),
      );
    return {
      quote: asText(quote),
      lines: lines.map(asText),
      pricing: pricing.map(asText),
      totals: await storedTotals(subject),
    };
  };

  /** Saves a quote through the form, as a user would, with the given lines and pricing inputs. */
  const createQuote = async (fields: Record<string, string>) => {
    const response = await postForm(admin, '/quotes/new', '/quotes', {
      account_id: String(account),
      quote_stage: 'Created',
      tax_mode: 'Individual',
      assigned_user_id: '1',
      pricing_overall_discount_kind: 'none',
      pricing_overall_discount: '',
      pricing_group_tax: '',
      pricing_shipping_amount: '',
      pricing_shipping_tax: '',
      pricing_adjustment: '',
      ...fields,
    });
    if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
  };

  const line = (row: number, product: number, quantity: string, discountKind = 'none', discount = '') => ({
    [`line_product_${row}`]: String(product),
    [`line_quantity_${row}`]: quantity,
    [`line_unitPrice_${row}`]: '',
    [`line_discountKind_${row}`]: discountKind,
    [`line_discount_${row}`]: discount,
    [`line_comment_${row}`]: row === 1 ? 'Floor 2' : '',
  });

  /** Parses the failed-rows file of an import: its header, then the failed rows with their reasons. */
  const failedRows = async (jobPath: string) => {
    const response = await admin.get(`${jobPath}/failed.csv`).buffer(true);
    const rows: string[][] = parse(response.text, { bom: true, relax_column_count: true });
    return rows;
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
    account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
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

  it('export writes one row per line with pricing', async () => {
    await createQuote({
      subject: 'Printers for Milan',
      line_count: '2',
      ...line(1, printer, '2', 'cascade', '10+5'),
      ...line(2, toner, '3'),
      pricing_overall_discount_kind: 'percent',
      pricing_overall_discount: '5',
      pricing_shipping_amount: '10.00',
      pricing_shipping_tax: 'VAT 22 %',
      pricing_adjustment: '-0.82',
    });
    await createRecord(testApp, 'quotes', {
      subject: 'Quote without lines',
      account_id: 'Rossi S.p.A.',
      quote_stage: 'Created',
      tax_mode: 'Individual',
    });

    const response = await admin.get('/export/quotes').buffer(true);
    const [header, ...rows]: string[][] = parse(response.text, { bom: true });
    const column = (name: string) => header.indexOf(name);
    const cellsOf = (row: string[]) =>
      ['Subject', 'Line product', 'Line product number', 'Line quantity', 'Line unit price', 'Line discount']
        .concat(['Line comment', 'Overall discount as typed', 'Tax on shipping and handling', 'Adjustment'])
        .map((name) => row[column(name)]);

    expect(response.status).toBe(200);
    expect(rows.map(cellsOf)).toEqual([
      [
        'Printers for Milan',
        'Laser printer',
        'PRO1',
        '2',
        '100.00',
        '10+5',
        'Floor 2',
        '5 %',
        'VAT 22 %',
        '-0.82',
      ],
      ['Printers for Milan', 'Toner', 'PRO2', '3', '30.00', '', '', '5 %', 'VAT 22 %', '-0.82'],
      ['Quote without lines', '', '', '', '', '', '', '', '', ''],
    ]);
  });

  it('round trip keeps quotes, lines and totals', async () => {
    await createQuote({
      subject: 'Printers for Milan',
      line_count: '2',
      ...line(1, printer, '2', 'cascade', '10+5'),
      ...line(2, toner, '3'),
      pricing_shipping_amount: '10.00',
      pricing_shipping_tax: 'VAT 22 %',
      pricing_adjustment: '-0.82',
    });
    await createQuote({
      subject: 'Toner for Rome',
      tax_mode: 'Group',
      line_count: '2',
      ...line(1, printer, '1', 'amount', '5.00'),
      ...line(2, toner, '2.5', 'percent', '12.5'),
      pricing_overall_discount_kind: 'cascade',
      pricing_overall_discount: '5+2',
      pricing_group_tax: 'VAT 22 %',
    });
    const subjects = ['Printers for Milan', 'Toner for Rome'];
    const before = await Promise.all(subjects.map(storedQuote));
    const exported = (await admin.get('/export/quotes').buffer(true)).text;

    await query('DELETE FROM quotes');
    const outcome = await importCsv(admin, 'quotes', exported);
    const after = await Promise.all(subjects.map(storedQuote));

    expect(outcome.counts).toMatchObject({ read: 4, created: 2, failed: 0 });
    expect(after).toEqual(before);
    expect(before[0].totals).toEqual(['26100', '0', '4882', '1000', '-82', '31900']);
    expect(before[1].lines.map((row) => row.discount_text)).toEqual(['5.00', '12.5']);
  });

  it('quote without a product line fails', async () => {
    // A quote saved without lines by an older import exports as one row without a product.
    await createRecord(testApp, 'quotes', {
      subject: 'Quote without lines',
      account_id: 'Rossi S.p.A.',
      quote_stage: 'Delivered',
      tax_mode: 'Individual',
    });
    const exported = (await admin.get('/export/quotes').buffer(true)).text;
    await query('DELETE FROM quotes');

    const outcome = await importCsv(admin, 'quotes', exported);

    expect(outcome.counts).toMatchObject({ read: 1, created: 0, failed: 1 });
    expect(unescapeHtml(outcome.html)).toContain(
      '<td>2</td><td>Line product</td><td>This quote has no product line.',
    );
    expect(await query('SELECT id FROM quotes')).toEqual([]);
  });

  it('cascade discount 10+5 prices the line', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,${LINE_HEADER}`, ['Cascade,Rossi S.p.A.,Laser printer,2,100.00,10+5']),
    );
    const stored = await storedQuote('Cascade');

    expect(outcome.counts.created).toBe(1);
    expect(stored.lines).toMatchObject([
      { discount_kind: 'cascade', discount_text: '10+5', gross_cents: '20000', discount_cents: '2900' },
    ]);
    expect(stored.lines[0].net_cents).toBe('17100');
    // VAT 22 % of 171.00 is 37.62.
    expect(stored.totals).toEqual(['17100', '0', '3762', '0', '0', '20862']);
  });

  it('Italian number format is read', async () => {
    const file = csvFile(
      'Subject;Account;Line product;Line quantity;Line unit price;Line discount;Adjustment',
      [
        'Ufficio;Rossi S.p.A.;Laser printer;2,5;1.234,56;12,5+5;-0,50',
        'Ufficio;Rossi S.p.A.;Toner;1;30;2,5 %;',
      ],
    );
    const outcome = await importCsv(admin, 'quotes', file, { upload: { numberFormat: 'comma' } });
    const stored = await storedQuote('Ufficio');

    expect(outcome.counts).toMatchObject({ created: 1, failed: 0 });
    // 2.5 × 1,234.56 = 3,086.40, and 12.5 % then 5 % off leave 2,565.57 (a discount of 520.83).
    expect(stored.lines).toMatchObject([
      { quantity: '2.5', unit_price_cents: '123456', discount_text: '12.5+5', net_cents: '256557' },
      { quantity: '1', discount_kind: 'percent', discount_text: '2.5', net_cents: '2925' },
    ]);
    expect(stored.totals?.[4]).toBe('-50');
  });

  it('bad quantity on line 2 fails only that quote', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Record number,Subject,Account,${LINE_HEADER}`, [
        'QUO7,Broken,Rossi S.p.A.,Laser printer,1,100.00,',
        'QUO7,Broken,Rossi S.p.A.,Toner,two,30.00,',
        'QUO8,Good,Rossi S.p.A.,Toner,2,30.00,',
      ]),
    );
    const failed = await failedRows(outcome.jobPath!);
    // The file starts with its header, so the row of file line n is at index n - 1.
    const reasonOf = (lineNumber: number) => failed[lineNumber - 1].at(-1);

    expect(outcome.counts).toMatchObject({ read: 3, created: 1, failed: 2 });
    expect(await query('SELECT subject FROM quotes')).toEqual([{ subject: 'Good' }]);
    expect(failed).toHaveLength(3);
    expect(reasonOf(2)).toBe(
      'Not imported, because its record has problems on line 3, and a record is imported with all its rows or not at all. Correct those rows and import all rows of the record again.',
    );
    expect(reasonOf(3)).toMatch(/^Line quantity: /);
    expect(unescapeHtml(outcome.html)).toContain('<td>3</td><td>Line quantity</td>');
  });

  it('unknown product fails its quote', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,Line product,Line product number,Line quantity`, [
        'Unknown name,Rossi S.p.A.,Plotter,,1',
        'Unknown number,Rossi S.p.A.,Laser printer,PRO99,1',
      ]),
    );
    const html = unescapeHtml(outcome.html);

    expect(outcome.counts).toMatchObject({ created: 0, failed: 2 });
    expect(html).toContain(
      '<td>2</td><td>Line product</td><td>No product that you may see has the number or name "Plotter".',
    );
    expect(html).toContain(
      '<td>3</td><td>Line product number</td><td>No product that you may see has the number or name "PRO99".',
    );
  });

  it('inactive or ambiguous product fails its quote', async () => {
    await createRecord(testApp, 'products', { product_name: 'Toner', unit_price: '31.00' });
    await createRecord(testApp, 'products', { product_name: 'Old fax', unit_price: '50.00', active: '0' });
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,Line product,Line quantity`, [
        'Ambiguous,Rossi S.p.A.,Toner,1',
        'Inactive,Rossi S.p.A.,Old fax,1',
      ]),
    );
    const html = unescapeHtml(outcome.html);

    expect(outcome.counts).toMatchObject({ created: 0, failed: 2 });
    expect(html).toContain('Several products are named "Toner". Give the product number instead.');
    expect(html).toContain('Old fax is no longer active');
  });

  it('grand total in the file is checked', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,Grand Total,${LINE_HEADER}`, [
        'Matching,Rossi S.p.A.,122.00,Laser printer,1,,',
        'Other rates,Rossi S.p.A.,110.00,Laser printer,1,,',
        'No total,Rossi S.p.A.,,Laser printer,1,,',
      ]),
    );

    expect(outcome.counts).toMatchObject({ created: 2, failed: 1 });
    expect(unescapeHtml(outcome.html)).toContain(
      '<td>3</td><td>Grand Total</td><td>The file gives a grand total of € 110.00, but the lines and pricing give € 122.00 here',
    );
    expect((await storedQuote('No total')).totals[5]).toBe('12200');
  });

  it('rows of one quote may be apart', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,${LINE_HEADER}`, [
        'First,Rossi S.p.A.,Laser printer,1,,',
        'Second,Rossi S.p.A.,Toner,1,,',
        'First,Rossi S.p.A.,Toner,4,,',
      ]),
    );
    const first = await storedQuote('First');

    expect(outcome.counts).toMatchObject({ read: 3, created: 2, failed: 0 });
    expect(first.lines.map((row) => [row.product_name, row.quantity])).toEqual([
      ['Laser printer', '1'],
      ['Toner', '4'],
    ]);
  });

  it('a differing quote value fails the quote', async () => {
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Record number,Subject,Account,Quote Stage,${LINE_HEADER}`, [
        'QUO1,Stage,Rossi S.p.A.,Created,Laser printer,1,,',
        'QUO1,,,Accepted,Toner,1,,',
      ]),
    );

    expect(outcome.counts).toMatchObject({ created: 0, failed: 2 });
    expect(unescapeHtml(outcome.html)).toContain(
      '<td>3</td><td>Quote Stage</td><td>The value differs from line 2, the first row of the same record',
    );
  });

  it('potential amount follows an imported quote', async () => {
    const potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Milan office',
      account_id: String(account),
      amount: '50.00',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });
    const outcome = await importCsv(
      admin,
      'quotes',
      csvFile(`Subject,Account,Potential,Quote Stage,${LINE_HEADER}`, [
        'For the potential,Rossi S.p.A.,Milan office,Delivered,Laser printer,2,,',
      ]),
    );
    const [stored] = await query<{ amount_cents: string | number; amount_quote_id: string | number }>(
      'SELECT amount_cents, amount_quote_id FROM potentials WHERE id = ?',
      [potential],
    );

    expect(outcome.counts.created).toBe(1);
    expect(Number(stored.amount_cents)).toBe(24400);
    expect(Number(stored.amount_quote_id)).toBe(await quoteId('For the potential'));
  });

  it('mapping page offers the line columns', async () => {
    const uploaded = await uploadCsv(admin, 'quotes', csvFile(`Subject,${LINE_HEADER}`, ['A,Toner,1,,']));
    const page = unescapeHtml((await admin.get(uploaded.headers.location)).text);

    expect(page).toContain('<option value="line.quantity" selected>Line quantity</option>');
    expect(page).toContain('<option value="line.product_no">Line product number</option>');
    expect(page).toContain('<option value="quote.number">Record number</option>');
  });

  it('import by a salesperson follows access rules', async () => {
    const roleId = await createRole(testApp, admin, 'Quote importers', SALESPERSON_ROLE);
    const sara = await createUser(testApp, 'sara', roleId);
    const modules = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'quotes'];
    await setSharing(admin, {
      ...Object.fromEntries(modules.map((module) => [module, 'public_read_write_delete'])),
      products: 'private',
    });
    await createRecord(testApp, 'products', {
      product_name: 'Sara paper',
      unit_price: '4.00',
      assigned_user_id: String(sara),
    });
    const agent = await loginAgent(testApp.app, 'sara', PASSWORD);

    const outcome = await importCsv(
      agent,
      'quotes',
      csvFile(`Subject,Account,Assigned To,Line product,Line quantity`, [
        'Hidden product,Rossi S.p.A.,,Laser printer,1',
        'Own product,Rossi S.p.A.,Nobody,Sara paper,10',
      ]),
    );
    const own = await storedQuote('Own product');

    expect(outcome.counts).toMatchObject({ created: 1, failed: 1 });
    expect(unescapeHtml(outcome.html)).toContain(
      'No product that you may see has the number or name "Laser printer".',
    );
    expect(own.quote.assigned_user_id).toBe(String(sara));
    expect(own.totals?.[0]).toBe('4000');
  });
});
