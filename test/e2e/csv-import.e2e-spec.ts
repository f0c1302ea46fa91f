import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { RecordImporter } from '../../src/csv/record-importer.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { importCsv, mappingFormValues, uploadCsv } from '../support/csv-import.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'csv');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

describe.each(databaseKinds())('CSV import on %s', (kind) => {
  let testApp: TestApp;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);
  const count = async (table: string) =>
    Number((await query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    testApp = await startTestApp(kind, { IMPORT_MAX_MB: '1' });
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  async function createUser(fullName: string, username: string): Promise<number> {
    const saved = await testApp.app
      .get(UsersService)
      .save(null, { fullName, username, password: 'a-long-test-password' });
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    return saved.user.id;
  }

  const storedFiles = () => readdirSync(join(testApp.database.config.storageDir, 'imports')).sort();

  async function adminId(): Promise<number> {
    return Number((await query<{ id: number }>(`SELECT id FROM users WHERE username = 'admin'`))[0].id);
  }

  async function importMixed() {
    await createUser('Marta Bianchi', 'mbianchi');
    const agent = await loginAgent(testApp.app);
    const outcome = await importCsv(agent, 'potentials', fixture('potentials-mixed.csv'), {
      defaults: { 'Expected Close Date': '2027-12-31' },
    });
    return { agent, outcome };
  }

  it('imports good rows and lists failed rows', async () => {
    const { outcome } = await importMixed();

    expect(outcome.counts).toEqual({ read: 6, created: 3, failed: 3, skipped: 0 });
    const potentials = await query<Record<string, unknown>>(
      `SELECT potential_name, potential_no, amount_cents, sales_stage, expected_close_date, assigned_user_id, account_id
       FROM potentials ORDER BY potential_no`,
    );
    expect(potentials.map((p) => p.potential_name)).toEqual([
      'Fleet renewal',
      'Server upgrade',
      'Printer lease',
    ]);
    expect(potentials.map((p) => p.potential_no)).toEqual(['POT1', 'POT2', 'POT3']);
    expect(potentials.map((p) => String(p.amount_cents))).toEqual(['123456', '25000', '9990']);
    expect(potentials[1].sales_stage).toBe('Qualification');
    expect(potentials[2].expected_close_date).toBe('2027-12-31');
    const martaId = Number(
      (await query<{ id: number }>(`SELECT id FROM users WHERE username = 'mbianchi'`))[0].id,
    );
    expect(potentials.map((p) => Number(p.assigned_user_id))).toEqual([martaId, martaId, await adminId()]);
    expect(new Set(potentials.map((p) => Number(p.account_id))).size).toBe(1);
  });

  it('creates a named account once', async () => {
    await importMixed();

    const accounts = await query<{ account_name: string; account_no: string }>(
      'SELECT account_name, account_no FROM accounts',
    );
    expect(accounts).toEqual([{ account_name: 'Orbit Logistics', account_no: 'ACC1' }]);
  });

  it('shows line, column and reason of failed rows', async () => {
    const { outcome } = await importMixed();

    const rows = [
      ...outcome.html.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g),
    ].map((match) => [match[1], match[2], match[3]]);
    expect(rows).toEqual([
      ['5', 'Expected Close Date', 'This date does not exist. Check the day and the month.'],
      ['6', 'Amount', 'Not a number. Use digits, with the decimal separator of your language.'],
      [
        '7',
        'Campaign Source',
        '&quot;Spring Fair&quot; was not found. Choose an existing record, user or group.',
      ],
    ]);
    expect(outcome.html).toContain('1 row named an assigned user who was not found and was assigned to you.');
  });

  it('lists failed rows by line', async () => {
    const agent = await loginAgent(testApp.app);
    // A field error is found when the batch is checked, after the short row below it was already refused.
    const csv = ['Account Name,Website', 'Bad Address Ltd,javascript:alert(1)', 'Short Ltd'].join('\n');

    const outcome = await importCsv(agent, 'accounts', csv);

    const lines = [...outcome.html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((match) => match[1]);
    expect(lines).toEqual(['2', '3']);
    const download = await agent.get(`${outcome.jobPath}/failed.csv`).buffer(true);
    const rows: string[][] = parse(download.text, { bom: true });
    expect(rows.slice(1).map((row) => row[0])).toEqual(['Bad Address Ltd', 'Short Ltd']);
  });

  it('keeps the reason of a short or long row under its header', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Account Name,Website,Phone\nShort Ltd,short.example\nLong Ltd,long.example,555,extra\n';
    const outcome = await importCsv(agent, 'accounts', csv);

    const download = await agent.get(`${outcome.jobPath}/failed.csv`).buffer(true);
    const lines: string[][] = parse(download.text, { bom: true, relax_column_count: true });
    expect(lines[0]).toEqual(['Account Name', 'Website', 'Phone', 'Import error']);
    expect(lines[1].slice(0, 3)).toEqual(['Short Ltd', 'short.example', '']);
    expect(lines[1][3]).toContain('The row has 2 values but the header has 3 columns');
    expect(lines[2].slice(0, 3)).toEqual(['Long Ltd', 'long.example', '555']);
    expect(lines[2][3]).toContain('The row has 4 values but the header has 3 columns');
    expect(lines[2][4]).toBe('extra');
  });

  it('downloads the failed rows as CSV with a reason', async () => {
    const { agent, outcome } = await importMixed();

    const download = await agent.get(`${outcome.jobPath}/failed.csv`).buffer(true);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="potentials-failed-rows-\d+\.csv"$/,
    );
    expect(download.text.startsWith('\uFEFF')).toBe(true);
    const lines: string[][] = parse(download.text, { bom: true });
    expect(lines[0]).toEqual([
      'Potential Name',
      'Amount',
      'Sales Stage',
      'Expected Close Date',
      'Assigned To',
      'Account Name',
      'Campaign Source',
      'Import error',
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toEqual([
      'Bad amount',
      '12abc',
      'Prospecting',
      '2027-05-01',
      '',
      '',
      '',
      'Amount: Not a number. Use digits, with the decimal separator of your language.',
    ]);
  });

  it('deletes the upload once the import finished', async () => {
    await importMixed();

    const jobs = await query<{ stored_name: string }>('SELECT stored_name FROM import_jobs');
    expect(jobs).toHaveLength(1);
    expect(storedFiles()).not.toContain(jobs[0].stored_name);
    expect(storedFiles()).toContain(`${jobs[0].stored_name}.failed.csv`);
  });

  it('reads Italian amounts and day-first dates when chosen', async () => {
    const agent = await loginAgent(testApp.app);

    const outcome = await importCsv(agent, 'potentials', fixture('potentials-italian.csv'), {
      upload: { numberFormat: 'comma', dateFormat: 'dmy' },
      mapping: {
        Nome: 'potential_name',
        Importo: 'amount',
        Fase: 'sales_stage',
        Chiusura: 'expected_close_date',
      },
    });

    expect(outcome.counts).toEqual({ read: 3, created: 2, failed: 1, skipped: 0 });
    const potentials = await query<{ amount_cents: string | number; expected_close_date: string }>(
      'SELECT amount_cents, expected_close_date FROM potentials ORDER BY id',
    );
    expect(potentials.map((p) => [String(p.amount_cents), p.expected_close_date])).toEqual([
      ['123456', '2027-06-30'],
      ['1250000', '2028-02-01'],
    ]);
    expect(outcome.html).toContain('<td>4</td><td>Chiusura</td><td>This date does not exist.');
  });

  it('reads month-first dates when chosen', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Potential Name,Sales Stage,Expected Close Date\nFirst,Prospecting,02/01/2028\n';

    const outcome = await importCsv(agent, 'potentials', csv, { upload: { dateFormat: 'mdy' } });

    expect(outcome.counts.created).toBe(1);
    const rows = await query<{ expected_close_date: string }>('SELECT expected_close_date FROM potentials');
    expect(rows[0].expected_close_date).toBe('2028-02-01');
  });

  it('rejects slashed dates when ISO is chosen', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Potential Name,Sales Stage,Expected Close Date\nFirst,Prospecting,02/01/2028\n';

    const outcome = await importCsv(agent, 'potentials', csv, { upload: { dateFormat: 'iso' } });

    expect(outcome.counts).toEqual({ read: 1, created: 0, failed: 1, skipped: 0 });
    expect(outcome.html).toContain('Not a date.');
  });

  it('maps unlisted picklist values as the user chooses', async () => {
    const agent = await loginAgent(testApp.app);
    const picklistCount = await count('picklist_values');

    const outcome = await importCsv(agent, 'potentials', fixture('potentials-stages.csv'), {
      mapping: { Deal: 'potential_name', Stage: 'sales_stage', Close: 'expected_close_date' },
      choices: { Won: 'Closed Won', Lost: 'Closed Lost' },
    });

    expect(outcome.counts).toEqual({ read: 5, created: 4, failed: 1, skipped: 0 });
    const potentials = await query<{
      potential_name: string;
      sales_stage: string;
      probability: number;
      effective_close_date: string | null;
    }>('SELECT potential_name, sales_stage, probability, effective_close_date FROM potentials ORDER BY id');
    expect(potentials.map((p) => [p.potential_name, p.sales_stage, Number(p.probability)])).toEqual([
      ['Alpha', 'Closed Won', 100],
      ['Beta', 'Closed Won', 100],
      ['Gamma', 'Closed Lost', 0],
      ['Epsilon', 'Closed Won', 100],
    ]);
    expect(potentials[0].effective_close_date).toBe('2026-01-10');
    expect(outcome.html).toContain('&quot;In trattativa&quot; is not one of the listed values.');
    expect(await count('picklist_values')).toBe(picklistCount);
  });

  it('lists a repeated unlisted value once', async () => {
    const agent = await loginAgent(testApp.app);
    const uploaded = await uploadCsv(agent, 'potentials', fixture('potentials-stages.csv'));
    const jobPath = uploaded.headers.location;
    const form = mappingFormValues((await agent.get(jobPath)).text);

    const page = await agent
      .post(jobPath)
      .type('form')
      .send({
        ...form,
        map_0: 'potential_name',
        map_1: 'sales_stage',
        map_2: 'expected_close_date',
        action: 'import',
      });

    expect(page.status).toBe(200);
    const labels = [...page.text.matchAll(/for="unlisted-\d+">([^<]*)</g)].map((match) => match[1]);
    expect(labels).toEqual([
      'Sales Stage: “Won” (2 rows)',
      'Sales Stage: “Lost” (1 row)',
      'Sales Stage: “In trattativa” (1 row)',
    ]);
    expect(await count('potentials')).toBe(0);
  });

  it('fails an account whose name is taken', async () => {
    const agent = await loginAgent(testApp.app);

    const outcome = await importCsv(agent, 'accounts', fixture('accounts-basic.csv'));

    expect(outcome.counts).toEqual({ read: 3, created: 2, failed: 1, skipped: 0 });
    expect(outcome.html).toContain('&quot;orbit logistics&quot; is already in use.');
    expect(await count('accounts')).toBe(2);
  });

  it('matches users by username, full name or falls back', async () => {
    const martaId = await createUser('Marta Bianchi', 'mbianchi');
    const lucaId = await createUser('Luca Neri', 'lneri');
    const agent = await loginAgent(testApp.app);
    const csv = 'Account Name,Assigned To\nOne,LNERI\nTwo,marta bianchi\nThree,Someone Else\nFour,\n';

    const outcome = await importCsv(agent, 'accounts', csv);

    expect(outcome.counts.created).toBe(4);
    const rows = await query<{ account_name: string; assigned_user_id: number }>(
      'SELECT account_name, assigned_user_id FROM accounts ORDER BY id',
    );
    const admin = await adminId();
    expect(rows.map((row) => Number(row.assigned_user_id))).toEqual([lucaId, martaId, admin, admin]);
  });

  it('skips blank rows and fails rows with a wrong column count', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Account Name;Billing City\nFirst;Rome\n\n;\nSecond;Milan;extra\n  ;  \nThird;Turin\n';

    const outcome = await importCsv(agent, 'accounts', csv);

    expect(outcome.counts).toEqual({ read: 6, created: 2, failed: 1, skipped: 3 });
    expect(outcome.html).toContain(
      '<td>5</td><td></td><td>The row has 3 values but the header has 2 columns',
    );
  });

  it('uses a default for empty cells of a mapped column', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Account Name,Industry\nFirst,\nSecond,Banking\n';

    const outcome = await importCsv(agent, 'accounts', csv, { defaults: { Industry: 'Retail' } });

    expect(outcome.counts.created).toBe(2);
    const rows = await query<{ industry: string }>('SELECT industry FROM accounts ORDER BY id');
    expect(rows.map((row) => row.industry)).toEqual(['Retail', 'Banking']);
  });

  it('refuses a field mapped twice or a required field left out', async () => {
    const agent = await loginAgent(testApp.app);
    const csv = 'Name,Other\nFirst,Second\n';

    const outcome = await importCsv(agent, 'accounts', csv, {
      mapping: { Name: 'billing_city', Other: 'billing_city' },
    });

    expect(outcome.status).toBe(422);
    expect(outcome.html).toContain('Billing City is chosen for more than one column.');
    expect(outcome.html).toContain('Account Name is required. Choose a column for it.');
    expect(await count('accounts')).toBe(0);
  });

  it('keeps many failed rows within the stored result', async () => {
    const agent = await loginAgent(testApp.app);
    const longText = 'Ü'.repeat(300);
    const headers = ['name', 'email', 'website'].map((name) => `${longText} ${name}`);
    const lines = Array.from({ length: 1200 }, (_, index) => `${longText}${index},not an email,not a url`);

    const outcome = await importCsv(agent, 'accounts', [headers.join(','), ...lines].join('\n'), {
      mapping: { [headers[0]]: 'account_name', [headers[1]]: 'email', [headers[2]]: 'website' },
    });

    expect(outcome.counts).toEqual({ read: 1200, created: 0, failed: 1200, skipped: 0 });
    expect(outcome.html).toContain('Only the first rows are listed here; the file has all of them.');
    const download = await agent.get(`${outcome.jobPath}/failed.csv`).buffer(true);
    const rows: string[][] = parse(download.text, { bom: true });
    expect(rows).toHaveLength(1201);
  });

  it('reports the rows of a batch the database rejected', async () => {
    // insertRecords is private; the test replaces it to make the database reject one batch.
    const importer = testApp.app.get<RecordImporter, { insertRecords: () => Promise<void> }>(RecordImporter);
    const insert = jest
      .spyOn(importer, 'insertRecords')
      .mockRejectedValueOnce(new Error('simulated failure'));
    const agent = await loginAgent(testApp.app);

    const outcome = await importCsv(agent, 'accounts', 'Account Name\nFirst\nSecond\n');
    insert.mockRestore();

    expect(outcome.counts).toEqual({ read: 2, created: 0, failed: 2, skipped: 0 });
    expect(outcome.html).toContain(
      '<td>2</td><td></td><td>The row could not be saved because of a database error.',
    );
    expect(await count('accounts')).toBe(0);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'The file is empty.'],
    ['a byte-order mark only', Buffer.from([0xef, 0xbb, 0xbf, 0x0a]), 'The file is empty.'],
    ['a header only', Buffer.from('Account Name,Website\n'), 'The file has a header row but no data rows.'],
    [
      'a header of 40,000 characters',
      Buffer.from(`Account Name,${'x'.repeat(40000)}\nFirst,Second\n`),
      'The header row is too long',
    ],
    [
      'a quote left open in the first data row',
      Buffer.from('Account Name;Website\n"Broken quote;example.com\nSecond;example.org\n'),
      'The file cannot be read from line 2 on',
    ],
    [
      'a binary file',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]),
      'The file is not a text CSV file',
    ],
  ])('refuses %s on the upload page', async (_name, content, message) => {
    const agent = await loginAgent(testApp.app);
    const storedBefore = storedFiles();

    const response = await uploadCsv(agent, 'accounts', content);

    expect(response.status).toBe(422);
    expect(response.text).toContain(message);
    expect(response.text).toContain('enctype="multipart/form-data"');
    expect(await count('import_jobs')).toBe(0);
    expect(storedFiles()).toEqual(storedBefore);
  });

  it('refuses an oversized file on the upload page', async () => {
    const agent = await loginAgent(testApp.app);
    const content = Buffer.from('Account Name\n' + 'A name that repeats\n'.repeat(60000));
    const storedBefore = storedFiles();

    const response = await uploadCsv(agent, 'accounts', content);

    expect(response.status).toBe(413);
    expect(response.text).toContain('The file is larger than 1 MB.');
    expect(response.text).toContain('enctype="multipart/form-data"');
    expect(await count('import_jobs')).toBe(0);
    expect(storedFiles()).toEqual(storedBefore);
  });

  it('refuses an upload without the CSRF token', async () => {
    const agent = await loginAgent(testApp.app);

    const response = await agent
      .post('/import/accounts')
      .attach('file', Buffer.from('Account Name\nX\n'), 'a.csv');

    expect(response.status).toBe(403);
    expect(await count('import_jobs')).toBe(0);
  });

  it('shows a job only to the user who uploaded it', async () => {
    await createUser('Luca Neri', 'lneri');
    const owner = await loginAgent(testApp.app);
    const uploaded = await uploadCsv(owner, 'accounts', 'Account Name\nX\n');
    const other = await loginAgent(testApp.app, 'lneri', 'a-long-test-password');

    const response = await other.get(uploaded.headers.location);

    expect(uploaded.status).toBe(303);
    expect(response.status).toBe(404);
  });

  it('escapes file values on the mapping page', async () => {
    const agent = await loginAgent(testApp.app);
    const uploaded = await uploadCsv(
      agent,
      'accounts',
      'Account Name,<b>x</b>\n<script>alert(1)</script>,y\n',
    );

    const page = await agent.get(uploaded.headers.location);

    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
