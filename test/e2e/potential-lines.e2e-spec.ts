import { unescapeHtml } from '../support/csv-import.js';
import { RecordsService } from '../../src/records/records.service.js';
import {
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createUser,
  ISO_FORMAT,
  PASSWORD,
  SALESPERSON_ROLE,
  saveProfileGrid,
  setSharing,
  RECORD_MANIFESTS,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

/** Every action on the modules the potential's page touches. */
const EVERY_ACTION = ['view', 'create', 'edit', 'delete'];
const MODULES = ['potentials', 'accounts', 'quotes', 'products'];

/** Every module open to everyone, so that only the profile and the quotes' level limit a salesperson. */
const PUBLIC_SHARING = Object.fromEntries(
  RECORD_MANIFESTS.map((manifest) => [manifest.name, 'public_read_write_delete']),
);

/** The cells of the lines table, without tags, in column order. */
type Row = string[];

/** The three lines of the test quote as the section shows them, the same in individual and group mode. */
const LINES: Row[] = [
  ['Plotter', '3', '€ 33.33', '€ 99.99', '€ 10.00', '€ 89.99', '€ 20.00', '€ 60.00', '€ 29.99', '33.3 %'],
  ['Toner', '2.5', '€ 12.34', '€ 30.85', '€ 3.09', '€ 27.76', '€ 4.99', '€ 12.48', '€ 15.28', '55.0 %'],
  ['Paper', '1', '€ 0.07', '€ 0.07', '€ 0.00', '€ 0.07', 'no cost', '', '', ''],
];

describe.each(databaseKinds())('product lines of a potential on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let profileId: number;
  let account: number;
  let potential: number;
  let products: { plotter: number; toner: number; paper: number };

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  /** Builds the form of a quote of the three test products with a 10 % overall discount, linked to the potential. */
  const quoteForm = (subject: string, options: { stage?: string; taxMode?: 'Individual' | 'Group' } = {}) => {
    const lines = [
      [products.plotter, '3', '33.33'],
      [products.toner, '2.5', '12.34'],
      [products.paper, '1', '0.07'],
    ] as const;
    const form: Record<string, string> = {
      subject,
      account_id: String(account),
      potential_id: String(potential),
      quote_stage: options.stage ?? 'Created',
      tax_mode: options.taxMode ?? 'Individual',
      assigned_user_id: '1',
      line_count: String(lines.length),
      pricing_overall_discount_kind: 'percent',
      pricing_overall_discount: '10',
      // As the new quote form offers it, so that a change to Group mode keeps the VAT.
      pricing_group_tax: 'VAT 22 %',
      pricing_shipping_amount: '',
      pricing_shipping_tax: '',
      pricing_adjustment: '',
    };
    lines.forEach(([product, quantity, price], index) => {
      const number = index + 1;
      form[`line_product_${number}`] = String(product);
      form[`line_quantity_${number}`] = quantity;
      form[`line_unitPrice_${number}`] = price;
      form[`line_discountKind_${number}`] = 'none';
      form[`line_discount_${number}`] = '';
      form[`line_comment_${number}`] = '';
    });
    return form;
  };

  const saveQuote = async (
    id: number | null,
    subject: string,
    options: Parameters<typeof quoteForm>[1] = {},
  ) => {
    const [page, action] = id === null ? ['/quotes/new', '/quotes'] : [`/quotes/${id}/edit`, `/quotes/${id}`];
    const response = await postForm(admin, page, action, quoteForm(subject, options));
    if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
    return id ?? Number(/\/quotes\/(\d+)$/.exec(response.headers.location)![1]);
  };

  const quoteNumber = async (id: number) =>
    (await query<{ quote_no: string }>('SELECT quote_no FROM quotes WHERE id = ?', [id]))[0].quote_no;

  /** Sets a product's unit cost as a mass edit would. */
  const setUnitCost = async (product: number, cost: string) => {
    const result = await testApp.app
      .get(RecordsService)
      .save('products', ADMIN, product, { unit_cost: cost }, ISO_FORMAT, 'mass');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  };

  /** Returns the product lines section of the potential's page, unescaped, or undefined without one. */
  const section = async (agent: Agent) => {
    const html = unescapeHtml((await agent.get(`/potentials/${potential}`)).text);
    return /<section [^>]*id="product-lines"[\s\S]*?<\/section>/.exec(html)?.[0];
  };

  const textOf = (html: string) =>
    html
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();

  const cells = (row: string) =>
    [...row.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => textOf(m[1]));

  const lineRows = (html: string): Row[] =>
    [...html.matchAll(/<tr data-product-line>([\s\S]*?)<\/tr>/g)].map((match) => cells(match[1]));

  const totalRow = (html: string): Row =>
    cells(/<tr [^>]*data-product-lines-total>([\s\S]*?)<\/tr>/.exec(html)![1]);

  /** Returns the inside of the section's warning of a kind (none, typed, hidden, several), if shown. */
  const warning = (html: string, kind: string) =>
    new RegExp(`<(div|p) [^>]*data-lines-warning="${kind}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html)?.[2];

  /** Gives the salespeople's role a profile with every action on MODULES and the given hidden fields. */
  const saveProfile = (modules: string[], hidden: Record<string, string[]> = {}) =>
    saveProfileGrid(
      admin,
      profileId,
      Object.fromEntries(modules.map((module) => [module, EVERY_ACTION])),
      Object.fromEntries(
        Object.entries(hidden).flatMap(([module, fields]) =>
          fields.map((field) => [`${module}:${field}`, 'hidden' as const]),
        ),
      ),
    );

  /** Adds the salesperson sara and returns her logged-in agent. */
  const sara = async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    return loginAgent(testApp.app, 'sara', PASSWORD);
  };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    profileId = await createProfileFor(
      admin,
      SALESPERSON_ROLE,
      'Product lines test',
      Object.fromEntries(MODULES.map((module) => [module, EVERY_ACTION])),
    );
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await setSharing(admin, PUBLIC_SHARING);
    await saveProfile(MODULES);
    account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
    products = {
      plotter: await createRecord(testApp, 'products', {
        product_name: 'Plotter',
        unit_price: '33.33',
        unit_cost: '20.00',
        tax_class: 'VAT 22 %',
      }),
      toner: await createRecord(testApp, 'products', {
        product_name: 'Toner',
        unit_price: '12.34',
        unit_cost: '4.99',
        tax_class: 'VAT 22 %',
      }),
      paper: await createRecord(testApp, 'products', {
        product_name: 'Paper',
        unit_price: '0.07',
        tax_class: 'VAT 4 %',
      }),
    };
    potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Plotters for Turin',
      account_id: String(account),
      amount: '50.00',
      expected_close_date: '2027-03-31',
      sales_stage: 'Prospecting',
    });
  });

  it('spreads the overall discount to the cent', async () => {
    // Net total 130.91, overall discount 10 % = 13.09. Rounded down, the shares are 9.99, 3.08 and 0.00;
    // the 2 cents left go to the two largest lines.
    const quote = await saveQuote(null, 'Plotters');

    const html = (await section(admin))!;

    expect(textOf(/<p data-lines-quote>([\s\S]*?)<\/p>/.exec(html)![1])).toBe(
      `Lines of quote ${await quoteNumber(quote)} Plotters`,
    );
    expect(html).toContain(`<a href="/quotes/${quote}">`);
    expect(html).toContain(`<a href="/products/${products.plotter}">Plotter</a>`);
    expect(lineRows(html)).toEqual(LINES);
    expect(totalRow(html)).toEqual(['Total', '€ 130.91', '€ 13.09', '€ 117.82', '', '', '', '']);
    expect(textOf(/data-lines-note="unknown"[^>]*>([\s\S]*?)<\/p>/.exec(html)![1])).toContain(
      '1 line has no unit cost, so the margin of the quote is unknown.',
    );
    const [stored] = await query<{
      net_total_cents: string | number;
      overall_discount_cents: string | number;
    }>('SELECT net_total_cents, overall_discount_cents FROM quotes WHERE id = ?', [quote]);
    expect(Number(stored.net_total_cents) - Number(stored.overall_discount_cents)).toBe(11782);
    expect(warning(html, 'none')).toBeUndefined();
  });

  it('spreads the same in group mode', async () => {
    await saveQuote(null, 'Plotters', { taxMode: 'Group' });

    const html = (await section(admin))!;

    expect(lineRows(html)).toEqual(LINES);
    expect(totalRow(html).slice(1, 4)).toEqual(['€ 130.91', '€ 13.09', '€ 117.82']);
  });

  it('keeps the quoted cost when the product changes', async () => {
    const quote = await saveQuote(null, 'Plotters');
    const storedCosts = async () =>
      (
        await query<{ unit_cost_cents: string | number | null }>(
          'SELECT unit_cost_cents FROM quote_lines WHERE quote_id = ? ORDER BY position',
          [quote],
        )
      ).map((row) => (row.unit_cost_cents === null ? null : Number(row.unit_cost_cents)));
    expect(await storedCosts()).toEqual([2000, 499, null]);

    await setUnitCost(products.plotter, '25.00');
    await setUnitCost(products.paper, '0.05');
    const html = (await section(admin))!;

    expect(lineRows(html)[0]).toEqual(LINES[0]);
    expect(lineRows(html)[2]).toEqual([
      'Paper',
      '1',
      '€ 0.07',
      '€ 0.07',
      '€ 0.00',
      '€ 0.07',
      '€ 0.05 (current)',
      '€ 0.05',
      '€ 0.02',
      '28.6 %',
    ]);
    // Cost 60.00 + 12.48 + 0.05 = 72.53; margin 117.82 − 72.53 = 45.29, which is 38.4 % of 117.82.
    expect(totalRow(html)).toEqual([
      'Total',
      '€ 130.91',
      '€ 13.09',
      '€ 117.82',
      '',
      '€ 72.53',
      '€ 45.29',
      '38.4 %',
    ]);
    expect(html).toContain('data-lines-note="current"');
    expect(html).not.toContain('data-lines-note="unknown"');

    // A mass edit of the tax mode prices the stored lines again and keeps their costs.
    const mass = await testApp.app
      .get(RecordsService)
      .save('quotes', ADMIN, quote, { tax_mode: 'Group' }, ISO_FORMAT, 'mass');
    expect(mass.ok).toBe(true);
    expect(await storedCosts()).toEqual([2000, 499, null]);

    // Saving the quote's form again stores the products' current costs.
    await saveQuote(quote, 'Plotters');
    expect(await storedCosts()).toEqual([2500, 499, 5]);
  });

  it('warns without an active quote', async () => {
    await saveQuote(null, 'Accepted plotters', { stage: 'Accepted' });

    const html = (await section(admin))!;

    expect(textOf(warning(html, 'none')!)).toContain(
      'No active quote is linked to this potential, so its amount is typed by hand.',
    );
    expect(html).toContain(`href="/quotes/new?potential_id=${potential}&account_id=${account}"`);
    const form = (await admin.get(`/quotes/new?potential_id=${potential}&account_id=${account}`)).text;
    const selected = (name: string) =>
      new RegExp(`<select [^>]*name="${name}"[\\s\\S]*?<option value="(\\d+)" selected>`).exec(form)?.[1];
    expect(selected('potential_id')).toBe(String(potential));
    expect(selected('account_id')).toBe(String(account));
    expect(lineRows(html)).toEqual([]);
  });

  it('warns when the amount was typed after the quote', async () => {
    const quote = await saveQuote(null, 'Plotters');
    await testApp.app
      .get(RecordsService)
      .save('potentials', ADMIN, potential, { amount: '300.00' }, ISO_FORMAT, 'mass');

    const html = (await section(admin))!;

    expect(textOf(warning(html, 'typed')!)).toContain('The amount was typed by hand after the last save');
    expect(warning(html, 'typed')).toContain(`href="/quotes/${quote}"`);
    expect(lineRows(html)).toEqual([]);
  });

  it('names every active quote and the deciding one', async () => {
    const first = await saveQuote(null, 'First plotters');
    const second = await saveQuote(null, 'Second plotters', { stage: 'Delivered' });

    const html = (await section(admin))!;

    const text = textOf(warning(html, 'several')!);
    expect(text).toContain('2 active quotes are linked to this potential:');
    expect(text).toContain(`${await quoteNumber(first)} First plotters`);
    expect(text).toContain(
      `The amount and the lines below come from the one saved last, ${await quoteNumber(second)} Second plotters.`,
    );
    expect(textOf(/<p data-lines-quote>([\s\S]*?)<\/p>/.exec(html)![1])).toContain('Second plotters');
  });

  it('is absent for a profile without quotes', async () => {
    await saveQuote(null, 'Plotters');
    await saveProfile(['potentials', 'accounts', 'products']);

    expect(await section(await sara())).toBeUndefined();
  });

  it('hides the lines of a quote out of scope', async () => {
    await saveQuote(null, 'Plotters');
    await setSharing(admin, { ...PUBLIC_SHARING, quotes: 'private' });

    const html = (await section(await sara()))!;

    expect(textOf(warning(html, 'hidden')!)).toBe(
      'The amount comes from a quote you may not open, so its lines are not shown.',
    );
    expect(html).not.toContain('Plotter');
    expect(lineRows(html)).toEqual([]);
  });

  it('hides cost and margin with unit cost hidden', async () => {
    await saveQuote(null, 'Plotters');
    await saveProfile(MODULES, { products: ['unit_cost'] });

    const html = (await section(await sara()))!;

    expect(lineRows(html)).toEqual(LINES.map((row) => row.slice(0, 6)));
    expect(html).not.toContain('Margin');
    expect(html).not.toContain('€ 20.00');
  });

  it('is absent when the amount is hidden', async () => {
    await saveQuote(null, 'Plotters');
    await saveProfile(MODULES, { potentials: ['amount'] });

    expect(await section(await sara())).toBeUndefined();
  });

  it('shows Italian money and percentages', async () => {
    await saveQuote(null, 'Plotters');
    await createUser(testApp, 'giulia', SALESPERSON_ROLE);
    await query("UPDATE users SET locale = 'it' WHERE username = 'giulia'");

    const html = (await section(await loginAgent(testApp.app, 'giulia', PASSWORD)))!;

    expect(lineRows(html)[1]).toEqual([
      'Toner',
      '2,5',
      '€ 12,34',
      '€ 30,85',
      '€ 3,09',
      '€ 27,76',
      '€ 4,99',
      '€ 12,48',
      '€ 15,28',
      '55,0 %',
    ]);
  });
});
