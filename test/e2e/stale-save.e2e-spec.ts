import { lineFields } from '../support/quotes.js';
import {
  Agent,
  createRecord,
  createUser,
  PASSWORD,
  saveNewQuote,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

/** The hidden fields and CSRF token of an edit form, as a browser would post them back. */
interface OpenedForm {
  _csrf: string;
  _version: string;
  _opened: string;
}

/** Reads the value of a hidden input from a page, undoing Handlebars' escaping of the attribute. */
function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`No hidden field ${name} on the page`);
  return match[1]
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function openedFormOf(html: string): OpenedForm {
  return {
    _csrf: csrfToken(html),
    _version: hiddenValue(html, '_version'),
    _opened: hiddenValue(html, '_opened'),
  };
}

async function openEditForm(agent: Agent, path: string): Promise<OpenedForm> {
  const page = await agent.get(`${path}/edit`);
  expect(page.status).toBe(200);
  return openedFormOf(page.text);
}

/** Returns the table row of the conflict page for a field, without its markup. */
function conflictRow(html: string, field: string): string {
  const match = new RegExp(`<tr data-field="${field}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  return match
    ? match[1]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

describe.each(databaseKinds())('stale saves on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let anna: Agent;
  let annaId: number;
  let potential: number;
  const path = () => `/potentials/${potential}`;
  const form = {
    potential_name: 'Fleet renewal',
    amount: '1,000.00',
    expected_close_date: '06/30/2027',
    sales_stage: 'Prospecting',
    assigned_user_id: '1',
  };

  const stored = async () => {
    const [row] = await testApp.dataSource.query<Record<string, unknown>[]>(
      'SELECT potential_name, amount_cents, sales_stage, version FROM potentials WHERE id = ?',
      [potential],
    );
    return {
      name: row.potential_name,
      amountCents: Number(row.amount_cents),
      stage: row.sales_stage,
      version: Number(row.version),
    };
  };

  /** Creates an account and a product, and returns the form of a quote of two of them, at 100.00 each. */
  const quoteFormWithPrinters = async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi S.p.A.' });
    const printer = await createRecord(testApp, 'products', {
      product_name: 'Laser printer',
      unit_price: '100.00',
      tax_class: 'VAT 22 %',
    });
    const quoteForm = {
      subject: 'Printers for the Milan office',
      account_id: String(account),
      quote_stage: 'Created',
      tax_mode: 'Individual',
      assigned_user_id: '1',
      ...lineFields([{ product: String(printer), quantity: '2' }]),
      pricing_overall_discount_kind: 'none',
    };
    return { printer, quoteForm };
  };

  /**
   * Opens the potential's edit form as the administrator and as Anna, then saves Anna's (amount and stage)
   * and the administrator's (amount and name) in that order.
   */
  const saveTwoOpenForms = async () => {
    const adminForm = await openEditForm(admin, path());
    const annaForm = await openEditForm(anna, path());
    const first = await anna
      .post(path())
      .type('form')
      .send({ ...annaForm, ...form, amount: '2,000.00', sales_stage: 'Qualification' });
    const second = await admin
      .post(path())
      .type('form')
      .send({ ...adminForm, ...form, amount: '3,000.00', potential_name: 'Fleet renewal 2027' });
    return { first, second };
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
    annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Fleet renewal',
      amount: '1000',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
    });
  });

  it('edit form carries the opened version', async () => {
    const opened = await openEditForm(admin, path());

    expect(opened._version).toBe('1');
    expect(JSON.parse(opened._opened)).toMatchObject({ potential_name: 'Fleet renewal', amount: '1,000.00' });
  });

  it('save with the current version passes', async () => {
    const opened = await openEditForm(admin, path());

    const response = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form, amount: '1,500.00' });

    expect(response.status).toBe(303);
    expect(await stored()).toMatchObject({ amountCents: 150000, version: 2 });
  });

  it('stale save is rejected with 409', async () => {
    const { first, second } = await saveTwoOpenForms();

    expect(first.status).toBe(303);
    expect(second.status).toBe(409);
    expect(second.text).toContain('Someone else saved this record after you opened the form');
    expect(second.text).toContain('Anna Bianchi');
    expect(conflictRow(second.text, 'amount')).toContain('1,000.00 2,000.00 3,000.00');
    expect(conflictRow(second.text, 'amount')).toContain('Both of you changed it');
    expect(conflictRow(second.text, 'sales_stage')).toContain('Prospecting Qualification Prospecting');
    expect(conflictRow(second.text, 'potential_name')).toContain('only you changed this field');
    expect(conflictRow(second.text, 'expected_close_date')).toBe('');
    expect(second.text).toContain(`href="${path()}">Discard my changes</a>`);
    expect(second.text).not.toContain('are not compared');
    expect(await stored()).toEqual({
      name: 'Fleet renewal',
      amountCents: 200000,
      stage: 'Qualification',
      version: 2,
    });
  });

  it('review form merges both users changes', async () => {
    const { second: rejected } = await saveTwoOpenForms();

    const review = openedFormOf(rejected.text);
    expect(review._version).toBe('2');
    expect(rejected.text).toContain('name="potential_name" type="text" value="Fleet renewal 2027"');
    expect(rejected.text).toContain('name="amount" type="text" value="2,000.00"');
    expect(rejected.text).toContain('Your value was 3,000.00');

    const again = await admin
      .post(path())
      .type('form')
      .send({
        ...review,
        ...form,
        amount: '2,000.00',
        sales_stage: 'Qualification',
        potential_name: 'Fleet renewal 2027',
      });

    expect(again.status).toBe(303);
    expect(await stored()).toEqual({
      name: 'Fleet renewal 2027',
      amountCents: 200000,
      stage: 'Qualification',
      version: 3,
    });
  });

  it('form shown again after an error keeps its opened version', async () => {
    const opened = await openEditForm(admin, path());
    const invalid = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form, expected_close_date: '02/30/2027' });
    await postForm(anna, `${path()}/edit`, path(), { ...form, amount: '5,000.00' });

    const resubmitted = await admin
      .post(path())
      .type('form')
      .send({ ...openedFormOf(invalid.text), ...form, amount: '6,000.00' });

    expect(invalid.status).toBe(422);
    expect(resubmitted.status).toBe(409);
    expect((await stored()).amountCents).toBe(500000);
  });

  it('mass edit in between makes the form stale', async () => {
    const opened = await openEditForm(admin, path());
    const mass = await postForm(anna, '/potentials', '/mass/potentials/edit', {
      field: 'next_step',
      next_step: 'Call back',
      ids: [String(potential)],
    });

    const response = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form });

    expect(mass.status).toBe(303);
    expect(response.status).toBe(409);
    expect(conflictRow(response.text, 'next_step')).toContain('Call back');
    expect(await stored()).toMatchObject({ version: 2 });
  });

  it('board move in between makes the form stale', async () => {
    const opened = await openEditForm(admin, path());
    const move = await postForm(anna, '/pipeline', '/pipeline/move', {
      id: String(potential),
      sales_stage: 'Negotiation/Review',
    });

    const response = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form, amount: '1,200.00' });

    expect(move.status).toBe(303);
    expect(response.status).toBe(409);
    expect(await stored()).toMatchObject({ stage: 'Negotiation/Review', amountCents: 100000 });
  });

  it('quote setting the amount makes the form stale', async () => {
    const opened = await openEditForm(admin, path());
    const { quoteForm } = await quoteFormWithPrinters();
    await saveNewQuote(anna, { ...quoteForm, potential_id: String(potential) });

    const response = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form, next_step: 'Send the offer' });

    expect(response.status).toBe(409);
    expect(conflictRow(response.text, 'amount')).toContain('1,000.00 244.00 1,000.00');
    expect(await stored()).toMatchObject({ amountCents: 24400, version: 2 });
  });

  it('moving a user’s records makes the form stale', async () => {
    potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Anna’s deal',
      amount: '1000',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: String(annaId),
    });
    const opened = await openEditForm(admin, path());
    const moved = await postForm(admin, '/admin/users', `/admin/users/${annaId}/move-records`, {
      toOwner: '1',
    });

    const response = await admin
      .post(path())
      .type('form')
      .send({ ...opened, ...form, potential_name: 'Anna’s deal', assigned_user_id: String(annaId) });

    expect(moved.status).toBe(303);
    expect(response.status).toBe(409);
    expect(conflictRow(response.text, 'assigned_user_id')).toContain(
      'Anna Bianchi Administrator Anna Bianchi',
    );
    const [row] = await testApp.dataSource.query<Record<string, unknown>[]>(
      'SELECT assigned_user_id, version FROM potentials WHERE id = ?',
      [potential],
    );
    expect(Number(row.assigned_user_id)).toBe(1);
    expect(Number(row.version)).toBe(2);
  });

  it('save without a version is not checked', async () => {
    await openEditForm(admin, path());
    await postForm(anna, `${path()}/edit`, path(), { ...form, amount: '2,000.00' });

    const response = await postForm(admin, `${path()}/edit`, path(), { ...form, amount: '3,000.00' });

    expect(response.status).toBe(303);
    expect(await stored()).toMatchObject({ amountCents: 300000, version: 3 });
  });

  it('concurrent saves let exactly one through', async () => {
    const adminForm = await openEditForm(admin, path());
    const annaForm = await openEditForm(anna, path());

    const responses = await Promise.all([
      admin
        .post(path())
        .type('form')
        .send({ ...adminForm, ...form, amount: '3,000.00' }),
      anna
        .post(path())
        .type('form')
        .send({ ...annaForm, ...form, amount: '2,000.00' }),
    ]);

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([303, 409]);
    const winner = responses[0].status === 303 ? 300000 : 200000;
    expect(await stored()).toMatchObject({ amountCents: winner, version: 2 });
  });

  it('hidden field stays off the conflict page', async () => {
    const [original] = await testApp.dataSource.query<{ profile_id: number }[]>(
      'SELECT profile_id FROM role_profiles WHERE role_id = ?',
      [SALESPERSON_ROLE],
    );
    const created = await postForm(admin, '/admin/profiles', '/admin/profiles', {
      name: 'No next step',
      description: 'For the tests',
    });
    const profileId = Number(/\/admin\/profiles\/(\d+)$/.exec(created.headers.location)![1]);
    const grid: Record<string, string> = { 'field:potentials:next_step': 'hidden' };
    for (const action of ['view', 'create', 'edit', 'delete', 'import', 'export'])
      grid[`action:potentials:${action}`] = '1';
    await postForm(admin, `/admin/profiles/${profileId}`, `/admin/profiles/${profileId}/permissions`, grid);
    await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
      profileIds: String(profileId),
    });

    try {
      const annaForm = await openEditForm(anna, path());
      const adminForm = await openEditForm(admin, path());
      await admin
        .post(path())
        .type('form')
        .send({ ...adminForm, ...form, amount: '2,000.00', next_step: 'Secret step' });
      const response = await anna
        .post(path())
        .type('form')
        .send({ ...annaForm, ...form, amount: '3,000.00' });

      expect(JSON.parse(annaForm._opened)).not.toHaveProperty('next_step');
      expect(response.status).toBe(409);
      expect(conflictRow(response.text, 'amount')).toContain('1,000.00 2,000.00 3,000.00');
      expect(response.text).not.toContain('Secret step');
      expect(conflictRow(response.text, 'next_step')).toBe('');
    } finally {
      await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
        profileIds: String(original.profile_id),
      });
    }
  });

  it('quote form carries the version and rejects a stale save', async () => {
    const { printer, quoteForm } = await quoteFormWithPrinters();
    const quote = await saveNewQuote(admin, quoteForm);
    const adminForm = await openEditForm(admin, `/quotes/${quote}`);
    const annaForm = await openEditForm(anna, `/quotes/${quote}`);
    const first = await anna
      .post(`/quotes/${quote}`)
      .type('form')
      .send({ ...annaForm, ...quoteForm, subject: 'Printers, revised' });

    const second = await admin
      .post(`/quotes/${quote}`)
      .type('form')
      .send({ ...adminForm, ...quoteForm, ...lineFields([{ product: String(printer), quantity: '5' }]) });

    expect(adminForm._version).toBe('1');
    expect(first.status).toBe(303);
    expect(second.status).toBe(409);
    expect(conflictRow(second.text, 'subject')).toContain('Printers, revised');
    expect(second.text).toContain('lines, are not compared');
    const [row] = await testApp.dataSource.query<Record<string, unknown>[]>(
      'SELECT q.subject, q.version, l.quantity FROM quotes q JOIN quote_lines l ON l.quote_id = q.id WHERE q.id = ?',
      [quote],
    );
    expect(row.subject).toBe('Printers, revised');
    expect(Number(row.version)).toBe(2);
    expect(Number(row.quantity)).toBe(2);
  });
});
