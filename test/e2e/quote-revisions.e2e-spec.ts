import { parse } from 'csv-parse/sync';
import { EventBus } from '../../src/events/event-bus.js';
import { QuoteTotalsChangedEvent } from '../../src/events/quote-totals-changed.event.js';
import { QuoteRevisionsService } from '../../modules/quotes/quote-revisions.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import {
  addCustomField,
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  ISO_FORMAT,
  PASSWORD,
  SALESPERSON_ROLE,
  saveNewQuote,
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

const EDITOR = '/admin/layout/quotes';

/** The quote columns a revision copies unchanged, besides the custom field. */
const COPIED_COLUMNS = [
  'subject',
  'potential_id',
  'account_id',
  'contact_id',
  'valid_until',
  'assigned_user_id',
  'assigned_group_id',
  'tax_mode',
  'net_total_cents',
  'overall_discount_cents',
  'taxes_total_cents',
  'shipping_handling_cents',
  'adjustment_cents',
  'grand_total_cents',
  'bill_street',
  'bill_city',
  'ship_street',
  'ship_city',
  'terms_conditions',
  'description',
];

/** A column value as the drivers return it: BIGINT is a string on MariaDB and a number on SQLite. */
type DatabaseValue = string | number | null;

/** Returns a column value as text, so that values read from both drivers compare alike. */
function asText(value: DatabaseValue): string | null {
  return value === null ? null : String(value);
}

/** Every module public, as a fresh install has it; a test changes one module's level. */
const PUBLIC_SHARING = Object.fromEntries(
  ['accounts', 'campaigns', 'contacts', 'leads', 'potentials', 'products', 'quotes'].map((module) => [
    module,
    'public_read_write_delete',
  ]),
);

const LINE_COLUMNS =
  'position, product_id, product_name, quantity, unit_price_cents, discount_kind, discount_text, comment, ' +
  'gross_cents, discount_cents, net_cents, tax_cents, tax_rates, unit_cost_cents';

describe.each(databaseKinds())('quote revisions on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;
  let contact: number;
  let potential: number;
  let printer: number;
  let toner: number;
  let deliveryNote: string;
  /** Makes a test handler of quote.totals-changed fail, to prove that the revision is rolled back. */
  let failTotalsHandler = false;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  /** Returns the values of the given columns of a quote as text, so that both drivers compare alike. */
  const quoteRow = async (id: number, columns: string[]) => {
    const [row] = await query<Record<string, DatabaseValue>>(
      `SELECT ${columns.join(', ')} FROM quotes WHERE id = ?`,
      [id],
    );
    return Object.fromEntries(columns.map((column) => [column, asText(row[column])]));
  };

  const quoteNumbers = async () =>
    (await query<{ quote_no: string }>('SELECT quote_no FROM quotes ORDER BY id')).map((row) => row.quote_no);

  const stageOf = async (id: number) => (await quoteRow(id, ['quote_stage'])).quote_stage;

  const linesOf = async (id: number) =>
    (
      await query<Record<string, DatabaseValue>>(
        `SELECT ${LINE_COLUMNS} FROM quote_lines WHERE quote_id = ? ORDER BY position`,
        [id],
      )
    ).map((row) => Object.values(row).map(asText));

  const pricingOf = async (id: number) =>
    (
      await query<Record<string, DatabaseValue>>(
        'SELECT overall_discount_kind, overall_discount_text, group_taxes, shipping_taxes FROM quote_pricing WHERE quote_id = ?',
        [id],
      )
    ).map((row) => Object.values(row).map(asText));

  /** Two lines with a cascade and an amount discount, an overall discount, shipping with tax and an adjustment. */
  const quoteForm = (more: Record<string, string> = {}) => ({
    subject: 'Printers for Milan',
    account_id: String(account),
    contact_id: String(contact),
    potential_id: String(potential),
    quote_stage: 'Created',
    valid_until: '2027-04-30',
    tax_mode: 'Individual',
    assigned_user_id: '1',
    bill_street: 'Via Roma 1',
    bill_city: 'Milano',
    ship_street: 'Via Torino 2',
    ship_city: 'Milano',
    terms_conditions: 'Payment within 30 days.',
    description: 'Second floor',
    [deliveryNote]: 'Deliver before noon',
    line_count: '5',
    line_product_1: String(printer),
    line_quantity_1: '2.5',
    line_unitPrice_1: '',
    line_discountKind_1: 'cascade',
    line_discount_1: '10+5',
    line_comment_1: 'Floor 2',
    line_product_2: String(toner),
    line_quantity_2: '3',
    line_unitPrice_2: '29.99',
    line_discountKind_2: 'amount',
    line_discount_2: '1.50',
    line_comment_2: '',
    pricing_overall_discount_kind: 'percent',
    pricing_overall_discount: '3',
    pricing_shipping_amount: '12.00',
    pricing_shipping_tax: 'VAT 22 %',
    pricing_adjustment: '-0.07',
    ...more,
  });

  const createQuote = (more: Record<string, string> = {}) => saveNewQuote(admin, quoteForm(more));

  /** Confirms the revise page of a quote as a browser would, and returns the response. */
  const revise = (agent: Agent, id: number) =>
    postForm(agent, `/quotes/${id}/revise`, `/quotes/${id}/revise`, {});

  /** Revises a quote and returns the new quote's id, taken from the redirect to its edit page. */
  const reviseOk = async (id: number) => {
    const response = await revise(admin, id);
    if (response.status !== 303)
      throw new Error(`Revising quote ${id} failed with status ${response.status}`);
    return Number(/\/quotes\/(\d+)\/edit$/.exec(response.headers.location)![1]);
  };

  const storedPotential = async () => {
    const [row] = await query<{ amount_cents: string | number; amount_quote_id: string | number | null }>(
      'SELECT amount_cents, amount_quote_id FROM potentials WHERE id = ?',
      [potential],
    );
    return {
      amountCents: Number(row.amount_cents),
      quoteId: row.amount_quote_id === null ? null : Number(row.amount_quote_id),
    };
  };

  const amountChanges = async () =>
    (
      await query<{ new_cents: string | number; cause: string; quote_id: string | number | null }>(
        'SELECT new_cents, cause, quote_id FROM potential_amount_changes WHERE potential_id = ? ORDER BY id',
        [potential],
      )
    ).map((row) => ({
      newCents: Number(row.new_cents),
      cause: row.cause,
      quoteId: row.quote_id === null ? null : Number(row.quote_id),
    }));

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    deliveryNote = await addCustomField(admin, EDITOR, { label_en: 'Delivery note', type: 'text' });
    testApp.app.get(EventBus).on(
      QuoteTotalsChangedEvent,
      () => {
        if (failTotalsHandler) throw new Error('the test handler failed');
      },
      { order: 1000, owner: 'test' },
    );
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    failTotalsHandler = false;
    await resetRecords(testApp.dataSource);
    account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
    contact = await createRecord(testApp, 'contacts', { last_name: 'Bianchi', account_id: String(account) });
    printer = await createRecord(testApp, 'products', {
      product_name: 'Laser printer',
      unit_price: '100.00',
      unit_cost: '61.50',
      tax_class: 'VAT 22 %',
    });
    toner = await createRecord(testApp, 'products', {
      product_name: 'Toner',
      unit_price: '30.00',
      tax_class: 'VAT 10 %',
    });
    potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Printers for Milan',
      account_id: String(account),
      amount: '50.00',
      expected_close_date: '2027-03-31',
      sales_stage: 'Prospecting',
    });
  });

  it('numbers REV1, then REV2 from a revision', async () => {
    const original = await createQuote();

    const first = await reviseOk(original);
    const second = await reviseOk(first);

    expect(await quoteNumbers()).toEqual(['QUO1', 'QUO1-REV1', 'QUO1-REV2']);
    expect(await stageOf(original)).toBe('Reviewed');
    expect(await stageOf(first)).toBe('Reviewed');
    expect(await stageOf(second)).toBe('Created');
    expect(await quoteRow(second, ['base_quote_id', 'revision_no'])).toEqual({
      base_quote_id: String(original),
      revision_no: '2',
    });
  });

  it('revise confirms, then opens the edit page', async () => {
    const original = await createQuote();
    const confirmation = unescapeHtml((await admin.get(`/quotes/${original}/revise`)).text);

    const response = await revise(admin, original);
    const edit = unescapeHtml((await admin.get(response.headers.location)).text);

    expect(confirmation).toContain('A new quote, QUO1-REV1, is created in the stage Created');
    expect(confirmation).toContain('QUO1 is set to Reviewed.');

    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/quotes\/\d+\/edit$/);
    expect(edit).toContain('Created the revision QUO1-REV1. Change what the customer asked for and save it.');
  });

  it('revision copies fields, lines and totals', async () => {
    const original = await createQuote();

    const revision = await reviseOk(original);

    expect(await quoteRow(revision, COPIED_COLUMNS)).toEqual(await quoteRow(original, COPIED_COLUMNS));
    // 293.15 after the discounts, 54.19 taxes on the lines, 12.00 shipping with 2.64 tax, −0.07 adjustment.
    expect(await quoteRow(revision, ['grand_total_cents'])).toEqual({ grand_total_cents: '36191' });
    expect(await linesOf(revision)).toEqual(await linesOf(original));
    expect(await linesOf(revision)).toHaveLength(2);
    // The cost as quoted goes with the line, so the potential's margin stays the same.
    expect((await linesOf(revision)).map((line) => line.at(-1))).toEqual(['6150', null]);
    expect(await pricingOf(revision)).toEqual(await pricingOf(original));
    expect(await pricingOf(revision)).toHaveLength(1);
    const [custom] = await query<Record<string, string>>(
      `SELECT ${deliveryNote} AS note FROM quotes_cf WHERE id = ?`,
      [revision],
    );
    expect(custom.note).toBe('Deliver before noon');
  });

  it('detail page links revision and original', async () => {
    const original = await createQuote();
    const revision = await reviseOk(original);

    const revisionPage = unescapeHtml((await admin.get(`/quotes/${revision}`)).text);
    const originalPage = unescapeHtml((await admin.get(`/quotes/${original}`)).text);

    expect(revisionPage).toContain(`Revision 1 of <a href="/quotes/${original}">QUO1</a>`);
    expect(revisionPage).toContain(
      `<a class="btn btn-outline-primary" href="/quotes/${revision}/revise">Revise</a>`,
    );
    expect(revisionPage).toMatch(/<tr data-revision="QUO1">[\s\S]*?<tr data-revision="QUO1-REV1">/);
    expect(originalPage).toContain(
      `A newer revision replaces this quote: <a href="/quotes/${revision}">QUO1-REV1</a>`,
    );
    expect(originalPage).not.toContain(`/quotes/${original}/revise`);
  });

  it('older revision is rejected', async () => {
    const original = await createQuote();
    const revision = await reviseOk(original);

    const response = await admin
      .post(`/quotes/${original}/revise`)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec((await admin.get(`/quotes/${revision}/revise`)).text)![1],
      });

    expect(response.status).toBe(409);
    expect(unescapeHtml(response.text)).toContain(
      `QUO1 was already revised, and only the latest revision can be revised. Revise the latest revision instead: <a href="/quotes/${revision}">QUO1-REV1</a>`,
    );
    expect(await quoteNumbers()).toEqual(['QUO1', 'QUO1-REV1']);
  });

  it('Accepted quote is rejected', async () => {
    const accepted = await createQuote({ quote_stage: 'Accepted' });

    const page = await admin.get(`/quotes/${accepted}/revise`);
    const response = await admin
      .post(`/quotes/${accepted}/revise`)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec((await admin.get(`/quotes/${accepted}`)).text)![1],
      });

    expect(page.status).toBe(409);
    expect(response.status).toBe(409);
    expect(unescapeHtml(response.text)).toContain('QUO1 is Accepted, so it cannot be revised');
    expect(await quoteNumbers()).toEqual(['QUO1']);
    expect(await stageOf(accepted)).toBe('Accepted');
  });

  it('Rejected quote keeps its stage', async () => {
    const rejected = await createQuote({ quote_stage: 'Rejected' });

    const revision = await reviseOk(rejected);

    expect(await stageOf(rejected)).toBe('Rejected');
    expect(await stageOf(revision)).toBe('Created');
  });

  it('search, filter and export find the revision number', async () => {
    const original = await createQuote();
    const revision = await reviseOk(original);
    /** Returns the ids of the quotes a list page links to. */
    const listedIds = (html: string) => [
      ...new Set([...html.matchAll(/href="\/quotes\/(\d+)"/g)].map((match) => Number(match[1]))),
    ];

    const searched = (await admin.get('/quotes?q=QUO1-REV1')).text;
    const family = (await admin.get('/quotes?q=QUO1')).text;
    const filtered = (await admin.get('/quotes?quote_no=QUO1-REV1')).text;
    const exported = await admin.get('/export/quotes').buffer(true);
    const rows: string[][] = parse(exported.text, { bom: true });
    const numberColumn = rows[0].indexOf('Record number');

    expect(listedIds(searched)).toEqual([revision]);
    expect(listedIds(family).sort()).toEqual([original, revision].sort());
    expect(listedIds(filtered)).toEqual([revision]);
    // The export has a row per product line, with the quote's number on each.
    expect([...new Set(rows.slice(1).map((row) => row[numberColumn]))].sort()).toEqual(['QUO1', 'QUO1-REV1']);
  });

  it('potential amount follows the revision', async () => {
    const first = await createQuote();
    const second = await createQuote({
      subject: 'One printer',
      line_quantity_1: '1',
      line_product_2: '',
      line_quantity_2: '',
      line_unitPrice_2: '',
      line_discountKind_2: 'none',
      line_discount_2: '',
    });
    const secondTotal = Number((await quoteRow(second, ['grand_total_cents'])).grand_total_cents);
    expect(await storedPotential()).toEqual({ amountCents: secondTotal, quoteId: second });

    const revision = await reviseOk(first);

    const firstTotal = Number((await quoteRow(first, ['grand_total_cents'])).grand_total_cents);
    expect(await storedPotential()).toEqual({ amountCents: firstTotal, quoteId: revision });
    expect((await amountChanges()).at(-1)).toEqual({
      newCents: firstTotal,
      cause: 'quote',
      quoteId: revision,
    });
  });

  it('revising the deciding quote hands it to the revision', async () => {
    const original = await createQuote();
    const total = Number((await quoteRow(original, ['grand_total_cents'])).grand_total_cents);
    const changesBefore = await amountChanges();

    const revision = await reviseOk(original);

    expect(await storedPotential()).toEqual({ amountCents: total, quoteId: revision });
    // The amount is unchanged, so the history gets no row.
    expect(await amountChanges()).toEqual(changesBefore);
  });

  it('user without create right gets 403', async () => {
    const roleId = await createRole(testApp, admin, 'Quote editors', SALESPERSON_ROLE);
    await createProfileFor(admin, roleId, 'Quote editors', {
      accounts: ['view'],
      potentials: ['view'],
      quotes: ['view', 'edit'],
    });
    await createUser(testApp, 'edda', roleId);
    const quote = await createQuote();
    const edda = await loginAgent(testApp.app, 'edda', PASSWORD);

    const page = await edda.get(`/quotes/${quote}/revise`);
    const detail = await edda.get(`/quotes/${quote}`);
    const response = await edda
      .post(`/quotes/${quote}/revise`)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(detail.text)![1],
      });

    expect(page.status).toBe(403);
    expect(detail.text).not.toContain(`/quotes/${quote}/revise`);
    expect(response.status).toBe(403);
    expect(await quoteNumbers()).toEqual(['QUO1']);
  });

  it('quote out of scope gets 404', async () => {
    await setSharing(admin, { ...PUBLIC_SHARING, quotes: 'private' });
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const quote = await createQuote();
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    try {
      const page = await sara.get(`/quotes/${quote}/revise`);
      const response = await sara
        .post(`/quotes/${quote}/revise`)
        .type('form')
        .send({
          _csrf: /name="_csrf" value="([^"]+)"/.exec((await sara.get('/quotes')).text)![1],
        });

      expect(page.status).toBe(404);
      expect(response.status).toBe(404);
      expect(await quoteNumbers()).toEqual(['QUO1']);
    } finally {
      await setSharing(admin, PUBLIC_SHARING);
    }
  });

  it('POST without CSRF token is rejected', async () => {
    const quote = await createQuote();

    const response = await admin.post(`/quotes/${quote}/revise`).type('form').send({});

    expect(response.status).toBe(403);
    expect(await quoteNumbers()).toEqual(['QUO1']);
    expect(await stageOf(quote)).toBe('Created');
  });

  it('failure inside the transaction saves nothing', async () => {
    const quote = await createQuote();
    const before = await storedPotential();
    failTotalsHandler = true;

    const response = await revise(admin, quote);

    expect(response.status).toBe(500);
    expect(await quoteNumbers()).toEqual(['QUO1']);
    expect(await query('SELECT id FROM quote_lines WHERE quote_id <> ?', [quote])).toEqual([]);
    expect(await stageOf(quote)).toBe('Created');
    expect(await quoteRow(quote, ['revision_count'])).toEqual({ revision_count: '0' });
    expect(await storedPotential()).toEqual(before);

    failTotalsHandler = false;
    await reviseOk(quote);
    expect(await quoteNumbers()).toEqual(['QUO1', 'QUO1-REV1']);
  });

  it('concurrent revisions never share a number', async () => {
    const quote = await createQuote();
    const service = testApp.app.get(QuoteRevisionsService);

    const results = await Promise.all([
      service.revise(ADMIN, quote, ISO_FORMAT),
      service.revise(ADMIN, quote, ISO_FORMAT),
    ]);

    // The second finds the quote revised by the first: it is rejected rather than made a second current version.
    const succeeded = results.filter((result) => result.ok);
    const rejected = results.filter((result) => !result.ok);
    expect(succeeded).toHaveLength(1);
    expect(rejected.map((result) => !result.ok && result.rejection.code)).toEqual([
      expect.stringMatching(/^(revisedMeanwhile|superseded)$/),
    ]);
    expect(await quoteNumbers()).toEqual(['QUO1', 'QUO1-REV1']);

    const next = await Promise.all([
      service.revise(ADMIN, succeeded[0].ok ? succeeded[0].revision.id : 0, ISO_FORMAT),
      service.revise(ADMIN, quote, ISO_FORMAT),
    ]);
    expect(next.map((result) => result.ok)).toEqual([true, false]);
    expect(await quoteNumbers()).toEqual(['QUO1', 'QUO1-REV1', 'QUO1-REV2']);
  });

  it('unique index rejects a second REV1 of one original', async () => {
    const quote = await createQuote();
    await reviseOk(quote);

    await expect(
      query(
        `INSERT INTO quotes (subject, quote_no, quote_stage, base_quote_id, revision_no, revision_count)
         VALUES ('Copy', 'QUO1-REV1', 'Created', ?, 1, 0)`,
        [quote],
      ),
    ).rejects.toThrow(/UNIQUE|Duplicate/i);
  });
});
