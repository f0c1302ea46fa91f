import { LeadFieldMappingService } from '../../modules/leads/lead-field-mapping.service.js';
import { LeadFieldMapping } from '../../modules/leads/lead-field-mapping.js';
import { formValues, unescapeHtml } from '../support/csv-import.js';
import { addCustomField, Agent, createUser, PASSWORD, SALESPERSON_ROLE } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/leads/conversion-mapping';

/** vtenext's mapping of a lead's standard fields onto the account, contact and potential, written out. */
const VTENEXT_MAPPING: LeadFieldMapping[] = [
  { leadField: 'company', accounts: 'account_name' },
  { leadField: 'industry', accounts: 'industry' },
  { leadField: 'phone', accounts: 'phone', contacts: 'phone' },
  { leadField: 'website', accounts: 'website' },
  { leadField: 'annual_revenue', accounts: 'annual_revenue' },
  { leadField: 'employees', accounts: 'employees' },
  { leadField: 'salutation', contacts: 'salutation' },
  { leadField: 'first_name', contacts: 'first_name' },
  { leadField: 'last_name', contacts: 'last_name' },
  { leadField: 'email', contacts: 'email' },
  { leadField: 'mobile', contacts: 'mobile' },
  { leadField: 'title', contacts: 'title' },
  { leadField: 'street', accounts: 'billing_street', contacts: 'mailing_street' },
  { leadField: 'po_box', accounts: 'billing_po_box', contacts: 'mailing_po_box' },
  { leadField: 'city', accounts: 'billing_city', contacts: 'mailing_city' },
  { leadField: 'state', accounts: 'billing_state', contacts: 'mailing_state' },
  { leadField: 'postal_code', accounts: 'billing_code', contacts: 'mailing_zip' },
  { leadField: 'country', accounts: 'billing_country', contacts: 'mailing_country' },
  { leadField: 'lead_source', contacts: 'lead_source', potentials: 'lead_source' },
  { leadField: 'campaign_id', potentials: 'campaign_id' },
  { leadField: 'description', accounts: 'description', contacts: 'description', potentials: 'description' },
];

describe.each(databaseKinds())('lead conversion mapping on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  function current(): Promise<LeadFieldMapping[]> {
    return testApp.app.get(LeadFieldMappingService).current();
  }

  function ruleOf(mapping: LeadFieldMapping[], leadField: string): LeadFieldMapping | undefined {
    return mapping.find((rule) => rule.leadField === leadField);
  }

  /** Posts the editor's form as shown, with the given selects changed. */
  async function saveWith(changes: Record<string, string>) {
    const page = await admin.get(EDITOR);
    return admin
      .post(EDITOR)
      .type('form')
      .send({ ...formValues(page.text, EDITOR), ...changes });
  }

  async function savedRowCount(): Promise<number> {
    const rows: { count: number | string }[] = await testApp.dataSource.query(
      'SELECT COUNT(*) AS count FROM lead_field_mappings',
    );
    return Number(rows[0].count);
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await testApp.dataSource.query('DELETE FROM lead_field_mappings');
  });

  it('applies vtenext mapping on a fresh database', async () => {
    expect(await current()).toEqual(VTENEXT_MAPPING);
    expect(await savedRowCount()).toBe(0);
  });

  it('shows a row per lead field with the mapping in force', async () => {
    const page = await admin.get(EDITOR);
    const values = formValues(page.text, EDITOR);

    expect(page.status).toBe(200);
    expect(page.text).toContain('id="row-company"');
    expect(page.text).not.toContain('id="row-assigned_user_id"');
    expect(page.text).not.toContain('id="row-lead_no"');
    expect(values['accounts.company']).toBe('account_name');
    expect(values['contacts.street']).toBe('mailing_street');
    expect(values['potentials.description']).toBe('description');
    expect(values['accounts.email']).toBe('');
  });

  it('offers only compatible target fields', async () => {
    const page = (await admin.get(EDITOR)).text;
    const select = /<select[^>]*name="contacts\.email"[^>]*>([\s\S]*?)<\/select>/.exec(page)![1];
    const offered = [...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]);

    expect(offered).toContain('');
    expect(offered).toContain('email');
    expect(offered).toContain('title');
    expect(offered).not.toContain('birthdate');
    expect(offered).not.toContain('assigned_user_id');
    expect(offered).not.toContain('contact_no');
    // The contact's name comes from a text field only, not from an email address.
    expect(offered).not.toContain('last_name');
  });

  it('links to the editor from the Layout Editor and the leads list', async () => {
    expect((await admin.get('/admin/layout/leads')).text).toContain(`href="${EDITOR}"`);
    expect((await admin.get('/leads')).text).toContain(`href="${EDITOR}"`);
    expect((await admin.get('/admin/layout/contacts')).text).not.toContain(`href="${EDITOR}"`);
  });

  it('saves a changed mapping that current() returns', async () => {
    const response = await saveWith({
      'contacts.email': '',
      'accounts.email': 'email',
      'contacts.mobile': '',
    });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(EDITOR);
    const mapping = await current();
    expect(ruleOf(mapping, 'email')).toEqual({ leadField: 'email', accounts: 'email' });
    expect(ruleOf(mapping, 'mobile')).toBeUndefined();
    expect(ruleOf(mapping, 'company')).toEqual({ leadField: 'company', accounts: 'account_name' });
    const page = await admin.get(EDITOR);
    expect(page.text).toContain('The conversion mapping was saved.');
    expect(page.text).toContain('An administrator&#x27;s mapping is in force.');
  });

  it('serves a saved mapping to another instance', async () => {
    await saveWith({ 'contacts.title': '' });
    const other = await startAppOn(testApp.database);
    try {
      const mapping = await other.get(LeadFieldMappingService).current();

      expect(ruleOf(mapping, 'title')).toBeUndefined();
      expect(ruleOf(mapping, 'email')).toEqual({ leadField: 'email', contacts: 'email' });
    } finally {
      await other.close();
    }
  });

  it('maps a custom lead field to a custom contact field', async () => {
    const leadField = await addCustomField(admin, '/admin/layout/leads', {
      label_en: 'Referrer',
      label_it: 'Segnalatore',
      type: 'text',
    });
    const contactField = await addCustomField(admin, '/admin/layout/contacts', {
      label_en: 'Referred by',
      label_it: 'Segnalato da',
      type: 'text',
    });
    const page = (await admin.get(EDITOR)).text;

    expect(page).toContain('Referrer');
    expect(page).toContain(`<option value="${contactField}">Referred by</option>`);
    const response = await saveWith({ [`contacts.${leadField}`]: contactField });
    expect(response.status).toBe(303);
    expect(ruleOf(await current(), leadField)).toEqual({ leadField, contacts: contactField });
  });

  it('rejects text into a date and saves nothing', async () => {
    const leadField = await addCustomField(admin, '/admin/layout/leads', {
      label_en: 'Birthday note',
      label_it: 'Nota compleanno',
      type: 'text',
    });

    const response = await saveWith({ [`contacts.${leadField}`]: 'birthdate', 'contacts.title': '' });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(
      'Lead field "Birthday note" cannot fill "Birthdate" of Contacts: a text cannot go into a date.',
    );
    expect(response.text).toContain(`href="#field-contacts-${leadField}"`);
    expect(response.text).toContain(`id="field-contacts-${leadField}"`);
    // The refused choice and the other changes stay selected, as submitted.
    const values = formValues(response.text, EDITOR);
    expect(values[`contacts.${leadField}`]).toBe('birthdate');
    expect(values['contacts.title']).toBe('');
    expect(await savedRowCount()).toBe(0);
    expect(ruleOf(await current(), 'title')).toEqual({ leadField: 'title', contacts: 'title' });
  });

  it('rejects two lead fields filling one target', async () => {
    const response = await saveWith({ 'contacts.mobile': 'phone' });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(
      'Lead field "Mobile" cannot fill "Office Phone" of Contacts: lead field "Phone" already fills it.',
    );
    expect(await savedRowCount()).toBe(0);
  });

  it('reports a target filled twice on the row just changed', async () => {
    const response = await saveWith({ 'contacts.first_name': 'last_name' });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(
      'Lead field "First Name" cannot fill "Last Name" of Contacts: lead field "Last Name" already fills it.',
    );
    expect(response.text).toContain('href="#field-contacts-first_name"');
    expect(response.text).not.toContain('href="#field-contacts-last_name"');
    expect(await savedRowCount()).toBe(0);
  });

  it('rejects a field the target module lacks', async () => {
    const response = await saveWith({ 'accounts.email': 'no_such_field' });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('Accounts has no such field');
    expect(await savedRowCount()).toBe(0);
  });

  it('rejects the owner field as a target', async () => {
    const response = await saveWith({ 'accounts.company': 'assigned_user_id' });

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('the conversion assigns the new records itself');
    expect(await savedRowCount()).toBe(0);
  });

  it('rejects a non-administrator', async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    expect((await sara.get(EDITOR)).status).toBe(403);
    const response = await postForm(sara, '/leads', EDITOR, { 'contacts.email': '' });
    expect(response.status).toBe(403);
    expect((await sara.get('/leads')).text).not.toContain(`href="${EDITOR}"`);
    expect(await savedRowCount()).toBe(0);
  });

  it('rejects a save without CSRF token', async () => {
    const page = await admin.get(EDITOR);
    const values = formValues(page.text, EDITOR);
    delete values._csrf;

    const response = await admin
      .post(EDITOR)
      .type('form')
      .send({ ...values, 'contacts.email': '' });

    expect(response.status).toBe(403);
    expect(await savedRowCount()).toBe(0);
  });

  it('resets to the default mapping after confirmation', async () => {
    await saveWith({ 'contacts.email': '' });
    expect(await savedRowCount()).toBeGreaterThan(0);
    const confirmation = await admin.get(`${EDITOR}/reset`);
    expect(confirmation.status).toBe(200);

    const response = await postForm(admin, `${EDITOR}/reset`, `${EDITOR}/reset`, {});

    expect(response.status).toBe(303);
    expect(await current()).toEqual(VTENEXT_MAPPING);
    expect(await savedRowCount()).toBe(0);
  });

  it('drops a deleted custom field from the mapping in force', async () => {
    const leadField = await addCustomField(admin, '/admin/layout/leads', {
      label_en: 'Budget note',
      label_it: 'Nota budget',
      type: 'text',
    });
    const contactField = await addCustomField(admin, '/admin/layout/contacts', {
      label_en: 'Budget remark',
      label_it: 'Osservazione budget',
      type: 'textarea',
    });
    const saved = await saveWith({
      [`contacts.${leadField}`]: contactField,
      [`potentials.${leadField}`]: 'next_step',
    });
    expect(saved.status).toBe(303);
    const contactsEditor = `/admin/layout/contacts/fields/${contactField}/delete`;

    await postForm(admin, contactsEditor, contactsEditor, {});

    expect(ruleOf(await current(), leadField)).toEqual({ leadField, potentials: 'next_step' });
    const leadsEditor = `/admin/layout/leads/fields/${leadField}/delete`;
    await postForm(admin, leadsEditor, leadsEditor, {});
    expect(ruleOf(await current(), leadField)).toBeUndefined();
    expect(ruleOf(await current(), 'company')).toEqual({ leadField: 'company', accounts: 'account_name' });
    expect((await admin.get(EDITOR)).status).toBe(200);
  });
});
