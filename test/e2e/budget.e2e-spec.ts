import { Decimal } from 'decimal.js';
import { BudgetTargetsService } from '../../modules/budget/budget-targets.service.js';
import type { TargetScope } from '../../modules/budget/target-scopes.service.js';
import {
  Agent,
  ALL_ACTIONS,
  createProfileFor,
  createRecord,
  createUser,
  MANAGER_ROLE,
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

const Q2 = '/budget?year=2027&period=quarter-2';

/** One cell of the Budget table as the page shows it: its text and the link behind it. */
interface Cell {
  text: string;
  href?: string;
}

/** One row of the Budget table: its name and its cells, from Target to Attainment. */
interface Row {
  name: string;
  cells: Cell[];
}

const COLUMN = {
  target: 0,
  pipeline: 1,
  weighted: 2,
  bestCase: 3,
  commit: 4,
  closedWon: 5,
  gap: 6,
  attainment: 7,
};

function unescapeHtml(text: string): string {
  return text
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&#x2F;/g, '/')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Reads the Budget table's rows, the totals row last, from the page. */
function tableRows(html: string): Row[] {
  const table = /<table class="table table-sm align-middle budget-table">([\s\S]*?)<\/table>/.exec(html)![1];
  const body = table.slice(table.indexOf('<tbody>'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
    .map((match) => match[1])
    .filter((row) => row.includes('scope="row"'))
    .map((row) => ({
      name: unescapeHtml(/<th scope="row">([\s\S]*?)<\/th>/.exec(row)![1].trim()),
      cells: [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => {
        const link = /<a href="([^"]*)">([\s\S]*?)<\/a>/.exec(cell[1]);
        return link
          ? { href: unescapeHtml(link[1]), text: unescapeHtml(link[2]) }
          : { text: unescapeHtml(cell[1].trim()) };
      }),
    }));
}

function rowNamed(rows: Row[], name: string): Row {
  const row = rows.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`No row ${name} in ${rows.map((candidate) => candidate.name).join(', ')}`);
  return row;
}

/** Returns the texts of the figure columns of a row, from Target to Attainment. */
function texts(row: Row): string[] {
  return row.cells.map((cell) => cell.text);
}

/** Reads the rows of a chart's hidden figures table, each as its texts from the row header on. */
function chartRows(html: string, id: string): string[][] {
  const chart = new RegExp(`<figure class="budget-chart" id="${id}">([\\s\\S]*?)</figure>`).exec(html);
  if (!chart) throw new Error(`No chart ${id} on the page`);
  const body = chart[1].slice(chart[1].indexOf('<tbody>'));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => unescapeHtml(cell[1])),
  );
}

/** Returns the list's totals of Amount and Weighted Amount. */
function listTotals(html: string): { amount: string; weighted: string } {
  const total = (index: number) => new RegExp(`<span data-total="${index}">([^<]*)</span>`).exec(html)![1];
  return { amount: unescapeHtml(total(0)), weighted: unescapeHtml(total(1)) };
}

describe.each(databaseKinds())('budget page on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let ids: { mara: number; sara: number; sam: number; north: number };

  /** Creates a potential as the administrator, then sets the columns the budget reads exactly as given. */
  async function potential(input: {
    name: string;
    amount: string;
    stage: string;
    probability: number;
    expected: string;
    effective?: string;
    owner: string;
    productLine?: string;
  }): Promise<number> {
    const id = await createRecord(testApp, 'potentials', {
      potential_name: input.name,
      amount: input.amount,
      sales_stage: input.stage,
      expected_close_date: input.expected,
      assigned_user_id: input.owner,
      product_line: input.productLine ?? '',
    });
    await testApp.dataSource.query(
      'UPDATE potentials SET probability = ?, effective_close_date = ? WHERE id = ?',
      [input.probability, input.effective ?? null, id],
    );
    return id;
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp?.close();
  });
  beforeEach(async () => {
    await testApp.dataSource.query('DELETE FROM budget_targets');
    await testApp.dataSource.query("DELETE FROM app_settings WHERE name LIKE 'budget%'");
    await resetRecords(testApp.dataSource);
    ids = {
      mara: await createUser(testApp, 'mara', MANAGER_ROLE, 'Mara Manager'),
      sara: await createUser(testApp, 'sara', SALESPERSON_ROLE, 'Sara Seller'),
      sam: await createUser(testApp, 'sam', SALESPERSON_ROLE, 'Sam Seller'),
      north: 0,
    };
    admin = await loginAgent(testApp.app);
    await setSharing(
      admin,
      Object.fromEntries(
        ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'].map((module) => [
          module,
          'private',
        ]),
      ),
    );
    await postForm(admin, '/admin/groups/new', '/admin/groups', {
      name: 'North Team',
      description: '',
      memberIds: [String(ids.sara)],
    });
    const [group] = await testApp.dataSource.query<{ id: number }[]>(
      "SELECT id FROM user_groups WHERE name = 'North Team'",
    );
    ids.north = Number(group.id);

    const sara = String(ids.sara);
    const sam = String(ids.sam);
    await potential({
      name: 'S1',
      amount: '1000',
      stage: 'Qualification',
      probability: 20,
      expected: '2027-05-10',
      owner: sara,
      productLine: 'Standard',
    });
    await potential({
      name: 'S2',
      amount: '2000',
      stage: 'Value Proposition',
      probability: 30,
      expected: '2027-06-30',
      owner: sara,
      productLine: 'Premium',
    });
    await potential({
      name: 'S3',
      amount: '3000',
      stage: 'Negotiation/Review',
      probability: 70,
      expected: '2027-04-01',
      owner: sara,
      productLine: 'Standard',
    });
    await potential({
      name: 'S4 July',
      amount: '4000',
      stage: 'Negotiation/Review',
      probability: 90,
      expected: '2027-07-01',
      owner: sara,
    });
    await potential({
      name: 'S5 won',
      amount: '5000',
      stage: 'Closed Won',
      probability: 100,
      expected: '2027-03-31',
      effective: '2027-04-15',
      owner: sara,
      productLine: 'Premium',
    });
    await potential({
      name: 'M1 won before',
      amount: '6000',
      stage: 'Closed Won',
      probability: 100,
      expected: '2027-05-01',
      effective: '2027-03-20',
      owner: sam,
    });
    await potential({
      name: 'M2 lost',
      amount: '700.50',
      stage: 'Closed Lost',
      probability: 0,
      expected: '2027-05-01',
      effective: '2027-05-02',
      owner: sam,
    });
    await potential({
      name: 'M3',
      amount: '800.25',
      stage: 'Proposal/Price Quote',
      probability: 70,
      expected: '2027-05-15',
      owner: sam,
    });
    await potential({
      name: 'M4',
      amount: '333.33',
      stage: 'Prospecting',
      probability: 33,
      expected: '2027-05-05',
      owner: sam,
    });
    await potential({
      name: 'R1 won',
      amount: '900',
      stage: 'Closed Won',
      probability: 100,
      expected: '2027-06-01',
      effective: '2027-06-30',
      owner: String(ids.mara),
      productLine: 'Subscriptions',
    });
    await potential({
      name: 'G1',
      amount: '1100',
      stage: 'Perception Analysis',
      probability: 30,
      expected: '2027-04-20',
      owner: `group:${ids.north}`,
    });

    const scope: TargetScope = {
      kind: 'user',
      key: sara,
      name: '',
      csvName: '',
      editable: true,
      inactive: false,
      depth: 0,
    };
    await testApp.app.get(BudgetTargetsService).saveMonths(
      1,
      [scope],
      [
        { scope, year: 2027, month: 4, cents: new Decimal(500000) },
        { scope, year: 2027, month: 5, cents: new Decimal(500000) },
      ],
    );
  });

  it('sums each figure per salesperson and in total', async () => {
    const page = await admin.get(`${Q2}&groupBy=salesperson`);

    expect(page.status).toBe(200);
    const rows = tableRows(page.text);
    expect(texts(rowNamed(rows, 'Sara Seller'))).toEqual([
      '€ 10,000.00',
      '€ 6,000.00',
      '€ 2,900.00',
      '€ 10,000.00',
      '€ 8,000.00',
      '€ 5,000.00',
      '€ 5,000.00',
      '50.0 %',
    ]);
    expect(texts(rowNamed(rows, 'Sam Seller'))).toEqual([
      '',
      '€ 1,133.58',
      '€ 670.17',
      '€ 1,133.58',
      '€ 800.25',
      '€ 0.00',
      '',
      '',
    ]);
    expect(texts(rowNamed(rows, 'Mara Manager')).slice(1, 6)).toEqual([
      '€ 0.00',
      '€ 0.00',
      '€ 900.00',
      '€ 900.00',
      '€ 900.00',
    ]);
    expect(texts(rowNamed(rows, 'North Team')).slice(1, 6)).toEqual([
      '€ 1,100.00',
      '€ 330.00',
      '€ 1,100.00',
      '€ 0.00',
      '€ 0.00',
    ]);
    expect(texts(rowNamed(rows, 'Total'))).toEqual([
      '€ 10,000.00',
      '€ 8,233.58',
      '€ 3,900.17',
      '€ 13,133.58',
      '€ 9,700.25',
      '€ 5,900.00',
      '€ 4,100.00',
      '59.0 %',
    ]);
  });

  it('links each figure to a list with the same total', async () => {
    const page = await admin.get(`${Q2}&groupBy=salesperson`);
    const rows = tableRows(page.text);
    let links = 0;

    for (const row of rows) {
      for (const column of ['pipeline', 'weighted', 'bestCase', 'commit', 'closedWon'] as const) {
        const cell = row.cells[COLUMN[column]];
        expect(cell.href).toMatch(/^\/potentials\?/);
        const list = await admin.get(cell.href!);
        expect(list.status).toBe(200);
        const totals = listTotals(list.text);
        const listed = column === 'weighted' ? totals.weighted : totals.amount;
        expect(`${row.name} ${column}: ${listed}`).toBe(`${row.name} ${column}: ${cell.text}`);
        links++;
      }
    }
    expect(links).toBe(rows.length * 5);
  });

  it('shows a salesperson their own and their group only', async () => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const rows = tableRows((await sara.get(`${Q2}&groupBy=salesperson`)).text);

    expect(rows.map((row) => row.name).sort()).toEqual(['North Team', 'Sara Seller', 'Total']);
    expect(texts(rowNamed(rows, 'Total')).slice(1, 6)).toEqual([
      '€ 7,100.00',
      '€ 3,230.00',
      '€ 11,100.00',
      '€ 8,000.00',
      '€ 5,000.00',
    ]);
    const list = await sara.get(rowNamed(rows, 'Total').cells[COLUMN.pipeline].href!);
    expect(listTotals(list.text).amount).toBe('€ 7,100.00');
  });

  it('shows a manager the team below', async () => {
    const mara = await loginAgent(testApp.app, 'mara', PASSWORD);
    const rows = tableRows((await mara.get(`${Q2}&groupBy=salesperson`)).text);

    expect(rows.map((row) => row.name).sort()).toEqual([
      'Mara Manager',
      'Sam Seller',
      'Sara Seller',
      'Total',
    ]);
    expect(texts(rowNamed(rows, 'Total')).slice(1, 6)).toEqual([
      '€ 7,133.58',
      '€ 3,570.17',
      '€ 12,033.58',
      '€ 9,700.25',
      '€ 5,900.00',
    ]);
  });

  it('groups by team with group owners apart', async () => {
    const page = (await admin.get(`${Q2}&groupBy=team`)).text;
    const rows = tableRows(page);

    expect(unescapeHtml(page)).toContain("so a manager's team target covers the manager's own deals only.");

    expect(texts(rowNamed(rows, 'Salesperson')).slice(1, 6)).toEqual([
      '€ 7,133.58',
      '€ 3,570.17',
      '€ 11,133.58',
      '€ 8,800.25',
      '€ 5,000.00',
    ]);
    expect(texts(rowNamed(rows, 'Sales Manager')).slice(1, 6)).toEqual([
      '€ 0.00',
      '€ 0.00',
      '€ 900.00',
      '€ 900.00',
      '€ 900.00',
    ]);
    expect(texts(rowNamed(rows, 'Groups and users without a role')).slice(1, 6)).toEqual([
      '€ 1,100.00',
      '€ 330.00',
      '€ 1,100.00',
      '€ 0.00',
      '€ 0.00',
    ]);
    for (const row of rows) {
      const list = await admin.get(row.cells[COLUMN.bestCase].href!);
      expect(`${row.name}: ${listTotals(list.text).amount}`).toBe(
        `${row.name}: ${row.cells[COLUMN.bestCase].text}`,
      );
    }
  });

  it('groups by product line', async () => {
    const rows = tableRows((await admin.get(`${Q2}&groupBy=product_line`)).text);

    expect(texts(rowNamed(rows, 'Standard')).slice(1, 6)).toEqual([
      '€ 4,000.00',
      '€ 2,300.00',
      '€ 3,000.00',
      '€ 3,000.00',
      '€ 0.00',
    ]);
    expect(texts(rowNamed(rows, 'Premium')).slice(1, 6)).toEqual([
      '€ 2,000.00',
      '€ 600.00',
      '€ 7,000.00',
      '€ 5,000.00',
      '€ 5,000.00',
    ]);
    expect(texts(rowNamed(rows, 'Subscriptions')).slice(5, 6)).toEqual(['€ 900.00']);
    const none = rowNamed(rows, 'No product line');
    expect(texts(none).slice(1, 2)).toEqual(['€ 2,233.58']);
    const list = await admin.get(none.cells[COLUMN.pipeline].href!);
    expect(listTotals(list.text).amount).toBe('€ 2,233.58');
  });

  it('counts by the saved thresholds', async () => {
    const response = await postForm(admin, Q2, '/budget/settings?year=2027&period=quarter-2', {
      bestCase: '20',
      commit: '90',
    });
    expect(response.status).toBe(303);

    const rows = tableRows((await admin.get(`${Q2}&groupBy=salesperson`)).text);
    expect(texts(rowNamed(rows, 'Sara Seller')).slice(3, 5)).toEqual(['€ 11,000.00', '€ 5,000.00']);
    const list = await admin.get(rowNamed(rows, 'Sara Seller').cells[COLUMN.bestCase].href!);
    expect(listTotals(list.text).amount).toBe('€ 11,000.00');
  });

  it('rejects an invalid threshold and keeps the saved ones', async () => {
    const response = await postForm(admin, Q2, '/budget/settings?year=2027&period=quarter-2', {
      bestCase: '101',
      commit: '70',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('Enter a whole number from 0 to 100.');
    const saved = await testApp.dataSource.query<{ name: string }[]>(
      "SELECT name FROM app_settings WHERE name LIKE 'budget%'",
    );
    expect(saved).toEqual([]);
  });

  it('rejects a commit threshold below best case', async () => {
    const response = await postForm(admin, Q2, '/budget/settings?year=2027&period=quarter-2', {
      bestCase: '80',
      commit: '50',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('so enter a commit threshold at least as high as the best case one.');
    const saved = await testApp.dataSource.query<{ name: string }[]>(
      "SELECT name FROM app_settings WHERE name LIKE 'budget%'",
    );
    expect(saved).toEqual([]);
  });

  it('lets only administrators change the thresholds', async () => {
    const mara = await loginAgent(testApp.app, 'mara', PASSWORD);
    const page = await mara.get(Q2);
    expect(page.text).not.toContain('/budget/settings');

    const response = await mara
      .post('/budget/settings?year=2027&period=quarter-2')
      .type('form')
      .send({ _csrf: csrfToken(page.text), bestCase: '10', commit: '10' });
    expect(response.status).toBe(403);
  });

  it('rejects a settings POST without a CSRF token', async () => {
    const response = await admin.post('/budget/settings').type('form').send({ bestCase: '10', commit: '10' });

    expect(response.status).toBe(403);
    const saved = await testApp.dataSource.query<{ name: string }[]>(
      "SELECT name FROM app_settings WHERE name LIKE 'budget%'",
    );
    expect(saved).toEqual([]);
  });

  it('exports the table as CSV named for period and grouping', async () => {
    const response = await admin.get('/budget/export.csv?year=2027&period=quarter-1&groupBy=team');
    expect(response.headers['content-disposition']).toBe('attachment; filename="budget-2027-Q1-by-team.csv"');

    const csv = await admin.get('/budget/export.csv?year=2027&period=quarter-2&groupBy=salesperson');
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Salesperson,Target,Pipeline,Weighted pipeline,Best case,Commit,Closed won,Gap to target,Attainment',
    );
    expect(lines).toContain('Sara Seller,10000.00,6000.00,2900.00,10000.00,8000.00,5000.00,5000.00,50.0');
    expect(lines[lines.length - 1]).toBe(
      'Total,10000.00,8233.58,3900.17,13133.58,9700.25,5900.00,4100.00,59.0',
    );
  });

  it('formats figures and the CSV in Italian', async () => {
    await testApp.dataSource.query("UPDATE users SET locale = 'it' WHERE username = 'sara'");
    const relogged = await loginAgent(testApp.app, 'sara', PASSWORD);

    const rows = tableRows((await relogged.get(`${Q2}&groupBy=salesperson`)).text);
    expect(texts(rowNamed(rows, 'Sara Seller'))).toEqual([
      '€ 10.000,00',
      '€ 6.000,00',
      '€ 2.900,00',
      '€ 10.000,00',
      '€ 8.000,00',
      '€ 5.000,00',
      '€ 5.000,00',
      '50,0 %',
    ]);
    const csv = await relogged.get('/budget/export.csv?year=2027&period=month-4&groupBy=salesperson');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="budget-2027-04-by-salesperson.csv"',
    );
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0].split(';')[0]).toBe('Venditore');
    expect(lines).toContain('Sara Seller;5000,00;3000,00;2100,00;8000,00;8000,00;5000,00;0,00;100,0');
  });

  it('draws the table rows in the bar chart', async () => {
    const page = await admin.get(`${Q2}&groupBy=salesperson`);
    const rows = tableRows(page.text).filter((row) => row.name !== 'Total');

    const drawn = chartRows(page.text, 'budget-bar-chart');
    expect(drawn).toHaveLength(rows.length);
    for (const [index, row] of rows.entries()) {
      const cells = texts(row);
      expect(drawn[index]).toEqual([
        row.name,
        cells[COLUMN.target] || '\u2013',
        cells[COLUMN.closedWon],
        cells[COLUMN.weighted],
      ]);
    }
  });

  it('adds closed won and target up by month', async () => {
    const page = await admin.get(`${Q2}&groupBy=salesperson`);
    const totals = texts(rowNamed(tableRows(page.text), 'Total'));

    const months = chartRows(page.text, 'budget-line-chart');
    expect(months).toEqual([
      ['Apr', '€ 5,000.00', '€ 5,000.00'],
      ['May', '€ 5,000.00', '€ 10,000.00'],
      ['Jun', '€ 5,900.00', '€ 10,000.00'],
    ]);
    expect(months[2][1]).toBe(totals[COLUMN.closedWon]);
    expect(months[2][2]).toBe(totals[COLUMN.target]);
  });

  it('shows the funnel, win rates and forecast link', async () => {
    const page = await admin.get(`${Q2}&groupBy=salesperson`);

    expect(page.text).toContain('id="funnel-heading"');
    expect(page.text).toContain('id="win-rates-heading"');
    expect(page.text).toContain('href="/budget/forecast"');
    const negotiation = chartRows(page.text, 'funnel-chart').find((row) => row[0] === 'Negotiation/Review');
    expect(negotiation).toEqual(['Negotiation/Review', '2', '€ 7,000.00']);
    const forecast = await admin.get('/budget/forecast');
    expect(forecast.text).toContain('<a href="/budget">');
  });

  it('draws only own figures for a salesperson', async () => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const page = await sara.get(`${Q2}&groupBy=salesperson`);

    expect(chartRows(page.text, 'budget-bar-chart').map((row) => row[0])).toEqual([
      'Sara Seller',
      'North Team',
    ]);
    const months = chartRows(page.text, 'budget-line-chart');
    const wonMonths = months.filter((row) => row[1] !== '\u2013');
    expect(wonMonths.at(-1)![1]).toBe('€ 5,000.00');
    expect(months.at(-1)![2]).toBe('€ 10,000.00');
    const funnel = chartRows(page.text, 'funnel-chart');
    expect(funnel.find((row) => row[0] === 'Proposal/Price Quote')).toEqual([
      'Proposal/Price Quote',
      '0',
      '€ 0.00',
    ]);
  });

  it('names the chart months in Italian', async () => {
    await testApp.dataSource.query("UPDATE users SET locale = 'it' WHERE username = 'sara'");
    const relogged = await loginAgent(testApp.app, 'sara', PASSWORD);

    const page = await relogged.get(`${Q2}&groupBy=salesperson`);
    const months = chartRows(page.text, 'budget-line-chart');
    expect(months.map((row) => row[0])).toEqual(['apr', 'mag', 'giu']);
    expect(months[0][1]).toBe('€ 5.000,00');
  });

  it('leads from the menu to the Budget page', async () => {
    const home = await admin.get('/potentials');
    expect(home.text).toContain('href="/budget"');
  });

  // Last, because it gives the salespeople's role a profile that hides the effective close date for good.
  it('omits the line without close dates', async () => {
    await createProfileFor(
      admin,
      SALESPERSON_ROLE,
      'No close dates',
      { potentials: ALL_ACTIONS },
      { 'potentials:effective_close_date': 'hidden' },
    );
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const page = await sara.get(`${Q2}&groupBy=salesperson`);

    expect(page.status).toBe(200);
    expect(page.text).not.toContain('id="budget-line-chart"');
    expect(page.text).toContain('hides the amount or the effective close date');
    expect(page.text).toContain('id="budget-bar-chart"');
  });
});
