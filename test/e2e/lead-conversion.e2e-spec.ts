import { EventBus } from '../../src/events/event-bus.js';
import { LeadConvertedEvent } from '../../src/events/lead-converted.event.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  addCustomField,
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
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

/** A lead with a value in every field that the default mapping copies. */
const FULL_LEAD = {
  salutation: 'Ms.',
  first_name: 'Ada',
  last_name: 'Byron',
  company: 'Analytical Engines',
  title: 'Chief Engineer',
  email: 'ada@engines.example',
  phone: '+44 20 1234',
  mobile: '+44 77 5678',
  website: 'https://engines.example',
  lead_source: 'Trade Show',
  industry: 'Engineering',
  annual_revenue: '1250000.50',
  employees: '40',
  street: '12 Marylebone Road',
  po_box: 'PO 7',
  city: 'London',
  state: 'Greater London',
  postal_code: 'NW1 5LR',
  country: 'United Kingdom',
  description: 'Met at the fair',
};

/** The conversion page's fields for all three records, as the English page sends them. */
const ALL_THREE = {
  create_accounts: '1',
  account_choice: 'new',
  'accounts.account_name': 'Analytical Engines',
  create_contacts: '1',
  'contacts.first_name': 'Ada',
  'contacts.last_name': 'Byron',
  'contacts.email': 'ada@engines.example',
  create_potentials: '1',
  'potentials.potential_name': 'Engines for 2027',
  'potentials.expected_close_date': '06/30/2027',
  'potentials.sales_stage': 'Prospecting',
  'potentials.amount': '12,500.00',
  assigned_user_id: '1',
};

/** Every module shared with everybody for reading, changing and deleting. */
const PUBLIC_SHARING = {
  accounts: 'public_read_write_delete',
  campaigns: 'public_read_write_delete',
  contacts: 'public_read_write_delete',
  documents: 'public_read_write_delete',
  leads: 'public_read_write_delete',
  potentials: 'public_read_write_delete',
  products: 'public_read_write_delete',
  quotes: 'public_read_write_delete',
};

type Row = Record<string, unknown>;

describe.each(databaseKinds())('lead conversion on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  /** Makes the handler registered after the potentials' fail, to prove the rollback. */
  let failAfterPotentials = false;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    testApp.app.get(EventBus).on(
      LeadConvertedEvent,
      () => {
        if (failAfterPotentials) throw new Error('the test handler failed after the potential');
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
    admin = await loginAgent(testApp.app);
  });

  const rows = (sql: string, params: unknown[] = []) => testApp.dataSource.query<Row[]>(sql, params);
  const count = async (table: string) => Number((await rows(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const lead = async (id: number) => (await rows('SELECT * FROM leads WHERE id = ?', [id]))[0];
  const createdCounts = async () => ({
    accounts: await count('accounts'),
    contacts: await count('contacts'),
    potentials: await count('potentials'),
  });
  const nothingCreated = { accounts: 0, contacts: 0, potentials: 0 };

  /** Posts the conversion page of the lead with the token of its page, as a browser would. */
  const convert = (agent: Agent, id: number, fields: Record<string, string>) =>
    postForm(agent, `/leads/${id}/convert`, `/leads/${id}/convert`, fields);

  it('converts into a new account, contact and potential with the mapped values', async () => {
    const campaignId = await createRecord(testApp, 'campaigns', { campaign_name: 'Spring fair' });
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD, campaign_id: String(campaignId) });

    const page = await admin.get(`/leads/${leadId}/convert`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(
      'id="field-accounts.account_name" name="accounts.account_name" type="text" value="Analytical Engines"',
    );
    expect(page.text).toContain('name="contacts.email" type="email" value="ada@engines.example"');
    expect(page.text).toContain('name="potentials.potential_name" type="text" value="Analytical Engines"');
    expect(page.text).toMatch(/name="potentials.expected_close_date" type="text" value=""/);
    expect(page.text).toMatch(/<option value="Prospecting" selected>/);

    const response = await convert(admin, leadId, ALL_THREE);

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/leads/${leadId}`);
    const [account] = await rows('SELECT * FROM accounts');
    expect(account).toMatchObject({
      account_name: 'Analytical Engines',
      industry: 'Engineering',
      phone: '+44 20 1234',
      website: 'https://engines.example',
      employees: 40,
      billing_street: '12 Marylebone Road',
      billing_po_box: 'PO 7',
      billing_city: 'London',
      billing_state: 'Greater London',
      billing_code: 'NW1 5LR',
      billing_country: 'United Kingdom',
      description: 'Met at the fair',
      assigned_user_id: 1,
    });
    expect(String(account.annual_revenue_cents)).toBe('125000050');
    const [contact] = await rows('SELECT * FROM contacts');
    expect(contact).toMatchObject({
      salutation: 'Ms.',
      first_name: 'Ada',
      last_name: 'Byron',
      email: 'ada@engines.example',
      phone: '+44 20 1234',
      mobile: '+44 77 5678',
      title: 'Chief Engineer',
      lead_source: 'Trade Show',
      mailing_street: '12 Marylebone Road',
      mailing_po_box: 'PO 7',
      mailing_city: 'London',
      mailing_state: 'Greater London',
      mailing_zip: 'NW1 5LR',
      mailing_country: 'United Kingdom',
      description: 'Met at the fair',
    });
    expect(Number(contact.account_id)).toBe(Number(account.id));
    const [potential] = await rows('SELECT * FROM potentials');
    expect(potential).toMatchObject({
      potential_name: 'Engines for 2027',
      sales_stage: 'Prospecting',
      expected_close_date: '2027-06-30',
      lead_source: 'Trade Show',
      description: 'Met at the fair',
    });
    expect(String(potential.amount_cents)).toBe('1250000');
    expect(Number(potential.campaign_id)).toBe(campaignId);
    expect(Number(potential.account_id)).toBe(Number(account.id));
    expect(Number(potential.contact_id)).toBe(Number(contact.id));

    const converted = await lead(leadId);
    expect(converted.converted_at).not.toBeNull();
    expect(Number(converted.converted_account_id)).toBe(Number(account.id));
    expect(Number(converted.converted_contact_id)).toBe(Number(contact.id));
    expect(Number(converted.converted_potential_id)).toBe(Number(potential.id));

    const detail = await admin.get(`/leads/${leadId}`);
    expect(detail.text).toContain('The lead was converted.');
    expect(detail.text).toContain('This lead was converted on');
    expect(detail.text).toContain(
      `<a href="/accounts/${String(account.id)}">Account: Analytical Engines</a>`,
    );
    expect(detail.text).toContain(`<a href="/contacts/${String(contact.id)}">Contact: Ada Byron</a>`);
    expect(detail.text).toContain(
      `<a href="/potentials/${String(potential.id)}">Potential: Engines for 2027</a>`,
    );
    expect(detail.text).not.toContain(`href="/leads/${leadId}/edit"`);
    expect(detail.text).not.toContain(`href="/leads/${leadId}/convert"`);
  });

  it('offers the account of the same name first and links to it', async () => {
    const existing = await createRecord(testApp, 'accounts', { account_name: 'ACME Ltd' });
    await createRecord(testApp, 'accounts', { account_name: 'Another Co' });
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Coyote', company: 'acme ltd' });

    const page = await admin.get(`/leads/${leadId}/convert`);
    expect(page.text).toContain('An account named ACME Ltd already exists');
    expect(page.text).toMatch(/id="account-choice-existing" name="account_choice" value="existing" checked/);
    expect(page.text).toMatch(
      new RegExp(`<option value=""[^>]*></option><option value="${existing}" selected>ACME Ltd</option>`),
    );

    const response = await convert(admin, leadId, {
      create_accounts: '1',
      account_choice: 'existing',
      existing_account: String(existing),
      'accounts.account_name': 'acme ltd',
      create_contacts: '1',
      'contacts.last_name': 'Coyote',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(303);
    expect(await count('accounts')).toBe(2);
    const [contact] = await rows('SELECT account_id FROM contacts');
    expect(Number(contact.account_id)).toBe(existing);
    expect(Number((await lead(leadId)).converted_account_id)).toBe(existing);
  });

  it('converts into a contact only', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Solo', company: 'Solo Inc' });

    const response = await convert(admin, leadId, {
      create_contacts: '1',
      'contacts.last_name': 'Solo',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(303);
    expect(await createdCounts()).toEqual({ accounts: 0, contacts: 1, potentials: 0 });
    const [contact] = await rows('SELECT account_id FROM contacts');
    expect(contact.account_id).toBeNull();
    expect((await lead(leadId)).converted_contact_id).not.toBeNull();
  });

  it('converts into an account only', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Firm', company: 'Firm Ltd' });

    const response = await convert(admin, leadId, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Firm Ltd',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(303);
    expect(await createdCounts()).toEqual({ accounts: 1, contacts: 0, potentials: 0 });
    const converted = await lead(leadId);
    expect(converted.converted_account_id).not.toBeNull();
    expect(converted.converted_contact_id).toBeNull();
  });

  it('rejects a conversion without account and contact', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Nobody' });

    const response = await convert(admin, leadId, {
      create_potentials: '1',
      'potentials.potential_name': 'Lonely deal',
      'potentials.expected_close_date': '06/30/2027',
      'potentials.sales_stage': 'Prospecting',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain(
      'The lead was not converted. Correct what is listed here and convert it again:',
    );
    expect(response.text).toContain('Choose an account, a contact or both. A potential needs one of them.');
    expect(response.text).toContain('value="Lonely deal"');
    expect(await createdCounts()).toEqual(nothingCreated);
    expect((await lead(leadId)).converted_at).toBeNull();
  });

  it('rolls everything back when a later handler fails', async () => {
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });
    failAfterPotentials = true;

    const response = await convert(admin, leadId, ALL_THREE);

    expect(response.status).toBe(500);
    expect(await createdCounts()).toEqual(nothingCreated);
    const unchanged = await lead(leadId);
    expect(unchanged.converted_at).toBeNull();
    expect(unchanged.converted_account_id).toBeNull();
  });

  it('shows the missing close date beside its field and creates nothing', async () => {
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });

    const response = await convert(admin, leadId, {
      ...ALL_THREE,
      'contacts.last_name': 'Typed name',
      'potentials.expected_close_date': '',
    });

    expect(response.status).toBe(422);
    expect(response.text).toMatch(
      /id="error-potentials.expected_close_date">This field is required. Enter a value.<\/div>/,
    );
    expect(response.text).toContain('href="#field-potentials.expected_close_date"');
    expect(response.text).toContain('value="Typed name"');
    expect(await createdCounts()).toEqual(nothingCreated);
    expect((await lead(leadId)).converted_at).toBeNull();
  });

  it('shows the errors of every target at once', async () => {
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });

    const response = await convert(admin, leadId, {
      ...ALL_THREE,
      'accounts.account_name': '',
      'contacts.last_name': '',
      'potentials.expected_close_date': '',
    });

    expect(response.status).toBe(422);
    for (const field of ['accounts.account_name', 'contacts.last_name', 'potentials.expected_close_date'])
      expect(response.text).toContain(`href="#field-${field}"`);
    expect(await createdCounts()).toEqual(nothingCreated);
    expect((await lead(leadId)).converted_at).toBeNull();
  });

  it('rejects a second conversion on the page and on POST', async () => {
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });
    const token = csrfToken((await admin.get(`/leads/${leadId}/convert`)).text);
    expect((await convert(admin, leadId, ALL_THREE)).status).toBe(303);

    const page = await admin.get(`/leads/${leadId}/convert`);
    const again = await admin
      .post(`/leads/${leadId}/convert`)
      .type('form')
      .send({ _csrf: token, ...ALL_THREE, 'accounts.account_name': 'Other name' });

    expect(page.status).toBe(409);
    expect(page.text).toContain('This lead was already converted, so it cannot be converted again.');
    expect(again.status).toBe(409);
    expect(await createdCounts()).toEqual({ accounts: 1, contacts: 1, potentials: 1 });
  });

  it('converts only once when two conversions race', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Racer' });
    const token = csrfToken((await admin.get(`/leads/${leadId}/convert`)).text);
    const post = (name: string) =>
      admin.post(`/leads/${leadId}/convert`).type('form').send({
        _csrf: token,
        create_accounts: '1',
        account_choice: 'new',
        'accounts.account_name': name,
        assigned_user_id: '1',
      });

    const responses = await Promise.all([post('Racer One'), post('Racer Two')]);

    expect(responses.map((response) => response.status).sort()).toEqual([303, 409]);
    expect(await count('accounts')).toBe(1);
  });

  it('keeps a converted lead read-only', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Frozen', company: 'Frozen Co' });
    const token = csrfToken((await admin.get(`/leads/${leadId}`)).text);
    await convert(admin, leadId, {
      create_contacts: '1',
      'contacts.last_name': 'Frozen',
      assigned_user_id: '1',
    });

    const form = await admin.get(`/leads/${leadId}/edit`);
    const saved = await admin
      .post(`/leads/${leadId}`)
      .type('form')
      .send({ _csrf: token, last_name: 'Thawed' });
    const mass = await postForm(admin, '/leads?converted_at=__any__', '/mass/leads', {
      action: 'reassign',
      ids: String(leadId),
      assigned_user_id: '1',
    });
    const result = await admin.get('/mass/leads/result');

    expect(form.status).toBe(409);
    expect(form.text).toContain('This lead was converted, so it can no longer be changed.');
    expect(saved.status).toBe(409);
    expect(saved.text).toContain('This lead was converted, so it can no longer be changed.');
    expect(mass.status).toBe(303);
    expect(result.text).toContain('1 not changed: it is locked');
    expect((await lead(leadId)).last_name).toBe('Frozen');
  });

  it('leaves converted leads out of the default list and shows them on request', async () => {
    const convertedId = await createRecord(testApp, 'leads', { last_name: 'Converted one' });
    await createRecord(testApp, 'leads', { last_name: 'Open one' });
    await convert(admin, convertedId, {
      create_contacts: '1',
      'contacts.last_name': 'Converted one',
      assigned_user_id: '1',
    });

    const standard = await admin.get('/leads');
    const converted = await admin.get('/leads?converted_at=__set__');
    const all = await admin.get('/leads?converted_at=__any__');

    expect(standard.text).toContain('Open one');
    expect(standard.text).not.toContain('Converted one');
    expect(standard.text).toContain('<p class="mb-2" id="list-count">1 record</p>');
    expect(standard.text).toContain('<option value="__empty__" selected>Not converted</option>');
    expect(converted.text).toContain('Converted one');
    expect(converted.text).not.toContain('Open one');
    expect(converted.text).toContain('<option value="__set__" selected>Converted</option>');
    expect(all.text).toContain('<p class="mb-2" id="list-count">2 records</p>');
    expect(all.text).toContain('<option value="__any__" selected>Any</option>');
  });

  it.each([
    ['private', 404],
    ['public_read', 403],
  ])('rejects a user who may not edit the lead (leads %s)', async (level, status) => {
    await setSharing(admin, { ...PUBLIC_SHARING, leads: level });
    try {
      await createUser(testApp, 'sara', SALESPERSON_ROLE);
      const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
      const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });
      const token = csrfToken((await sara.get('/leads')).text);

      const page = await sara.get(`/leads/${leadId}/convert`);
      const posted = await sara
        .post(`/leads/${leadId}/convert`)
        .type('form')
        .send({ _csrf: token, ...ALL_THREE });
      const detail = await sara.get(`/leads/${leadId}`);

      expect(page.status).toBe(status);
      expect(posted.status).toBe(status);
      expect(await createdCounts()).toEqual(nothingCreated);
      expect((await lead(leadId)).converted_at).toBeNull();
      expect(detail.text).not.toContain(`href="/leads/${leadId}/convert"`);
    } finally {
      await setSharing(admin, PUBLIC_SHARING);
    }
  });

  it('names an account the user cannot see without offering to open it', async () => {
    await setSharing(admin, { ...PUBLIC_SHARING, accounts: 'private' });
    try {
      const saraId = await createUser(testApp, 'sara', SALESPERSON_ROLE);
      const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
      await createRecord(testApp, 'accounts', { account_name: 'Verdi Srl' });
      const leadId = await createRecord(testApp, 'leads', {
        last_name: 'Verdi',
        company: 'verdi  srl',
        assigned_user_id: String(saraId),
      });

      const page = await sara.get(`/leads/${leadId}/convert`);
      const posted = await convert(sara, leadId, {
        create_accounts: '1',
        account_choice: 'new',
        'accounts.account_name': 'verdi srl',
        assigned_user_id: String(saraId),
      });

      expect(page.text).not.toContain('Verdi Srl');
      expect(posted.status).toBe(422);
      expect(posted.text).toContain('is already the name of a record you cannot open');
      expect(posted.text).not.toContain('open the existing record');
      expect(await count('accounts')).toBe(1);
      expect((await lead(leadId)).converted_at).toBeNull();
    } finally {
      await setSharing(admin, PUBLIC_SHARING);
    }
  });

  it('offers no potential to a profile that may not create potentials', async () => {
    const roleId = await createRole(testApp, admin, 'Lead qualifiers', SALESPERSON_ROLE);
    const every = ['view', 'create', 'edit', 'delete'];
    await createProfileFor(admin, roleId, 'Qualifier', {
      leads: every,
      accounts: every,
      contacts: every,
      campaigns: ['view'],
      potentials: ['view'],
    });
    await createUser(testApp, 'quinn', roleId);
    const quinn = await loginAgent(testApp.app, 'quinn', PASSWORD);
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });
    await postForm(admin, `/leads/${leadId}/edit`, `/leads/${leadId}`, {
      ...FULL_LEAD,
      assigned_user_id: String((await rows("SELECT id FROM users WHERE username = 'quinn'"))[0].id),
    });

    const page = await quinn.get(`/leads/${leadId}/convert`);
    const forged = await postForm(quinn, `/leads/${leadId}/convert`, `/leads/${leadId}/convert`, ALL_THREE);

    expect(page.status).toBe(200);
    expect(page.text).toContain('name="create_contacts"');
    expect(page.text).not.toContain('name="create_potentials"');
    expect(page.text).not.toContain('potentials.potential_name');
    expect(forged.status).toBe(403);
    expect(await createdCounts()).toEqual(nothingCreated);
    expect((await lead(leadId)).converted_at).toBeNull();
  });

  it('leaves out mapped values the profile hides or makes read-only', async () => {
    const roleId = await createRole(testApp, admin, 'Limited qualifiers', SALESPERSON_ROLE);
    const every = ['view', 'create', 'edit', 'delete'];
    const actions = { leads: every, accounts: every, contacts: every, campaigns: every, potentials: every };
    const profileId = await createProfileFor(admin, roleId, 'Limited qualifier', actions);
    const grid: Record<string, string> = {
      'field:contacts:email': 'hidden',
      'field:accounts:phone': 'readonly',
    };
    for (const [module, allowed] of Object.entries(actions))
      for (const action of allowed) grid[`action:${module}:${action}`] = '1';
    const saved = await postForm(
      admin,
      `/admin/profiles/${profileId}`,
      `/admin/profiles/${profileId}/permissions`,
      grid,
    );
    expect(saved.status).toBe(303);
    const quinnId = await createUser(testApp, 'quinn', roleId);
    const quinn = await loginAgent(testApp.app, 'quinn', PASSWORD);
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD, assigned_user_id: String(quinnId) });

    const page = await quinn.get(`/leads/${leadId}/convert`);
    const response = await convert(quinn, leadId, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Analytical Engines',
      create_contacts: '1',
      'contacts.last_name': 'Byron',
      assigned_user_id: String(quinnId),
    });

    expect(page.text).not.toContain('name="contacts.email"');
    expect(response.status).toBe(303);
    const [contact] = await rows('SELECT email, mobile FROM contacts');
    expect(contact.email).toBeNull();
    expect(contact.mobile).toBe('+44 77 5678');
    const [account] = await rows('SELECT phone, website FROM accounts');
    expect(account.phone).toBeNull();
    expect(account.website).toBe('https://engines.example');
  });

  it('reads and writes numbers and dates in Italian', async () => {
    const saved = await testApp.app.get(UsersService).save(null, {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: PASSWORD,
      roleId: SALESPERSON_ROLE,
      locale: 'it',
    });
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);
    const leadId = await createRecord(testApp, 'leads', {
      ...FULL_LEAD,
      assigned_user_id: String(saved.user.id),
    });

    const page = await giulia.get(`/leads/${leadId}/convert`);
    const response = await convert(giulia, leadId, {
      ...ALL_THREE,
      'potentials.expected_close_date': '30/06/2027',
      'potentials.amount': '12.500,50',
      assigned_user_id: String(saved.user.id),
    });

    expect(page.text).toContain('Creare un contatto');
    expect(response.status).toBe(303);
    const [potential] = await rows('SELECT amount_cents, expected_close_date FROM potentials');
    expect(String(potential.amount_cents)).toBe('1250050');
    expect(potential.expected_close_date).toBe('2027-06-30');
    const [account] = await rows('SELECT annual_revenue_cents FROM accounts');
    expect(String(account.annual_revenue_cents)).toBe('125000050');
  });

  it('requires the CSRF token', async () => {
    const leadId = await createRecord(testApp, 'leads', { ...FULL_LEAD });

    const response = await admin.post(`/leads/${leadId}/convert`).type('form').send(ALL_THREE);

    expect(response.status).toBe(403);
    expect(await createdCounts()).toEqual(nothingCreated);
    expect((await lead(leadId)).converted_at).toBeNull();
  });

  // Last, because the mandatory custom field stays in the contacts' layout.
  it('asks for a mandatory contact field and saves it', async () => {
    const editor = '/admin/layout/contacts';
    const region = await addCustomField(admin, editor, { label_en: 'Region', type: 'text' });
    await postForm(admin, editor, `${editor}/fields/${region}/mandatory`, { mandatory: 'on' });
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Mandy' });
    const fields = { create_contacts: '1', 'contacts.last_name': 'Mandy', assigned_user_id: '1' };

    const page = await admin.get(`/leads/${leadId}/convert`);
    const empty = await convert(admin, leadId, { ...fields, [`contacts.${region}`]: '' });
    const filled = await convert(admin, leadId, { ...fields, [`contacts.${region}`]: 'North' });

    expect(page.text).toContain(`name="contacts.${region}"`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain(
      `id="error-contacts.${region}">This field is required. Enter a value.</div>`,
    );
    expect(filled.status).toBe(303);
    const [contact] = await rows(`SELECT ${region} AS region FROM contacts_cf`);
    expect(contact.region).toBe('North');
  });
});
