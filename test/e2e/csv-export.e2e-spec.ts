import { parse } from 'csv-parse/sync';
import { translate } from '../../src/i18n/i18n.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { UsersService } from '../../src/users/users.service.js';
import { importCsv } from '../support/csv-import.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';

/** Potentials with a link, a closed deal, a multi-line description and names that look like formulas. */
const POTENTIALS_CSV = [
  'Potential Name,Amount,Sales Stage,Expected Close Date,Effective Close Date,Account Name,Description',
  'Fleet renewal,1234.56,Prospecting,2027-06-30,,Orbit Logistics,"First line',
  'second line"',
  '"=HYPERLINK(""http://example.com"")",10,Closed Won,2027-01-31,2027-01-15,,',
  '  +cmd,20,Prospecting,2027-02-01,,,@SUM(A1)',
  '-2+3,0,Qualification,2027-03-01,,Orbit Logistics,',
].join('\n');

interface PotentialRow {
  potential_name: string;
  amount_cents: string;
  sales_stage: string;
  probability: number;
  expected_close_date: string;
  effective_close_date: string | null;
  description: string | null;
  account_name: string | null;
}

describe.each(databaseKinds())('CSV export on %s', (kind) => {
  let testApp: TestApp;

  const potentials = async (): Promise<PotentialRow[]> => {
    const rows = await testApp.dataSource.query<PotentialRow[]>(
      `SELECT p.potential_name, p.amount_cents, p.sales_stage, p.probability, p.expected_close_date,
              p.effective_close_date, p.description, a.account_name
       FROM potentials p LEFT JOIN accounts a ON a.id = p.account_id ORDER BY p.potential_name`,
    );
    return rows.map((row) => ({
      ...row,
      amount_cents: String(row.amount_cents),
      probability: Number(row.probability),
    }));
  };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  async function exportPotentials(path = '/export/potentials') {
    const agent = await loginAgent(testApp.app);
    const imported = await importCsv(agent, 'potentials', POTENTIALS_CSV);
    expect(imported.counts.created).toBe(4);
    const response = await agent.get(path).buffer(true);
    const rows: string[][] = parse(response.text, { bom: true });
    return { agent, response, rows };
  }

  it('sends an attachment with a byte-order mark', async () => {
    const { response } = await exportPotentials();

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="potentials-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.text.startsWith('\uFEFF')).toBe(true);
  });

  it('writes every field with its label', async () => {
    const { rows } = await exportPotentials();

    const fields = testApp.app.get(ModuleRegistry).fields('potentials');
    expect(rows[0]).toEqual(fields.map((field) => translate('en', field.label)));
    expect(rows).toHaveLength(5);
  });

  it('writes labels in the user language', async () => {
    await exportPotentials();
    const saved = await testApp.app.get(UsersService).save(null, {
      fullName: 'Giulia Verdi',
      username: 'gverdi',
      password: 'a-long-test-password',
      locale: 'it',
    });
    expect(saved.ok).toBe(true);
    const agent = await loginAgent(testApp.app, 'gverdi', 'a-long-test-password');

    const response = await agent.get('/export/potentials').buffer(true);

    const rows: string[][] = parse(response.text, { bom: true });
    const fields = testApp.app.get(ModuleRegistry).fields('potentials');
    expect(rows[0]).toEqual(fields.map((field) => translate('it', field.label)));
  });

  it('writes links, users, money and dates plainly', async () => {
    const { rows } = await exportPotentials();

    const header = rows[0];
    const fleet = rows.find((row) => row[0] === 'Fleet renewal')!;
    const cell = (label: string) => fleet[header.indexOf(label)];
    expect(cell('Amount')).toBe('1234.56');
    expect(cell('Weighted amount')).toBe('123.46');
    expect(cell('Account Name')).toBe('Orbit Logistics');
    expect(cell('Assigned To')).toBe('Administrator');
    expect(cell('Expected Close Date')).toBe('2027-06-30');
    expect(cell('Description')).toBe('First line\nsecond line');
  });

  it('prefixes cells that spreadsheets would run as formulas', async () => {
    const { rows } = await exportPotentials();

    const names = rows.slice(1).map((row) => row[0]);
    const descriptionIndex = rows[0].indexOf('Description');
    expect([...names].sort()).toEqual(
      ["'+cmd", "'-2+3", '\'=HYPERLINK("http://example.com")', 'Fleet renewal'].sort(),
    );
    expect(rows.find((row) => row[0] === "'+cmd")![descriptionIndex]).toBe("'@SUM(A1)");
  });

  it('exports only the filtered list', async () => {
    const { rows } = await exportPotentials('/export/potentials?sales_stage=Prospecting&q=fleet');

    expect(rows.slice(1).map((row) => row[0])).toEqual(['Fleet renewal']);
  });

  it('round-trips through export and import', async () => {
    const { agent, response } = await exportPotentials();
    const before = await potentials();
    await resetRecords(testApp.dataSource);

    const outcome = await importCsv(agent, 'potentials', Buffer.from(response.text, 'utf8'));

    expect(outcome.counts).toEqual({ read: 4, created: 4, failed: 0, skipped: 0 });
    expect(await potentials()).toEqual(before);
  });
});
