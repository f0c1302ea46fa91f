import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { Agent, createRecord } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetLayouts,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

const DEAL = {
  expected_close_date: '2027-05-31',
  sales_stage: 'Prospecting',
  assigned_user_id: '1',
};

describe.each(databaseKinds())('more field properties on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const fieldPage = (field: string) => `${EDITOR}/fields/${field}`;
  const setProperty = (field: string, property: string, fields: Record<string, string>) =>
    postForm(admin, fieldPage(field), `${fieldPage(field)}/${property}`, fields);

  const storedProperties = async (field: string): Promise<Record<string, unknown> | null> => {
    const rows = await testApp.dataSource.query<{ properties: string | null }[]>(
      `SELECT properties FROM layout_fields WHERE module = 'potentials' AND field = ?`,
      [field],
    );
    const json = rows[0]?.properties ?? null;
    return json === null ? null : (JSON.parse(json) as Record<string, unknown>);
  };

  const storedDeal = async (name: string) =>
    (
      await testApp.dataSource.query<{ next_step: string | null; amount_cents: number | string | null }[]>(
        'SELECT next_step, amount_cents FROM potentials WHERE potential_name = ?',
        [name],
      )
    )[0];

  /** Returns the form fields of a page in their order, as their ids name them. */
  const formFieldNames = (html: string) => [...html.matchAll(/id="field-(\w+)"/g)].map((match) => match[1]);

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await resetLayouts(testApp, ['profile_field_permissions']);
  });

  describe('default value', () => {
    it('prefills the create form only', async () => {
      const id = await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Old' });

      const saved = await setProperty('amount', 'default', { amount: '1,234.50' });

      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe(fieldPage('amount'));
      expect((await storedProperties('amount'))?.defaultValue).toBe('1234.50');
      expect((await admin.get('/potentials/new')).text).toMatch(/name="amount"[^>]*value="1,234.50"/);
      expect((await admin.get(`/potentials/${id}/edit`)).text).toMatch(/name="amount"[^>]*value=""/);
    });

    it('stores a date as ISO and shows it in the user format', async () => {
      await setProperty('expected_close_date', 'default', { expected_close_date: '06/30/2027' });

      expect((await storedProperties('expected_close_date'))?.defaultValue).toBe('2027-06-30');
      expect((await admin.get('/potentials/new')).text).toMatch(
        /name="expected_close_date"[^>]*value="06\/30\/2027"/,
      );
      expect((await admin.get(fieldPage('expected_close_date'))).text).toContain('value="06/30/2027"');
    });

    it.each([
      ['probability', '101', 'The default value is not valid. Must be 100 or less.'],
      ['expected_close_date', '02/30/2027', 'The default value is not valid. This date does not exist.'],
      ['lead_source', 'Carrier pigeon', 'The default value is not valid. "Carrier pigeon" is not one'],
      ['account_id', 'Acme', 'Fields of this type take no default value.'],
    ])('rejects %s = %s', async (field, value, message) => {
      const response = await setProperty(field, 'default', { [field]: value });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(message);
      expect(await storedProperties(field)).toBeNull();
    });

    it('keeps the typed value after an error', async () => {
      const response = await setProperty('probability', 'default', { probability: '101' });

      expect(response.text).toMatch(/name="probability"[^>]*value="101"/);
    });

    it('fills in empty and unmapped columns on import', async () => {
      await setProperty('next_step', 'default', { next_step: 'Call the buyer' });

      const withColumn = await importCsv(
        admin,
        'potentials',
        'Potential Name,Expected Close Date,Sales Stage,Next Step\n' +
          'Typed,2027-06-30,Prospecting,Send the offer\n' +
          'Empty,2027-06-30,Prospecting,\n',
        { upload: { dateFormat: 'iso' } },
      );
      const withoutColumn = await importCsv(
        admin,
        'potentials',
        'Potential Name,Expected Close Date,Sales Stage\nUnmapped,2027-06-30,Prospecting\n',
        { upload: { dateFormat: 'iso' } },
      );

      expect(withColumn.counts.created).toBe(2);
      expect(withoutColumn.counts.created).toBe(1);
      expect((await storedDeal('Typed')).next_step).toBe('Send the offer');
      expect((await storedDeal('Empty')).next_step).toBe('Call the buyer');
      expect((await storedDeal('Unmapped')).next_step).toBe('Call the buyer');
    });

    it('lets an import leave out a mandatory field with a default', async () => {
      await setProperty('expected_close_date', 'default', { expected_close_date: '2027-12-31' });

      const outcome = await importCsv(
        admin,
        'potentials',
        'Potential Name,Sales Stage\nNo date,Prospecting\n',
      );

      expect(outcome.counts.created).toBe(1);
      const rows = await testApp.dataSource.query<{ expected_close_date: string }[]>(
        `SELECT expected_close_date FROM potentials WHERE potential_name = 'No date'`,
      );
      expect(String(rows[0].expected_close_date).slice(0, 10)).toBe('2027-12-31');
    });

    it('leaves a cleared default empty on the form', async () => {
      await setProperty('next_step', 'default', { next_step: 'Call the buyer' });

      await postForm(admin, '/potentials/new', '/potentials', {
        ...DEAL,
        potential_name: 'Cleared',
        next_step: '',
      });

      expect((await storedDeal('Cleared')).next_step).toBeNull();
    });

    it('follows a renamed picklist value and a removed one', async () => {
      // The lead sources start as shipped, as on a new database.
      await testApp.dataSource.query(`DELETE FROM picklist_values WHERE module = 'potentials'`);
      await testApp.dataSource.query(`DELETE FROM picklists WHERE module = 'potentials'`);
      await (await startAppOn(testApp.database)).close();
      const sourceId = async (value: string) =>
        Number(
          (
            await testApp.dataSource.query<{ id: number }[]>(
              `SELECT id FROM picklist_values WHERE module = 'potentials' AND field = 'lead_source' AND value = ?`,
              [value],
            )
          )[0].id,
        );
      const picklistPage = '/admin/layout/potentials/picklists/lead_source';
      await setProperty('lead_source', 'default', { lead_source: 'Cold Call' });

      const coldCall = await sourceId('Cold Call');
      await postForm(admin, picklistPage, `${picklistPage}/values/${coldCall}`, { value: 'Phone Call' });
      const afterRename = await storedProperties('lead_source');
      const replacement = await sourceId('Existing Customer');
      const removePage = `${picklistPage}/values/${coldCall}/remove`;
      await postForm(admin, removePage, removePage, { replacement: String(replacement) });
      const afterRemoval = await storedProperties('lead_source');
      const existingPage = `${picklistPage}/values/${replacement}/remove`;
      await postForm(admin, existingPage, existingPage, { replacement: '' });

      expect(afterRename?.defaultValue).toBe('Phone Call');
      expect(afterRemoval?.defaultValue).toBe('Existing Customer');
      expect((await storedProperties('lead_source'))?.defaultValue).toBeUndefined();
      const history = unescapeHtml((await admin.get(EDITOR)).text);
      expect(history).toContain('set the default value of the field Lead Source to Phone Call');
      expect(history).toContain('removed the default value of the field Lead Source');
    });
  });

  describe('help text', () => {
    it('shows escaped help text described by the input', async () => {
      const saved = await setProperty('next_step', 'help', { help_en: '<b>Ask</b> the buyer', help_it: '' });

      expect(saved.status).toBe(303);
      for (const page of [
        '/potentials/new',
        `/potentials/${await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'A' })}/edit`,
      ]) {
        const html = (await admin.get(page)).text;
        expect(html).toContain(
          '<div class="form-text field-help" id="help-next_step">&lt;b&gt;Ask&lt;/b&gt; the buyer</div>',
        );
        expect(html).toMatch(/name="next_step"[^>]*aria-describedby="help-next_step"/);
      }
    });

    it('shows the text of the user language', async () => {
      await setProperty('next_step', 'help', {
        help_en: 'Ask the buyer',
        help_it: "Chiedere all'acquirente",
      });
      await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'admin'`);
      try {
        const italian = await loginAgent(testApp.app);
        expect(unescapeHtml((await italian.get('/potentials/new')).text)).toContain(
          "Chiedere all'acquirente",
        );
      } finally {
        await testApp.dataSource.query(`UPDATE users SET locale = 'en' WHERE username = 'admin'`);
      }
    });

    it('rejects a help text over the limit', async () => {
      const response = await setProperty('next_step', 'help', { help_en: 'x'.repeat(501), help_it: '' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'A help text can have up to 500 characters in each language.',
      );
      expect(response.text).toContain('x'.repeat(501));
    });
  });

  describe('read-only', () => {
    it('shows the field disabled and rejects it on a form', async () => {
      await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Kept', next_step: 'Old step' });
      const saved = await setProperty('next_step', 'read-only', { read_only: 'on' });

      const form = (await admin.get('/potentials/new')).text;
      const response = await postForm(admin, '/potentials/new', '/potentials', {
        ...DEAL,
        potential_name: 'Alpha',
        next_step: 'Typed',
      });

      expect(saved.status).toBe(303);
      expect(form).toMatch(/id="field-next_step"[^>]*disabled/);
      expect(unescapeHtml(form)).toContain('This field is read-only: nobody can change it.');
      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'This field is read-only: nobody can change it. Leave it out.',
      );
      expect(await storedDeal('Alpha')).toBeUndefined();
    });

    it('gives new records the default value', async () => {
      await setProperty('next_step', 'default', { next_step: 'Qualify' });
      await setProperty('next_step', 'read-only', { read_only: 'on' });

      const response = await postForm(admin, '/potentials/new', '/potentials', {
        ...DEAL,
        potential_name: 'Alpha',
      });

      expect(response.status).toBe(303);
      expect((await storedDeal('Alpha')).next_step).toBe('Qualify');
    });

    it('shows the default again after an error', async () => {
      await setProperty('next_step', 'default', { next_step: 'Qualify' });
      await setProperty('next_step', 'read-only', { read_only: 'on' });

      const response = await postForm(admin, '/potentials/new', '/potentials', {
        ...DEAL,
        potential_name: '',
      });

      expect(response.status).toBe(422);
      expect(response.text).toMatch(/id="field-next_step"[^>]*value="Qualify"[^>]*disabled/);
    });

    it('rejects an import column', async () => {
      await setProperty('next_step', 'read-only', { read_only: 'on' });

      const outcome = await importCsv(
        admin,
        'potentials',
        'Potential Name,Expected Close Date,Sales Stage,Next Step\nAlpha,2027-06-30,Prospecting,Typed\n',
        { upload: { dateFormat: 'iso' }, mapping: { 'Next Step': 'next_step' } },
      );

      expect(outcome.status).toBe(422);
      expect(unescapeHtml(outcome.html)).toContain(
        'Column mapped to Next Step: the field is read-only, so nobody can import it.',
      );
      expect(await storedDeal('Alpha')).toBeUndefined();
    });

    it('rejects a mass edit', async () => {
      const id = await createRecord(testApp, 'potentials', {
        ...DEAL,
        potential_name: 'Kept',
        next_step: 'Old',
      });
      await setProperty('next_step', 'read-only', { read_only: 'on' });

      const response = await postFormAndFollow(admin, '/potentials', '/mass/potentials/edit', {
        field: 'next_step',
        next_step: 'Changed',
        ids: [String(id)],
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'Next Step is read-only: nobody can change it, so a mass edit cannot either.',
      );
      expect((await storedDeal('Kept')).next_step).toBe('Old');
    });

    it('keeps an essential field editable', async () => {
      const response = await setProperty('sales_stage', 'read-only', { read_only: 'on' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'The module cannot work without this field, so it cannot be made read-only.',
      );
      expect(await storedProperties('sales_stage')).toBeNull();
    });

    it('says why an essential field stays editable', async () => {
      const page = unescapeHtml((await admin.get(fieldPage('potential_name'))).text);

      expect(page).toContain(
        'The module cannot work without this field, so it stays editable: it cannot be made read-only.',
      );
      expect(page).not.toContain('name="read_only"');
    });

    it('rejects a mandatory field', async () => {
      const response = await setProperty('expected_close_date', 'read-only', { read_only: 'on' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'A mandatory field cannot be read-only, because nobody could fill it in.',
      );
    });

    it('rejects making a read-only field mandatory', async () => {
      await setProperty('next_step', 'read-only', { read_only: 'on' });

      const response = await postForm(admin, EDITOR, `${EDITOR}/fields/next_step/mandatory`, {
        mandatory: 'on',
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('A mandatory field cannot be read-only');
    });
  });

  describe('quick create', () => {
    it('shows the mandatory, essential and chosen fields in layout order', async () => {
      await setProperty('next_step', 'quick-create', { quick_create: 'on' });
      await postForm(admin, EDITOR, `${EDITOR}/fields/next_step/move`, { direction: 'up' });

      const list = (await admin.get('/potentials')).text;
      const page = await admin.get('/potentials/quick-create');

      expect(list).toContain('href="/potentials/quick-create"');
      expect(page.status).toBe(200);
      expect(formFieldNames(page.text)).toEqual([
        'potential_name',
        'expected_close_date',
        'next_step',
        'sales_stage',
        'assigned_user_id',
      ]);
    });

    it('creates a record with the defaults of the fields it leaves out', async () => {
      await setProperty('amount', 'default', { amount: '500' });

      const response = await postForm(admin, '/potentials/quick-create', '/potentials', {
        _form: 'quick',
        ...DEAL,
        potential_name: 'Quick',
      });

      expect(response.status).toBe(303);
      expect(Number((await storedDeal('Quick')).amount_cents)).toBe(50000);
    });

    it('shows errors on the quick form with the typed values', async () => {
      const response = await postForm(admin, '/potentials/quick-create', '/potentials', {
        _form: 'quick',
        ...DEAL,
        expected_close_date: '',
        potential_name: 'Typed name',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('Quick create Potential');
      expect(response.text).toMatch(/name="potential_name"[^>]*value="Typed name"/);
      expect(unescapeHtml(response.text)).toContain('This field is required. Enter a value.');
      expect(formFieldNames(response.text)).not.toContain('description');
    });
  });

  it('records each property change in the history', async () => {
    await setProperty('next_step', 'default', { next_step: 'Call' });
    await setProperty('next_step', 'help', { help_en: 'Ask', help_it: '' });
    await setProperty('next_step', 'read-only', { read_only: 'on' });
    await setProperty('next_step', 'quick-create', { quick_create: 'on' });

    const history = unescapeHtml((await admin.get(EDITOR)).text);
    expect(history).toContain('set the default value of the field Next Step to Call');
    expect(history).toContain('changed the help text of the field Next Step');
    expect(history).toContain('made the field Next Step read-only');
    expect(history).toContain('added the field Next Step to quick create');
    expect(await storedProperties('next_step')).toEqual({
      defaultValue: 'Call',
      helpText: { en: 'Ask' },
      readOnly: true,
      quickCreate: true,
    });
  });
});
