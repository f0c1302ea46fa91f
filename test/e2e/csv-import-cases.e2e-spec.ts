import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { importCsv, mappingColumns, mappingFormValues, uploadCsv } from '../support/csv-import.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';

/**
 * Files that reproduce faults users met when importing into other CRMs: encodings, byte-order marks,
 * delimiters inside quotes, line breaks in and outside quotes, blank rows, picklist spelling and
 * account names typed differently. The files live beside the repository, not in it.
 */
const CASES = join(import.meta.dirname, '..', '..', '..', 'shared', 'cases', 'import');
const hasCases = existsSync(join(CASES, 'CASES.md'));
if (!hasCases) console.warn(`Skipping the shared import cases: ${CASES} not found.`);

const caseFile = (name: string) => readFileSync(join(CASES, name));

(hasCases ? describe.each(databaseKinds()) : describe.skip.each(databaseKinds()))(
  'CSV import cases on %s',
  (kind) => {
    let testApp: TestApp;

    const query = <T>(sql: string) => testApp.dataSource.query<T[]>(sql);
    const count = async (table: string) =>
      Number((await query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

    beforeAll(async () => {
      testApp = await startTestApp(kind);
    });
    afterAll(async () => {
      await testApp.close();
    });
    beforeEach(async () => {
      await resetRecords(testApp.dataSource);
    });

    it.each([
      ['accounts-utf8.csv', 'UTF-8'],
      ['accounts-cp1252.csv', 'Windows-1252 (Western European)'],
    ])('stores accented names from %s', async (file, encoding) => {
      const agent = await loginAgent(testApp.app);
      const uploaded = await uploadCsv(agent, 'accounts', caseFile(file));
      const mappingPage = await agent.get(uploaded.headers.location);

      const outcome = await importCsv(agent, 'accounts', caseFile(file));

      expect(mappingPage.text).toContain(`Detected: ${encoding}, delimiter Comma (,).`);
      expect(outcome.counts).toEqual({ read: 2, created: 2, failed: 0, skipped: 0 });
      const accounts = await query<{ account_name: string; billing_city: string }>(
        'SELECT account_name, billing_city FROM accounts ORDER BY id',
      );
      expect(accounts).toEqual([
        { account_name: 'Società Agricola Rossi Srl', billing_city: 'Forlì' },
        { account_name: 'Bäckerei Müller GmbH', billing_city: 'Brunico/Bruneck' },
      ]);
      expect(JSON.stringify(accounts)).not.toMatch(/[ÃÂ]/);
    });

    it('lets the user override the detected encoding', async () => {
      const agent = await loginAgent(testApp.app);
      const uploaded = await uploadCsv(agent, 'accounts', caseFile('accounts-utf8.csv'));
      const jobPath = uploaded.headers.location;
      const form = mappingFormValues((await agent.get(jobPath)).text);

      const reread = await agent
        .post(jobPath)
        .type('form')
        .send({ ...form, encoding: 'windows-1252', dateFormat: 'dmy', action: 'reread' });
      const page = await agent.get(jobPath);

      expect(reread.status).toBe(303);
      expect(page.text).toContain('<option value="windows-1252" selected>');
      expect(page.text).toContain('<option value="dmy" selected>');
      expect(page.text).toContain('SocietÃ');
    });

    it('reads a semicolon file with a byte-order mark and Italian formats', async () => {
      const agent = await loginAgent(testApp.app);
      const uploaded = await uploadCsv(agent, 'potentials', caseFile('potentials-bom-semicolon.csv'));
      const mappingPage = (await agent.get(uploaded.headers.location)).text;

      const outcome = await importCsv(agent, 'potentials', caseFile('potentials-bom-semicolon.csv'), {
        upload: { numberFormat: 'comma', dateFormat: 'dmy' },
      });

      expect(mappingColumns(mappingPage).get('Potential Name')).toBe(0);
      expect(mappingFormValues(mappingPage).map_0).toBe('potential_name');
      expect(outcome.counts).toEqual({ read: 1, created: 1, failed: 0, skipped: 0 });
      const rows = await query<{
        potential_name: string;
        amount_cents: number | string;
        expected_close_date: string;
      }>('SELECT potential_name, amount_cents, expected_close_date FROM potentials');
      expect(rows[0].potential_name).toBe('Fornitura server Rossi');
      expect(String(rows[0].amount_cents)).toBe('1250000');
      expect(rows[0].expected_close_date).toBe('2027-06-30');
    });

    it('keeps a quoted delimiter inside a value', async () => {
      const agent = await loginAgent(testApp.app);
      const uploaded = await uploadCsv(agent, 'accounts', caseFile('accounts-semicolon-quoted.csv'));
      const mappingPage = (await agent.get(uploaded.headers.location)).text;

      const outcome = await importCsv(agent, 'accounts', caseFile('accounts-semicolon-quoted.csv'));

      expect(mappingPage).toContain('delimiter Semicolon (;).');
      expect(outcome.counts.created).toBe(2);
      const names = await query<{ account_name: string }>('SELECT account_name FROM accounts ORDER BY id');
      expect(names.map((row) => row.account_name)).toEqual(['Rossi Srl', 'Bianchi; Verdi & C. Snc']);
    });

    it('keeps a quoted line break and exports it back in quotes', async () => {
      const agent = await loginAgent(testApp.app);

      const outcome = await importCsv(agent, 'potentials', caseFile('potentials-multiline.csv'));
      const exported = await agent.get('/export/potentials?sort=potential_name').buffer(true);

      expect(outcome.counts).toEqual({ read: 2, created: 2, failed: 0, skipped: 0 });
      const rows = await query<{ description: string }>('SELECT description FROM potentials ORDER BY id');
      expect(rows[0].description).toBe('Sopralluogo fatto.\nRichiesta offerta entro venerdì');
      expect(exported.text).toContain('"Sopralluogo fatto.\nRichiesta offerta entro venerdì"');
      const lines: string[][] = parse(exported.text, { bom: true });
      expect(lines).toHaveLength(3);
    });

    it('reports a bare carriage return without shifting values', async () => {
      const agent = await loginAgent(testApp.app);

      const outcome = await importCsv(agent, 'potentials', caseFile('potentials-multiline-broken.csv'));

      expect(outcome.counts).toEqual({ read: 2, created: 1, failed: 1, skipped: 0 });
      expect(outcome.html).toContain(
        '<td>2</td><td>Description</td><td>A line break (carriage return) outside quotes',
      );
      const rows = await query<Record<string, unknown>>(
        'SELECT potential_name, description, amount_cents, sales_stage, expected_close_date FROM potentials',
      );
      expect(rows.map((row) => ({ ...row, amount_cents: String(row.amount_cents) }))).toEqual([
        {
          potential_name: 'Manutenzione Bianchi',
          description: 'Contratto annuale',
          amount_cents: '480000',
          sales_stage: 'Prospecting',
          expected_close_date: '2027-06-01',
        },
      ]);
    });

    it('skips blank and delimiter-only rows', async () => {
      const agent = await loginAgent(testApp.app);

      const outcome = await importCsv(agent, 'potentials', caseFile('potentials-blank-rows.csv'));

      expect(outcome.counts).toEqual({ read: 5, created: 2, failed: 0, skipped: 3 });
      expect(await count('potentials')).toBe(2);
    });

    it('maps unlisted picklist values without changing the list', async () => {
      const agent = await loginAgent(testApp.app);
      const picklistBefore = await query<{ value: string }>(
        `SELECT value FROM picklist_values WHERE field = 'sales_stage' ORDER BY sort_order`,
      );
      const uploaded = await uploadCsv(agent, 'potentials', caseFile('potentials-picklist-values.csv'));
      const form = mappingFormValues((await agent.get(uploaded.headers.location)).text);
      const offered = await agent
        .post(uploaded.headers.location)
        .type('form')
        .send({ ...form, action: 'import' });

      const outcome = await importCsv(agent, 'potentials', caseFile('potentials-picklist-values.csv'), {
        choices: { Negoziazione: 'Negotiation/Review' },
      });

      const offeredValues = [...offered.text.matchAll(/for="unlisted-\d+">([^<]*)</g)].map(
        (match) => match[1],
      );
      expect(offeredValues).toEqual(['Sales Stage: “Negoziazione” (2 rows)']);
      expect(outcome.counts).toEqual({ read: 4, created: 4, failed: 0, skipped: 0 });
      const stages = await query<{ sales_stage: string }>('SELECT sales_stage FROM potentials');
      expect(stages.map((row) => row.sales_stage)).toEqual(Array(4).fill('Negotiation/Review'));
      const picklistAfter = await query<{ value: string }>(
        `SELECT value FROM picklist_values WHERE field = 'sales_stage' ORDER BY sort_order`,
      );
      expect(picklistAfter).toEqual(picklistBefore);
    });

    it('links contacts that name one account differently to one account', async () => {
      const agent = await loginAgent(testApp.app);

      const first = await importCsv(agent, 'contacts', caseFile('contacts-shared-account.csv'));
      const second = await importCsv(agent, 'contacts', caseFile('contacts-shared-account.csv'));

      expect(first.counts).toEqual({ read: 3, created: 3, failed: 0, skipped: 0 });
      expect(second.counts.created).toBe(3);
      const accounts = await query<{ id: number; account_name: string }>(
        'SELECT id, account_name FROM accounts',
      );
      expect(accounts.map((row) => row.account_name)).toEqual(['Bianchi & Figli S.p.A.']);
      const contacts = await query<{ first_name: string; last_name: string; account_id: number }>(
        'SELECT first_name, last_name, account_id FROM contacts ORDER BY id',
      );
      expect(contacts.slice(0, 3).map((row) => `${row.first_name} ${row.last_name}`)).toEqual([
        'Mario Rossi',
        'Anna Verdi',
        'Luca Neri',
      ]);
      expect(contacts.map((row) => Number(row.account_id))).toEqual(Array(6).fill(Number(accounts[0].id)));
    });
  },
);
