import { formValues, mappingFormValues, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import {
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  MANAGER_ROLE,
  ORGANISATION_ROLE,
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

const MODULES = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'];
const ACTIONS = ['view', 'create', 'edit', 'delete', 'import', 'export'];
const FIELD_ERROR = 'Your profile does not let you change this field.';

type Agent = Awaited<ReturnType<typeof loginAgent>>;

/** Returns the markup of the select (or disabled box) of a form field, or '' when the form has none. */
function fieldMarkup(html: string, name: string): string {
  const select = new RegExp(`<select[^>]*id="field-${name}"[\\s\\S]*?</select>`).exec(html);
  const input = new RegExp(`<input[^>]*id="field-${name}"[^>]*>`).exec(html);
  return select?.[0] ?? input?.[0] ?? '';
}

describe.each(databaseKinds())('links to records out of reach on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  const ids: Record<string, number> = {};

  const storedAccountOf = async (potentialId: number) =>
    (
      await testApp.dataSource.query<{ account_id: number | null }[]>(
        'SELECT account_id FROM potentials WHERE id = ?',
        [potentialId],
      )
    )[0].account_id;

  const potentialCount = async () =>
    Number(
      (
        await testApp.dataSource.query<{ count: number | string }[]>(
          'SELECT COUNT(*) AS count FROM potentials',
        )
      )[0].count,
    );

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);
    await setSharing(admin, Object.fromEntries(MODULES.map((module) => [module, 'private'])));

    // Olga's role is beside the sales roles, so her records are out of scope for a salesperson and their manager.
    ids.olga = await createUser(
      testApp,
      'olga',
      await createRole(testApp, admin, 'Support', ORGANISATION_ROLE),
    );
    ids.anna = await createUser(testApp, 'anna', SALESPERSON_ROLE);
    ids.olgaAccount = await createRecord(testApp, 'accounts', {
      account_name: 'Olga Customer',
      assigned_user_id: String(ids.olga),
    });
    ids.olgaOtherAccount = await createRecord(testApp, 'accounts', {
      account_name: 'Olga Other Customer',
      assigned_user_id: String(ids.olga),
    });
    ids.annaAccount = await createRecord(testApp, 'accounts', {
      account_name: 'Anna Customer',
      assigned_user_id: String(ids.anna),
    });
  });

  beforeEach(async () => {
    await testApp.dataSource.query('DELETE FROM potentials');
    for (const [key, account] of [
      ['dealOfOlgaAccount', ids.olgaAccount],
      ['dealOfAnnaAccount', ids.annaAccount],
    ] as const) {
      ids[key] = await createRecord(testApp, 'potentials', {
        potential_name: key,
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        account_id: String(account),
        assigned_user_id: String(ids.anna),
      });
    }
  });

  afterAll(async () => {
    await testApp.close();
  });

  describe('with an account outside the scope', () => {
    let anna: Agent;

    beforeAll(async () => {
      anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    });

    it('shows its name without a link on the detail page', async () => {
      const page = (await anna.get(`/potentials/${ids.dealOfOlgaAccount}`)).text;
      const own = (await anna.get(`/potentials/${ids.dealOfAnnaAccount}`)).text;

      expect(page).toContain('Olga Customer');
      expect(page).not.toContain(`href="/accounts/${ids.olgaAccount}"`);
      expect(own).toContain(`<a href="/accounts/${ids.annaAccount}">Anna Customer</a>`);
    });

    it('shows its name without a link on the list and board', async () => {
      const list = (await anna.get('/potentials')).text;
      const board = (await anna.get('/pipeline')).text;

      expect(list).toContain('Olga Customer');
      expect(list).not.toContain(`href="/accounts/${ids.olgaAccount}"`);
      expect(list).toContain(`href="/accounts/${ids.annaAccount}"`);
      expect(board).toContain('Olga Customer');
      expect(board).not.toContain(`href="/accounts/${ids.olgaAccount}"`);
    });

    it('keeps the linked account on the edit form', async () => {
      const form = (await anna.get(`/potentials/${ids.dealOfOlgaAccount}/edit`)).text;
      const select = fieldMarkup(form, 'account_id');

      expect(select).toContain(`<option value="${ids.olgaAccount}" selected>Olga Customer</option>`);
      expect(select).toContain('Anna Customer');
      expect(select).not.toContain('Olga Other Customer');
    });

    it('keeps the link when the form is saved as shown', async () => {
      const path = `/potentials/${ids.dealOfOlgaAccount}`;
      const values = formValues((await anna.get(`${path}/edit`)).text, path);

      const saved = await anna
        .post(path)
        .type('form')
        .send({ ...values, potential_name: 'Renamed deal' });

      expect(values.account_id).toBe(String(ids.olgaAccount));
      expect(saved.status).toBe(303);
      expect(Number(await storedAccountOf(ids.dealOfOlgaAccount))).toBe(ids.olgaAccount);
    });

    it('rejects a change to another account outside the scope', async () => {
      const path = `/potentials/${ids.dealOfAnnaAccount}`;

      const response = await postForm(anna, `${path}/edit`, path, {
        account_id: String(ids.olgaOtherAccount),
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-account_id"');
      expect(Number(await storedAccountOf(ids.dealOfAnnaAccount))).toBe(ids.annaAccount);
    });

    it('reveals no account name through a form URL', async () => {
      const form = (await anna.get(`/potentials/new?account_id=${ids.olgaOtherAccount}`)).text;
      const rejected = await postForm(anna, '/potentials/new', '/potentials', {
        potential_name: 'Probe',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        account_id: String(ids.olgaOtherAccount),
      });

      expect(form).not.toContain('Olga Other Customer');
      expect(rejected.status).toBe(422);
      expect(rejected.text).not.toContain('Olga Other Customer');
    });
  });

  describe('without view on accounts', () => {
    let tina: Agent;

    beforeAll(async () => {
      // Tina's role has one profile, which allows everything but viewing accounts.
      const roleId = await createRole(testApp, admin, 'Telesales', MANAGER_ROLE);
      await createProfileFor(
        admin,
        roleId,
        'No accounts',
        Object.fromEntries(
          MODULES.map((module) => [
            module,
            ACTIONS.filter((action) => module !== 'accounts' || action !== 'view'),
          ]),
        ),
      );
      ids.tina = await createUser(testApp, 'tina', roleId);
      tina = await loginAgent(testApp.app, 'tina', PASSWORD);
    });

    beforeEach(async () => {
      ids.tinaDeal = await createRecord(testApp, 'potentials', {
        potential_name: 'Tina deal',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        account_id: String(ids.annaAccount),
        assigned_user_id: String(ids.tina),
      });
    });

    it('returns 403 on the accounts pages', async () => {
      expect((await tina.get('/accounts')).status).toBe(403);
      expect((await tina.get(`/accounts/${ids.annaAccount}`)).status).toBe(403);
    });

    it('offers no accounts on the new potential form', async () => {
      const form = (await tina.get('/potentials/new')).text;
      const field = fieldMarkup(form, 'account_id');

      expect(field).toContain('disabled');
      expect(field).not.toContain('name=');
      expect(form).not.toContain('Anna Customer');
      expect(form).not.toContain('Olga Customer');
    });

    it('shows the linked account as text', async () => {
      const detail = (await tina.get(`/potentials/${ids.tinaDeal}`)).text;
      const list = (await tina.get('/potentials')).text;
      const form = (await tina.get(`/potentials/${ids.tinaDeal}/edit`)).text;

      expect(detail).toContain('Anna Customer');
      expect(detail).not.toContain('href="/accounts/');
      expect(list).toContain('Anna Customer');
      expect(list).not.toContain('href="/accounts/');
      expect(fieldMarkup(form, 'account_id')).toContain('value="Anna Customer" disabled');
    });

    it('keeps the account when the form is saved as shown', async () => {
      const path = `/potentials/${ids.tinaDeal}`;
      const values = formValues((await tina.get(`${path}/edit`)).text, path);

      const saved = await tina
        .post(path)
        .type('form')
        .send({ ...values, potential_name: 'Tina deal, renamed' });

      expect(values).not.toHaveProperty('account_id');
      expect(saved.status).toBe(303);
      expect(Number(await storedAccountOf(ids.tinaDeal))).toBe(ids.annaAccount);
    });

    it('rejects a POST that sets an account', async () => {
      const before = await potentialCount();

      const created = await postForm(tina, '/potentials/new', '/potentials', {
        potential_name: 'Linked by id',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        account_id: String(ids.annaAccount),
      });
      const changed = await postForm(tina, '/potentials/new', `/potentials/${ids.tinaDeal}`, {
        account_id: String(ids.olgaAccount),
      });

      expect(created.status).toBe(422);
      expect(created.text).toContain(FIELD_ERROR);
      expect(changed.status).toBe(422);
      expect(changed.text).toContain(FIELD_ERROR);
      expect(await potentialCount()).toBe(before);
      expect(Number(await storedAccountOf(ids.tinaDeal))).toBe(ids.annaAccount);
    });

    it('rejects an import that maps the account', async () => {
      const before = await potentialCount();
      const upload = await uploadCsv(
        tina,
        'potentials',
        'Potential Name,Account Name,Expected Close Date,Sales Stage\n' +
          'Imported deal,Anna Customer,2027-05-01,Prospecting\n',
        { dateFormat: 'iso' },
      );
      expect(upload.status).toBe(303);
      const mapping = await tina.get(upload.headers.location);
      const values = mappingFormValues(mapping.text);

      const post = await tina
        .post(upload.headers.location)
        .type('form')
        .send({ ...values, map_1: 'account_id' });

      expect(mapping.text).not.toContain('<option value="account_id"');
      expect(post.status).toBe(422);
      expect(unescapeHtml(post.text)).toContain(
        'Column mapped to Account Name: your profile does not let you change this field',
      );
      expect(await potentialCount()).toBe(before);
    });

    it('offers no mass edit of the account', async () => {
      const list = (await tina.get('/potentials')).text;
      const massField = /<select[^>]*id="mass-field"[\s\S]*?<\/select>/.exec(list)?.[0] ?? '';

      expect(massField).toContain('<option value="sales_stage">');
      expect(massField).not.toContain('<option value="account_id">');
    });

    it('leaves another role with view on accounts unaffected', async () => {
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      const form = (await anna.get('/potentials/new')).text;

      expect(fieldMarkup(form, 'account_id')).toContain('Anna Customer');
    });
  });
});
