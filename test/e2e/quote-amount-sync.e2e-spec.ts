import { EventBus } from '../../src/events/event-bus.js';
import { QuoteTotalsChangedEvent } from '../../src/events/quote-totals-changed.event.js';
import { importCsv } from '../support/csv-import.js';
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
  saveNewQuote,
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

interface AmountChange {
  old_cents: string | number | null;
  new_cents: string | number | null;
  cause: string;
  quote_id: string | number | null;
}

describe.each(databaseKinds())('a potential amount that follows its quote on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let account: number;
  let potential: number;
  let printer: number;
  /** Makes the test handler registered after the potentials' fail, to prove the rollback. */
  let failAfterPotentials = false;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const storedPotential = async () => {
    const [row] = await query<{
      amount_cents: string | number | null;
      amount_quote_id: string | number | null;
    }>('SELECT amount_cents, amount_quote_id FROM potentials WHERE id = ?', [potential]);
    return {
      amountCents: Number(row.amount_cents),
      quoteId: row.amount_quote_id === null ? null : Number(row.amount_quote_id),
    };
  };

  const changes = async () =>
    (
      await query<AmountChange>(
        'SELECT old_cents, new_cents, cause, quote_id FROM potential_amount_changes WHERE potential_id = ? ORDER BY id',
        [potential],
      )
    ).map((row) => ({
      oldCents: row.old_cents === null ? null : Number(row.old_cents),
      newCents: row.new_cents === null ? null : Number(row.new_cents),
      cause: row.cause,
      quoteId: row.quote_id === null ? null : Number(row.quote_id),
    }));

  /** The form of a quote of `quantity` printers at 100.00 with VAT 22 %, linked to the potential. */
  const quoteForm = (subject: string, quantity: string, stage = 'Created') => ({
    subject,
    account_id: String(account),
    potential_id: String(potential),
    quote_stage: stage,
    tax_mode: 'Individual',
    assigned_user_id: '1',
    line_count: '1',
    line_product_1: String(printer),
    line_quantity_1: quantity,
    line_unitPrice_1: '',
    line_discountKind_1: 'none',
    line_discount_1: '',
    line_comment_1: '',
    pricing_overall_discount_kind: 'none',
    pricing_shipping_amount: '',
    pricing_shipping_tax: '',
    pricing_adjustment: '',
  });

  const createQuote = (subject: string, quantity: string, stage = 'Created') =>
    saveNewQuote(admin, quoteForm(subject, quantity, stage));

  const editQuote = async (id: number, subject: string, quantity: string, stage = 'Created') => {
    const response = await postForm(
      admin,
      `/quotes/${id}/edit`,
      `/quotes/${id}`,
      quoteForm(subject, quantity, stage),
    );
    if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
  };

  const grandTotalCents = async (id: number) => {
    const [row] = await query<{ grand_total_cents: string | number }>(
      'SELECT grand_total_cents FROM quotes WHERE id = ?',
      [id],
    );
    return Number(row.grand_total_cents);
  };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    testApp.app.get(EventBus).on(
      QuoteTotalsChangedEvent,
      () => {
        if (failAfterPotentials) throw new Error('the test handler failed after the potentials');
      },
      { order: 1000, owner: 'test' },
    );
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    failAfterPotentials = false;
    await resetRecords(testApp.dataSource);
    account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
    printer = await createRecord(testApp, 'products', {
      product_name: 'Laser printer',
      unit_price: '100.00',
      tax_class: 'VAT 22 %',
    });
    potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Printers for Milan',
      account_id: String(account),
      amount: '50.00',
      expected_close_date: '2027-03-31',
      sales_stage: 'Prospecting',
    });
  });

  it('amount follows a Created quote and its edits', async () => {
    const quote = await createQuote('Two printers', '2');

    expect(await grandTotalCents(quote)).toBe(24400);
    expect(await storedPotential()).toEqual({ amountCents: 24400, quoteId: quote });

    await editQuote(quote, 'Three printers', '3');

    expect(await storedPotential()).toEqual({ amountCents: 36600, quoteId: quote });
  });

  it('active quote saved last decides', async () => {
    const first = await createQuote('Two printers', '2');
    const second = await createQuote('One printer', '1', 'Delivered');

    expect(await storedPotential()).toEqual({ amountCents: 12200, quoteId: second });

    await editQuote(first, 'Two printers', '2');

    expect(await storedPotential()).toEqual({ amountCents: 24400, quoteId: first });
  });

  it('Accepted quote leaves the amount', async () => {
    await createQuote('Two printers', '2', 'Accepted');

    expect(await storedPotential()).toEqual({ amountCents: 5000, quoteId: null });
  });

  /** Changes fields of a quote as a mass edit does, without its form and its lines. */
  const massEditQuote = async (id: number, input: Record<string, string>) => {
    const result = await testApp.app.get(RecordsService).save('quotes', ADMIN, id, input, ISO_FORMAT, 'mass');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  };

  it('mass edit making a quote active sets the amount', async () => {
    const quote = await createQuote('Two printers', '2', 'Accepted');

    await massEditQuote(quote, { quote_stage: 'Delivered' });

    expect(await storedPotential()).toEqual({ amountCents: 24400, quoteId: quote });
  });

  it('released quote hands the amount to the remaining one', async () => {
    const first = await createQuote('Two printers', '2');
    const second = await createQuote('Three printers', '3');
    expect(await storedPotential()).toEqual({ amountCents: 36600, quoteId: second });

    await editQuote(second, 'Three printers', '3', 'Rejected');

    expect(await storedPotential()).toEqual({ amountCents: 24400, quoteId: first });
  });

  it('binned quote hands the amount back until restored', async () => {
    const first = await createQuote('Two printers', '2');
    const second = await createQuote('Three printers', '3');

    await postForm(admin, `/quotes/${second}/delete`, `/quotes/${second}/delete`, {});
    const afterBinning = await storedPotential();
    await postForm(admin, '/recycle-bin', `/recycle-bin/quotes/${second}/restore`, {});

    expect(afterBinning).toEqual({ amountCents: 24400, quoteId: first });
    expect(await storedPotential()).toEqual({ amountCents: 36600, quoteId: second });
  });

  it('last active quote unlinked keeps the amount unclaimed', async () => {
    const quote = await createQuote('Two printers', '2');

    await massEditQuote(quote, { potential_id: '' });

    expect(await storedPotential()).toEqual({ amountCents: 24400, quoteId: null });
    expect((await admin.get(`/potentials/${potential}`)).text).not.toContain('Amount from quote');
  });

  it('history records user and quote changes', async () => {
    const quote = await createQuote('Two printers', '2');
    const saved = await postForm(admin, `/potentials/${potential}/edit`, `/potentials/${potential}`, {
      potential_name: 'Printers for Milan',
      account_id: String(account),
      amount: '300.00',
      expected_close_date: '03/31/2027',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
    });
    expect(saved.status).toBe(303);

    expect(await changes()).toEqual([
      { oldCents: null, newCents: 5000, cause: 'user', quoteId: null },
      { oldCents: 5000, newCents: 24400, cause: 'quote', quoteId: quote },
      { oldCents: 24400, newCents: 30000, cause: 'user', quoteId: null },
    ]);
    // The user's amount is no longer the quote's.
    expect(await storedPotential()).toEqual({ amountCents: 30000, quoteId: null });
  });

  it('mass edit and import record user changes', async () => {
    const quote = await createQuote('Two printers', '2');
    const edited = await postFormAndFollow(admin, '/potentials', '/mass/potentials/edit', {
      field: 'amount',
      amount: '400.00',
      ids: [String(potential)],
    });
    expect(edited.text).toContain('1 record changed.');

    const imported = await importCsv(
      admin,
      'potentials',
      'Potential Name,Amount,Expected Close Date,Sales Stage\nToner for Rome,75.50,2027-06-30,Prospecting\n',
      { upload: { dateFormat: 'iso' } },
    );
    expect(imported.counts.created).toBe(1);

    expect(await changes()).toEqual([
      { oldCents: null, newCents: 5000, cause: 'user', quoteId: null },
      { oldCents: 5000, newCents: 24400, cause: 'quote', quoteId: quote },
      { oldCents: 24400, newCents: 40000, cause: 'user', quoteId: null },
    ]);
    expect(await storedPotential()).toEqual({ amountCents: 40000, quoteId: null });
    const [rome] = await query<{ old_cents: unknown; new_cents: string | number }>(
      `SELECT c.old_cents, c.new_cents FROM potential_amount_changes c
         JOIN potentials p ON p.id = c.potential_id WHERE p.potential_name = ?`,
      ['Toner for Rome'],
    );
    expect(rome.old_cents).toBeNull();
    expect(Number(rome.new_cents)).toBe(7550);
  });

  it('detail page shows history, quote, warning and chart', async () => {
    const first = await createQuote('Two printers', '2');
    const second = await createQuote('One printer', '1', 'Delivered');
    const [row] = await query<{ quote_no: string }>('SELECT quote_no FROM quotes WHERE id = ?', [second]);

    const html = (await admin.get(`/potentials/${potential}`)).text;

    const deciding = /<p data-amount-quote>([\s\S]*?)<\/p>/.exec(html)![1];
    expect(deciding).toContain(`Amount from quote <a href="/quotes/${second}">${row.quote_no}</a> (saved `);
    const warning = /<div [^>]*data-active-quotes>([\s\S]*?)<\/div>/.exec(html)![1];
    expect(warning).toContain('2 active quotes are linked to this potential');
    expect(warning).toContain(`href="/quotes/${first}"`);
    expect(warning).toContain(`href="/quotes/${second}"`);
    const history = [...html.matchAll(/<tr data-amount-change>([\s\S]*?)<\/tr>/g)].map((match) =>
      [...match[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)]
        .slice(1)
        .map((cell) => cell[1].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')),
    );
    expect(history).toEqual([
      ['€ 244.00', '€ 122.00', 'Quote QUO2'],
      ['€ 50.00', '€ 244.00', 'Quote QUO1'],
      ['none', '€ 50.00', 'Administrator'],
    ]);
    const chart = /<svg [^>]*data-amount-chart[^>]*>/.exec(html)![0];
    expect(chart).toContain('role="img"');
    expect(chart.replace(/\s+/g, ' ')).toMatch(
      /aria-label="Amount over time: [^"]*: € 50\.00; [^"]*: € 244\.00; [^"]*: € 122\.00"/,
    );
    const ticks = [...html.matchAll(/<text [^>]*data-chart-tick>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(ticks).toEqual(['€ 250.00', '€ 125.00', '€ 0.00']);
    const dates = [...html.matchAll(/<text [^>]*data-chart-date>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(dates).toHaveLength(2);
    for (const date of dates) expect(date).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    // Adding up the grand totals of every quote of the potential would count each offer again.
    expect(html).toContain(`href="/quotes/${first}"`);
    expect(html).not.toContain('data-total');
    const accountPage = (await admin.get(`/accounts/${account}`)).text;
    expect(accountPage).toContain('<strong>Amount:</strong> <span data-total>€ 122.00</span>');
    expect(accountPage).not.toContain('<strong>Grand Total:</strong>');
  });

  it('edit form notes the quote under the amount', async () => {
    const quote = await createQuote('Two printers', '2');
    const [row] = await query<{ quote_no: string }>('SELECT quote_no FROM quotes WHERE id = ?', [quote]);

    const html = (await admin.get(`/potentials/${potential}/edit`)).text;

    const note = /<div class="form-text" id="note-amount" data-field-note>([^<]*)<\/div>/.exec(html);
    expect(note?.[1]).toBe(
      `The amount follows quote ${row.quote_no} (Created). A value typed here stays until that quote is saved again.`,
    );
    const input = /<input [^>]*id="field-amount"[^>]*>/.exec(html)![0];
    expect(input).toMatch(/aria-describedby="[^"]*\bnote-amount\b[^"]*"/);
  });

  it('edit form has no amount note without a deciding quote', async () => {
    await createQuote('Two printers', '2', 'Accepted');

    const html = (await admin.get(`/potentials/${potential}/edit`)).text;

    expect(html).not.toContain('note-amount');
  });

  it('edit form hides the quote number from a user without quotes', async () => {
    await createQuote('Two printers', '2');
    await createProfileFor(admin, SALESPERSON_ROLE, 'No quotes', {
      potentials: ['view', 'create', 'edit'],
      accounts: ['view'],
    });
    const saraId = await createUser(testApp, 'sara', SALESPERSON_ROLE);
    await query('UPDATE potentials SET assigned_user_id = ? WHERE id = ?', [saraId, potential]);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const html = (await sara.get(`/potentials/${potential}/edit`)).text;

    const note = /<div class="form-text" id="note-amount" data-field-note>([^<]*)<\/div>/.exec(html);
    expect(note?.[1]).toBe(
      'The amount follows a quote you may not open. A value typed here stays until that quote is saved again.',
    );
    expect(html).not.toContain('QUO');
  });

  it('failing handler rolls the quote save back', async () => {
    failAfterPotentials = true;

    const response = await postForm(admin, '/quotes/new', '/quotes', quoteForm('Two printers', '2'));

    expect(response.status).toBe(500);
    expect(await query('SELECT id FROM quotes')).toEqual([]);
    expect(await query('SELECT id FROM quote_lines')).toEqual([]);
    expect(await storedPotential()).toEqual({ amountCents: 5000, quoteId: null });
    expect(await changes()).toHaveLength(1);
  });
});
