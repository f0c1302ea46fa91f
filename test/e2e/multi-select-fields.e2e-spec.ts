import { parse } from 'csv-parse/sync';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { addCustomField, Agent, createRecord } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/accounts';

describe.each(databaseKinds())('multi-select picklist fields on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let field: string;
  let picklistPath: string;

  /** Returns the id of a value of the field's picklist. */
  async function valueId(value: string): Promise<number> {
    const rows: { id: number }[] = await testApp.dataSource.query(
      `SELECT id FROM picklist_values WHERE module = 'accounts' AND field = ? AND value = ?`,
      [field, value],
    );
    return Number(rows[0].id);
  }

  /** Returns the stored column of every account by name. */
  async function storedValues(): Promise<Record<string, string | null>> {
    const rows: { account_name: string; stored: string | null }[] = await testApp.dataSource.query(
      `SELECT a.account_name, cf.${field} AS stored FROM accounts a LEFT JOIN accounts_cf cf ON cf.id = a.id`,
    );
    return Object.fromEntries(rows.map((row) => [row.account_name, row.stored]));
  }

  /** Creates an account through the service, with the field's values typed as an import would. */
  function createAccount(name: string, values: string): Promise<number> {
    return createRecord(testApp, 'accounts', { account_name: name, [field]: values });
  }

  /** Returns the account names of a list page, in order. */
  async function listed(query: string): Promise<string[]> {
    const html = (await admin.get(`/accounts${query}`)).text;
    return [...html.matchAll(/<a href="\/accounts\/\d+">([^<]+)<\/a>/g)].map((match) => match[1]);
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);

    field = await addCustomField(admin, EDITOR, {
      label_en: 'Regions',
      type: 'multipicklist',
      list_column: 'on',
    });
    picklistPath = `${EDITOR}/picklists/${field}`;
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await testApp.dataSource.query(`DELETE FROM picklist_values WHERE module = 'accounts' AND field = ?`, [
      field,
    ]);
    for (const value of ['North', 'North-East', 'South', 'West'])
      expect(
        (await postForm(admin, picklistPath, `${picklistPath}/values`, { value, position: 'end' })).status,
      ).toBe(303);
  });

  describe('editor', () => {
    it('offers the type with its label', async () => {
      const page = (await admin.get(EDITOR)).text;

      expect(page).toContain('<option value="multipicklist"');
      expect(page).toContain('Multi-select picklist');
    });

    it('stores a text column', async () => {
      const runner = testApp.dataSource.createQueryRunner();
      const table = await runner.getTable('accounts_cf');
      await runner.release();

      expect(table?.findColumnByName(field)?.type).toBe('text');
    });

    it('lists the field among the picklists', async () => {
      const page = unescapeHtml((await admin.get(`${EDITOR}/picklists`)).text);

      expect(page).toContain(`href="${picklistPath}">Regions</a>`);
      expect(page).toContain('Several values per record');
    });

    it('rejects a value that contains the delimiter', async () => {
      const response = await postForm(admin, picklistPath, `${picklistPath}/values`, {
        value: 'North|##|South',
        position: 'end',
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('cannot contain |##|');
    });
  });

  describe('end to end', () => {
    it('form, detail, list, filter, export and import', async () => {
      const form = (await admin.get('/accounts/new')).text;
      expect(form).toContain(`type="checkbox" id="field-${field}" name="${field}" value="North"`);

      const created = await postForm(admin, '/accounts/new', '/accounts', {
        account_name: 'Acme',
        [field]: ['', 'West', 'North'],
      });
      expect(created.status).toBe(303);
      await createAccount('Globex', 'South');
      expect(await storedValues()).toEqual({ Acme: '|##|North|##|West|##|', Globex: '|##|South|##|' });

      const detail = (await admin.get(created.headers.location)).text;
      expect(detail).toContain('North, West');

      const list = (await admin.get('/accounts')).text;
      expect(list).toContain('North, West');
      expect(list).toMatch(new RegExp(`<select[^>]*name="${field}" multiple`));

      expect(await listed(`?${field}=West&sort=account_name`)).toEqual(['Acme']);
      expect(await listed(`?${field}=West&${field}=South&sort=account_name`)).toEqual(['Acme', 'Globex']);

      const exported = await admin.get('/export/accounts').buffer(true);
      const rows: string[][] = parse(exported.text, { bom: true });
      const column = rows[0].indexOf('Regions');
      const cells = Object.fromEntries(
        rows.slice(1).map((row) => [row[rows[0].indexOf('Account Name')], row[column]]),
      );
      expect(cells).toEqual({ Acme: 'North |##| West', Globex: 'South' });

      await resetRecords(testApp.dataSource);
      const imported = await importCsv(admin, 'accounts', exported.text);
      expect(imported.counts.created).toBe(2);
      expect(await storedValues()).toEqual({ Acme: '|##|North|##|West|##|', Globex: '|##|South|##|' });
    });

    it('edit form shows the values ticked and clears them all', async () => {
      const id = await createAccount('Acme', 'North;South');

      const form = (await admin.get(`/accounts/${id}/edit`)).text;
      expect(form).toMatch(/value="North" checked/);
      expect(form).toMatch(/value="South" checked/);
      expect(form).toMatch(/value="West">/);

      const saved = await postForm(admin, `/accounts/${id}/edit`, `/accounts/${id}`, {
        account_name: 'Acme',
        [field]: '',
      });
      expect(saved.status).toBe(303);
      expect(await storedValues()).toEqual({ Acme: null });
    });

    it('shows the values in the list order after a reorder', async () => {
      const id = await createAccount('Acme', 'North;West');
      const west = await valueId('West');
      for (let step = 0; step < 3; step++)
        await postForm(admin, picklistPath, `${picklistPath}/values/${west}/move`, { direction: 'up' });

      const detail = (await admin.get(`/accounts/${id}`)).text;

      expect(detail).toContain('West, North');
    });

    it('sorts by the text of the values', async () => {
      await createAccount('Acme', 'West');
      await createAccount('Globex', 'North;South');
      await createAccount('Initech', '');

      expect(await listed(`?sort=${field}&dir=asc`)).toEqual(['Initech', 'Globex', 'Acme']);
      expect(await listed(`?sort=${field}&dir=desc`)).toEqual(['Acme', 'Globex', 'Initech']);
    });
  });

  describe('mass edit', () => {
    it('offers checkboxes for the field', async () => {
      const id = await createAccount('Acme', 'North');

      const page = await postForm(admin, '/accounts', '/mass/accounts', {
        action: 'edit',
        field,
        ids: String(id),
      });

      expect(page.status).toBe(200);
      expect(page.text).toContain(`type="checkbox" id="field-${field}" name="${field}" value="North"`);
    });

    it('sets the ticked values on every record', async () => {
      const ids = [await createAccount('Acme', 'North'), await createAccount('Globex', '')];

      const response = await postForm(admin, '/accounts', '/mass/accounts/edit', {
        field,
        [field]: ['', 'West', 'South'],
        ids: ids.map(String),
      });

      expect(response.status).toBe(303);
      expect(await storedValues()).toEqual({
        Acme: '|##|South|##|West|##|',
        Globex: '|##|South|##|West|##|',
      });
    });
  });

  describe('filter', () => {
    it('does not match a value that another starts with', async () => {
      await createAccount('Acme', 'North-East');
      await createAccount('Globex', 'North');

      expect(await listed(`?${field}=North`)).toEqual(['Globex']);
      expect(await listed(`?${field}=North-East`)).toEqual(['Acme']);
    });

    it('matches a value without regard to case', async () => {
      await createAccount('Acme', 'South');

      expect(await listed(`?${field}=south`)).toEqual(['Acme']);
    });

    it('keeps a chosen value no longer listed visible', async () => {
      const list = unescapeHtml((await admin.get(`/accounts?${field}=East`)).text);

      expect(list).toContain('<option value="East" selected>East (no longer in the list)</option>');
    });
  });

  describe('validation', () => {
    it('form rejects an unknown value and keeps the ticked ones', async () => {
      const response = await postForm(admin, '/accounts/new', '/accounts', {
        account_name: 'Acme',
        [field]: ['', 'North', 'East'],
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('"East" is not one of the listed values.');
      expect(response.text).toMatch(/value="North" checked/);
      expect(response.text).toMatch(/value="East" checked/);
      expect(response.text).toMatch(/value="South">/);
    });

    it('import fails a row with an unknown value and gives the reason', async () => {
      const csv = ['Account Name,Regions', 'Acme,North;South', 'Globex,North |##| East', 'Initech,'].join(
        '\n',
      );

      const imported = await importCsv(admin, 'accounts', csv);

      expect(imported.counts.created).toBe(2);
      expect(imported.counts.failed).toBe(1);
      expect(unescapeHtml(imported.html)).toContain('"East" is not one of the listed values.');
      expect(await storedValues()).toEqual({ Acme: '|##|North|##|South|##|', Initech: null });
    });

    it('keeps a value removed from the list until the record is edited', async () => {
      const id = await createAccount('Acme', 'North;West');
      await testApp.dataSource.query(`DELETE FROM picklist_values WHERE field = ? AND value = 'West'`, [
        field,
      ]);

      expect((await admin.get(`/accounts/${id}`)).text).toContain('North, West');
      const form = (await admin.get(`/accounts/${id}/edit`)).text;
      expect(form).toMatch(/value="West" checked/);

      const kept = await postForm(admin, `/accounts/${id}/edit`, `/accounts/${id}`, {
        account_name: 'Acme',
        [field]: ['', 'North', 'West'],
      });
      expect(kept.status).toBe(422);
      const saved = await postForm(admin, `/accounts/${id}/edit`, `/accounts/${id}`, {
        account_name: 'Acme',
        [field]: ['', 'North'],
      });
      expect(saved.status).toBe(303);
      expect(await storedValues()).toEqual({ Acme: '|##|North|##|' });
    });
  });

  describe('picklist editor', () => {
    beforeEach(async () => {
      await createAccount('Acme', 'North;North-East');
      await createAccount('Globex', 'North-East;South');
      await createAccount('Initech', 'West');
    });

    it('renames a value in every record and counts them', async () => {
      const response = await postForm(
        admin,
        picklistPath,
        `${picklistPath}/values/${await valueId('North-East')}`,
        { value: 'Northeast' },
      );

      expect(response.status).toBe(303);
      const page = unescapeHtml((await admin.get(picklistPath)).text);
      expect(page).toContain('Renamed “North-East” to “Northeast”: 2 records changed.');
      expect(await storedValues()).toEqual({
        Acme: '|##|North|##|Northeast|##|',
        Globex: '|##|Northeast|##|South|##|',
        Initech: '|##|West|##|',
      });
    });

    it('counts the records of each value exactly', async () => {
      const page = (await admin.get(picklistPath)).text;
      const countOf = (value: string) =>
        new RegExp(`value="${value}"[\\s\\S]*?(\\d+) records?<`).exec(page)?.[1];

      expect(countOf('North')).toBe('1');
      expect(countOf('North-East')).toBe('2');
      expect(countOf('West')).toBe('1');
    });

    it('removal asks for a replacement or offers to drop the value', async () => {
      const removal = `${picklistPath}/values/${await valueId('North-East')}/remove`;

      const page = unescapeHtml((await admin.get(removal)).text);
      expect(page).toContain('2 records have “North-East”.');
      expect(page).toContain('<option value="drop">Remove it from the records</option>');
      const missing = await postForm(admin, removal, removal, { replacement: '' });
      expect(missing.status).toBe(422);
      expect(await storedValues()).toMatchObject({ Acme: '|##|North|##|North-East|##|' });
    });

    it('removes with a replacement without duplicating it', async () => {
      const removal = `${picklistPath}/values/${await valueId('North-East')}/remove`;

      const response = await postForm(admin, removal, removal, {
        replacement: String(await valueId('North')),
      });

      expect(response.status).toBe(303);
      const page = unescapeHtml((await admin.get(picklistPath)).text);
      expect(page).toContain('Removed “North-East”: 2 records now have “North”.');
      expect(await storedValues()).toEqual({
        Acme: '|##|North|##|',
        Globex: '|##|North|##|South|##|',
        Initech: '|##|West|##|',
      });
    });

    it('removes from the records and keeps their other values', async () => {
      const removal = `${picklistPath}/values/${await valueId('West')}/remove`;
      await createAccount('Umbrella', 'South;West');

      const response = await postForm(admin, removal, removal, { replacement: 'drop' });

      expect(response.status).toBe(303);
      const page = unescapeHtml((await admin.get(picklistPath)).text);
      expect(page).toContain('Removed “West” from the list and from 2 records.');
      expect(await storedValues()).toEqual({
        Acme: '|##|North|##|North-East|##|',
        Globex: '|##|North-East|##|South|##|',
        Initech: null,
        Umbrella: '|##|South|##|',
      });
    });
  });
});
