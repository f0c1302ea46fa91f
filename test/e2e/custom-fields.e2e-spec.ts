import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { CustomFieldEntity } from '../../src/layout/layout.entities.js';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import {
  addCustomField,
  addPicklistValues,
  ADMIN,
  Agent,
  createRecord,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

/**
 * The custom fields every test here uses, added once through the editor, with their generated names. Fleet
 * size and Region are ticked as default list columns.
 */
const FIELDS = {
  fleetSize: { label_en: 'Fleet size', type: 'integer', block: 'info', list_column: 'on' },
  contractCode: { label_en: 'Contract code', label_it: 'Codice contratto', type: 'text', max_length: '10' },
  setupFee: { label_en: 'Setup fee', type: 'currency' },
  goLive: { label_en: 'Go-live date', type: 'date' },
  region: { label_en: 'Region', type: 'picklist', list_column: 'on' },
} as const;

type FieldKey = keyof typeof FIELDS;

describe.each(databaseKinds())('custom fields on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  const names = {} as Record<FieldKey, string>;

  /** Adds a custom field through the editor's form and returns its generated name. */
  function addField(form: Record<string, string>, editor = EDITOR): Promise<string> {
    return addCustomField(admin, editor, form);
  }

  /** Returns the value a record form fills into a field. */
  function formValue(html: string, name: string): string | undefined {
    return new RegExp(`id="field-${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
  }

  /** Creates a potential through the form with the custom fields' values and returns the POST's response. */
  function createPotential(values: Record<string, string>) {
    return postForm(admin, '/potentials/new', '/potentials', {
      potential_name: 'Fleet renewal',
      amount: '1000',
      expected_close_date: '06/30/2027',
      sales_stage: 'Prospecting',
      ...values,
    });
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    for (const key of Object.keys(FIELDS) as FieldKey[]) names[key] = await addField(FIELDS[key]);
    await addPicklistValues(admin, EDITOR, names.region, ['North', 'South']);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  describe('editor', () => {
    it('generates names in sequence', () => {
      expect(Object.values(names)).toEqual(['cf_1', 'cf_2', 'cf_3', 'cf_4', 'cf_5']);
    });

    it('takes the next name when another administrator took it meanwhile', async () => {
      const editor = '/admin/layout/campaigns';
      const page = await admin.get(editor);
      // Another administrator reserved cf_1 after this request read the definitions.
      await testApp.dataSource.query(
        "INSERT INTO custom_fields (module, name, type, status, created_by_id, created_at) VALUES ('campaigns', 'cf_1', 'text', 'adding', 1, '2027-01-01 00:00:00')",
      );
      const definitions = testApp.dataSource.getRepository(CustomFieldEntity);
      const staleRead = jest.spyOn(definitions, 'findBy').mockResolvedValueOnce([]);

      const response = await admin
        .post(`${editor}/custom-fields`)
        .type('form')
        .send({
          _csrf: csrfToken(page.text),
          label_en: 'Budget code',
          type: 'text',
          block: 'info',
          max_length: '',
        });
      staleRead.mockRestore();

      expect(response.status).toBe(303);
      expect(response.headers.location).toMatch(/#field-cf_2$/);
      await testApp.dataSource.query(
        "DELETE FROM custom_fields WHERE module = 'campaigns' AND name = 'cf_1'",
      );
    });

    it('shows the field in its block with its type', async () => {
      const page = unescapeHtml((await admin.get(EDITOR)).text);
      const row = page.slice(page.indexOf(`id="field-${names.fleetSize}"`));

      expect(row.slice(0, row.indexOf('</tr>'))).toContain('Fleet size');
      expect(row.slice(0, row.indexOf('</tr>'))).toContain('Integer');
      expect(row.slice(0, row.indexOf('</tr>'))).toContain('Custom field cf_1');
    });

    it('records the change in the history', async () => {
      const page = unescapeHtml((await admin.get(EDITOR)).text);

      expect(page).toContain('added the custom field Fleet size (Integer)');
    });

    it('stores a typed column for each field', async () => {
      const runner = testApp.dataSource.createQueryRunner();
      const table = await runner.getTable('potentials_cf');
      await runner.release();

      expect(table?.columns.map((column) => column.name)).toEqual([
        'id',
        'cf_1',
        'cf_2',
        'cf_3_cents',
        'cf_4',
        'cf_5',
      ]);
      expect(table?.findColumnByName('cf_2')?.length).toBe('10');
      expect(table?.foreignKeys[0].onDelete).toBe('CASCADE');
    });

    it('rejects a form without a label', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        type: 'text',
        block: 'info',
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('Enter a label in at least one language.');
    });

    it('rejects a label another field has', async () => {
      const added = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: ' fleet SIZE ',
        type: 'text',
        block: 'info',
        max_length: '',
      });
      const relabelled = await postForm(admin, EDITOR, `${EDITOR}/fields/next_step/label`, {
        label_en: 'Amount',
        label_it: '',
      });

      expect(added.status).toBe(422);
      expect(unescapeHtml(added.text)).toContain(
        'Another field of this module is already labelled "fleet SIZE". Choose a label that tells the two apart.',
      );
      expect(relabelled.status).toBe(422);
      expect(unescapeHtml(relabelled.text)).toContain(
        'Another field of this module is already labelled "Amount".',
      );
      const definitions = await testApp.dataSource.query<unknown[]>(
        `SELECT id FROM custom_fields WHERE module = 'potentials'`,
      );
      expect(definitions).toHaveLength(Object.keys(FIELDS).length);
    });

    it('rejects a text length above 255 and keeps the label', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Notes code',
        type: 'text',
        block: 'info',
        max_length: '300',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('Enter a maximum length from 1 to 255 characters.');
      expect(response.text).toMatch(/id="new-field-en"[^>]*value="Notes code"/);
      expect(
        await testApp.dataSource.query(
          `SELECT name FROM custom_fields WHERE module = 'potentials' AND type = 'text'`,
        ),
      ).toHaveLength(1);
    });

    it('rejects an unknown type', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Owner link',
        type: 'owner',
        block: 'info',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('Choose one of the listed types.');
    });

    it('removes the definition when the column cannot be added', async () => {
      // A view where the custom-field table would be makes the DDL fail on both databases.
      await testApp.dataSource.query('CREATE VIEW accounts_cf AS SELECT id FROM accounts');
      try {
        const response = await postForm(
          admin,
          '/admin/layout/accounts',
          '/admin/layout/accounts/custom-fields',
          { label_en: 'Rating', type: 'integer', block: 'info' },
        );

        expect(response.status).toBe(422);
        expect(response.text).toContain('The field could not be added to the database');
        expect(
          await testApp.dataSource.query(`SELECT name FROM custom_fields WHERE module = 'accounts'`),
        ).toEqual([]);
        expect((await admin.get('/accounts/new')).text).not.toContain('Rating');
      } finally {
        await testApp.dataSource.query('DROP VIEW accounts_cf');
      }
    });
  });

  describe('records', () => {
    it('form saves the values and the detail page shows them', async () => {
      const created = await createPotential({
        [names.fleetSize]: '1,200',
        [names.contractCode]: 'FR-2027',
        [names.setupFee]: '1,500.50',
        [names.goLive]: '07/15/2027',
        [names.region]: 'South',
      });
      expect(created.status).toBe(303);

      const detail = unescapeHtml((await admin.get(created.headers.location)).text);
      expect(detail).toContain('Fleet size');
      expect(detail).toContain('1,200');
      expect(detail).toContain('FR-2027');
      expect(detail).toContain('€ 1,500.50');
      expect(detail).toContain('07/15/2027');
      expect(detail).toContain('South');
    });

    it('edit form shows and changes the values', async () => {
      const created = await createPotential({ [names.contractCode]: 'FR-1', [names.goLive]: '07/15/2027' });
      const path = created.headers.location;

      const form = (await admin.get(`${path}/edit`)).text;
      expect(formValue(form, names.contractCode)).toBe('FR-1');
      expect(formValue(form, names.goLive)).toBe('07/15/2027');

      const saved = await postForm(admin, `${path}/edit`, path, {
        potential_name: 'Fleet renewal',
        amount: '1000',
        expected_close_date: '06/30/2027',
        sales_stage: 'Prospecting',
        [names.contractCode]: 'FR-2',
        [names.goLive]: '',
      });
      expect(saved.status).toBe(303);
      const rows: unknown[] = await testApp.dataSource.query(`SELECT cf_2, cf_4 FROM potentials_cf`);
      expect(rows).toEqual([{ cf_2: 'FR-2', cf_4: null }]);
    });

    it('saves a record created before the first custom field', async () => {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Old deal',
        amount: '10',
        expected_close_date: '2027-01-31',
        sales_stage: 'Prospecting',
      });
      await testApp.dataSource.query(`DELETE FROM potentials_cf`);

      const saved = await postForm(admin, `/potentials/${id}/edit`, `/potentials/${id}`, {
        potential_name: 'Old deal',
        amount: '10',
        expected_close_date: '01/31/2027',
        sales_stage: 'Prospecting',
        [names.fleetSize]: '7',
      });

      expect(saved.status).toBe(303);
      expect(await testApp.dataSource.query(`SELECT id, cf_1 FROM potentials_cf`)).toEqual([{ id, cf_1: 7 }]);
    });

    it('binning keeps custom values and purging deletes them', async () => {
      const created = await createPotential({ [names.fleetSize]: '3' });
      const path = created.headers.location;
      const purgePage = `/recycle-bin${path}/delete`;

      await postForm(admin, `${path}/delete`, `${path}/delete`, {});
      expect(await testApp.dataSource.query(`SELECT cf_1 FROM potentials_cf`)).toEqual([{ cf_1: 3 }]);
      const purged = await postForm(admin, purgePage, purgePage, {});

      expect(purged.status).toBe(303);
      expect(await testApp.dataSource.query(`SELECT id FROM potentials_cf`)).toEqual([]);
    });

    it('rejects text over its length', async () => {
      const response = await createPotential({ [names.contractCode]: 'FR-2027-0001' });

      expect(response.status).toBe(422);
      expect(response.text).toContain('Too long: at most 10 characters.');
      expect(formValue(response.text, names.contractCode)).toBe('FR-2027-0001');
    });

    it('rejects an unknown picklist value', async () => {
      const response = await createPotential({ [names.region]: 'East' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('"East" is not one of the listed values.');
    });

    it('rejects a malformed date', async () => {
      const response = await createPotential({ [names.goLive]: '15/07/2027' });

      expect(response.status).toBe(422);
      expect(response.text).toContain('This date does not exist. Check the day and the month.');
      expect(formValue(response.text, names.goLive)).toBe('15/07/2027');
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      for (const [name, fleet, region, goLive] of [
        ['Alpha', '30', 'North', '2027-03-01'],
        ['Bravo', '10', 'South', '2027-01-01'],
        ['Charlie', '20', 'North', '2027-02-01'],
      ])
        await createRecord(testApp, 'potentials', {
          potential_name: name,
          amount: '100',
          expected_close_date: '2027-06-30',
          sales_stage: 'Prospecting',
          [names.fleetSize]: fleet,
          [names.region]: region,
          [names.goLive]: goLive,
        });
    });

    /** Returns the potential names of a list page, in order. */
    async function listed(query: string): Promise<string[]> {
      const html = (await admin.get(`/potentials${query}`)).text;
      return [...html.matchAll(/<a href="\/potentials\/\d+">([^<]+)<\/a>/g)].map((match) => match[1]);
    }

    it('shows the ticked fields as columns', async () => {
      const html = unescapeHtml((await admin.get('/potentials')).text);

      expect(html).toMatch(new RegExp(`<th[^>]*>\\s*<a[^>]*sort=${names.fleetSize}[^>]*>Fleet size`));
      expect(html).toMatch(new RegExp(`<th[^>]*>\\s*<a[^>]*sort=${names.region}[^>]*>Region`));
      expect(html).not.toMatch(new RegExp(`<th[^>]*>\\s*<a[^>]*sort=${names.goLive}[&"]`));
    });

    it('sorts on an integer field', async () => {
      expect(await listed(`?sort=${names.fleetSize}&dir=asc`)).toEqual(['Bravo', 'Charlie', 'Alpha']);
      expect(await listed(`?sort=${names.fleetSize}&dir=desc`)).toEqual(['Alpha', 'Charlie', 'Bravo']);
    });

    it('sorts a picklist in its list order', async () => {
      expect(await listed(`?sort=${names.region}&dir=desc`)).toEqual(['Bravo', 'Charlie', 'Alpha']);
    });

    it('filters on a picklist and a date range', async () => {
      expect(await listed(`?${names.region}=North&sort=potential_name`)).toEqual(['Alpha', 'Charlie']);
      expect(
        await listed(`?${names.goLive}_from=2027-01-15&${names.goLive}_to=2027-02-15&sort=potential_name`),
      ).toEqual(['Charlie']);
    });

    it('offers the picklist in the filter bar', async () => {
      const html = (await admin.get('/potentials')).text;

      expect(html).toMatch(new RegExp(`name="${names.region}"[\\s\\S]*?<option value="North"`));
    });

    it('pages through a sort on a custom field', async () => {
      const records = testApp.app.get(RecordsService);
      const query = { filters: {}, sort: names.fleetSize, direction: 'asc' as const, pageSize: 2 };
      const nameOf = (record: StoredRecord) => record.values.potential_name;

      const first = await records.list('potentials', ADMIN, query);
      const second = await records.list('potentials', ADMIN, { ...query, after: first.nextCursor });

      expect(first.records.map(nameOf)).toEqual(['Bravo', 'Charlie']);
      expect(second.records.map(nameOf)).toEqual(['Alpha']);
    });
  });

  describe('picklist and instances', () => {
    it('renaming a value rewrites the custom column', async () => {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Alpha',
        amount: '100',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
        [names.region]: 'North',
      });
      const [north]: { id: number }[] = await testApp.dataSource.query(
        `SELECT id FROM picklist_values WHERE field = '${names.region}' AND value = 'North'`,
      );
      const path = `${EDITOR}/picklists/${names.region}`;

      try {
        const renamed = await postForm(admin, path, `${path}/values/${north.id}`, { value: 'Nord' });

        expect(renamed.status).toBe(303);
        expect(await testApp.dataSource.query(`SELECT id, cf_5 FROM potentials_cf`)).toEqual([
          { id, cf_5: 'Nord' },
        ]);
      } finally {
        await postForm(admin, path, `${path}/values/${north.id}`, { value: 'North' });
      }
    });

    it('second instance serves a new field at its next request', async () => {
      const second = await startAppOn(testApp.database);
      try {
        const secondAdmin = await loginAgent(second);
        expect((await secondAdmin.get('/accounts/new')).text).not.toContain('Customer tier');

        const name = await addField({ label_en: 'Customer tier', type: 'text' }, '/admin/layout/accounts');

        const form = (await secondAdmin.get('/accounts/new')).text;
        expect(form).toContain('Customer tier');
        expect(form).toContain(`name="${name}"`);
      } finally {
        await second.close();
      }
    });

    it('Italian user sees the Italian label', async () => {
      await createUser(testApp, 'giulia', SALESPERSON_ROLE);
      await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'giulia'`);
      const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);

      const form = (await giulia.get('/potentials/new')).text;

      expect(form).toContain('Codice contratto');
      expect(form).toContain('Fleet size');
    });
  });

  describe('CSV', () => {
    it('exports the fields and imports them back', async () => {
      await createPotential({
        [names.fleetSize]: '12',
        [names.contractCode]: 'FR-9',
        [names.setupFee]: '250.75',
        [names.goLive]: '07/15/2027',
        [names.region]: 'North',
      });

      const exported = await admin.get('/export/potentials').buffer(true);
      const rows: string[][] = parse(exported.text, { bom: true });
      const header = rows[0];
      const values = Object.fromEntries(header.map((label, index) => [label, rows[1][index]]));
      expect(values['Fleet size']).toBe('12');
      expect(values['Contract code']).toBe('FR-9');
      expect(values['Setup fee']).toBe('250.75');
      expect(values['Go-live date']).toBe('2027-07-15');
      expect(values.Region).toBe('North');

      await resetRecords(testApp.dataSource);
      const imported = await importCsv(admin, 'potentials', exported.text, {
        upload: { dateFormat: 'iso' },
      });
      expect(imported.counts.created).toBe(1);
      const [row]: Record<string, unknown>[] = await testApp.dataSource.query(
        `SELECT p.potential_name, cf.cf_1, cf.cf_2, cf.cf_3_cents, cf.cf_4, cf.cf_5
           FROM potentials p JOIN potentials_cf cf ON cf.id = p.id`,
      );
      // BIGINT comes back as a string from mysql2 and as a number from better-sqlite3.
      expect({ ...row, cf_3_cents: String(row.cf_3_cents) }).toEqual({
        potential_name: 'Fleet renewal',
        cf_1: 12,
        cf_2: 'FR-9',
        cf_3_cents: '25075',
        cf_4: '2027-07-15',
        cf_5: 'North',
      });
    });

    it('import skips bad dates and unlisted values', async () => {
      const csv = [
        'Potential Name,Amount,Expected Close Date,Sales Stage,Region,Go-live date,Fleet size',
        'One,10,2027-06-30,Prospecting,North,2027-02-30,1',
        'Two,10,2027-06-30,Prospecting,South,2027-02-01,2',
        'Three,10,2027-06-30,Prospecting,East,2027-02-01,3',
      ].join('\n');

      const imported = await importCsv(admin, 'potentials', csv, { upload: { dateFormat: 'iso' } });

      expect(imported.counts.created).toBe(1);
      expect(imported.counts.failed).toBe(2);
      expect(unescapeHtml(imported.html)).toContain('This date does not exist');
      expect(await testApp.dataSource.query(`SELECT cf_1 FROM potentials_cf`)).toEqual([{ cf_1: 2 }]);
    });
  });
});
