import { Decimal } from 'decimal.js';
import { BudgetTargetsService } from '../../modules/budget/budget-targets.service.js';
import {
  Agent,
  createUser,
  MANAGER_ROLE,
  ORGANISATION_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
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

const YEAR = '2027';
const TARGETS_PAGE = `/budget/targets?year=${YEAR}&kind=user`;

/** The hidden fields of the grid of users' targets for YEAR. */
const USER_GRID = { year: YEAR, kind: 'user' };

/** Posts the "spread evenly" form of the targets page of the kind, as a browser would. */
function spreadTarget(agent: Agent, kind: string, scope: string, period: string, amount: string) {
  const page = `/budget/targets?year=${YEAR}&kind=${kind}`;
  return postForm(agent, page, '/budget/targets/spread', {
    year: YEAR,
    kind,
    spreadScope: scope,
    spreadPeriod: period,
    spreadAmount: amount,
  });
}

/** Returns the stored monthly targets of a user for the year, in cents, from January to December ('' where none). */
async function monthsOf(testApp: TestApp, userId: number): Promise<string[]> {
  const rows = await testApp.dataSource.query<{ month: number; amount_cents: string | number }[]>(
    "SELECT month, amount_cents FROM budget_targets WHERE scope_kind = 'user' AND scope_key = ? AND year = ?",
    [String(userId), Number(YEAR)],
  );
  const months = Array<string>(12).fill('');
  for (const row of rows) months[Number(row.month) - 1] = String(row.amount_cents);
  return months;
}

/** Returns the grid row index that the page gives the scope, read from its hidden `scope-N` input. */
function rowOf(html: string, scopeKey: string | number): string {
  const match = new RegExp(`name="scope-(\\d+)" value="${String(scopeKey)}"`).exec(html);
  if (!match) throw new Error(`No editable row for scope ${String(scopeKey)}`);
  return match[1];
}

/** Uploads a targets file through the import page, as a browser would. */
async function uploadTargets(agent: Agent, content: string, numberFormat = 'dot', year = YEAR) {
  const page = await agent.get(`/budget/targets/import?year=${year}`);
  return postTargetsFile(agent, csrfToken(page.text), content, { year, numberFormat });
}

/** Posts a targets file with the CSRF token and the other fields of the import form. */
function postTargetsFile(agent: Agent, token: string, content: string, fields: Record<string, string>) {
  let post = agent.post('/budget/targets/import').field('_csrf', token);
  for (const [name, value] of Object.entries(fields)) post = post.field(name, value);
  return post.attach('file', Buffer.from(content, 'utf8'), {
    filename: 'targets.csv',
    contentType: 'text/csv',
  });
}

describe.each(databaseKinds())('budget targets on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let ids: { manager: number; seller: number; boss: number };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp?.close();
  });
  beforeEach(async () => {
    await testApp.dataSource.query('DELETE FROM budget_targets');
    await resetRecords(testApp.dataSource);
    ids = {
      boss: await createUser(testApp, 'boss', ORGANISATION_ROLE, 'Bianca Boss'),
      manager: await createUser(testApp, 'manager', MANAGER_ROLE, 'Marco Manager'),
      seller: await createUser(testApp, 'seller', SALESPERSON_ROLE, 'Sara Seller'),
    };
    admin = await loginAgent(testApp.app);
  });

  it('spreads 100,000.00 over the year to the exact cent', async () => {
    const response = await spreadTarget(admin, 'user', String(ids.seller), 'year-1', '100,000.00');

    expect(response.status).toBe(303);
    const months = await monthsOf(testApp, ids.seller);
    const extraCent = '833334';
    const even = '833333';
    const quarter = [extraCent, even, even];
    expect(months).toEqual([...quarter, ...quarter, ...quarter, ...quarter]);
    expect(months.reduce((sum, cents) => sum.plus(cents), new Decimal(0)).toString()).toBe('10000000');
    const service = testApp.app.get(BudgetTargetsService);
    const yearTarget = await service.targetOf(
      { kind: 'user', key: String(ids.seller) },
      { year: 2027, kind: 'year', index: 1 },
    );
    expect(yearTarget.toFixed(2)).toBe('100000.00');
  });

  it('sums the months of a quarter and a half', async () => {
    const page = await admin.get(TARGETS_PAGE);
    const row = rowOf(page.text, ids.seller);
    const response = await postForm(admin, TARGETS_PAGE, '/budget/targets', {
      ...USER_GRID,
      [`scope-${row}`]: String(ids.seller),
      [`amount-${row}-4`]: '1,000.10',
      [`amount-${row}-5`]: '2000.20',
      [`amount-${row}-6`]: '0.03',
      [`amount-${row}-7`]: '5',
    });
    expect(response.status).toBe(303);

    const service = testApp.app.get(BudgetTargetsService);
    const scope = { kind: 'user' as const, key: String(ids.seller) };
    expect((await service.targetOf(scope, { year: 2027, kind: 'quarter', index: 2 })).toFixed(2)).toBe(
      '3000.33',
    );
    expect((await service.targetOf(scope, { year: 2027, kind: 'half', index: 1 })).toFixed(2)).toBe(
      '3000.33',
    );
    expect((await service.targetOf(scope, { year: 2027, kind: 'month', index: 7 })).toFixed(2)).toBe('5.00');
    expect((await service.targetOf(scope, { year: 2027, kind: 'quarter', index: 1 })).toFixed(2)).toBe(
      '0.00',
    );
    const quarters = await admin.get(`${TARGETS_PAGE}&view=quarter`);
    expect(quarters.text).toContain('€ 3,000.33');
  });

  it('saves nothing when one cell of the grid is invalid', async () => {
    const page = await admin.get(TARGETS_PAGE);
    const row = rowOf(page.text, ids.seller);
    const response = await postForm(admin, TARGETS_PAGE, '/budget/targets', {
      ...USER_GRID,
      [`scope-${row}`]: String(ids.seller),
      [`amount-${row}-1`]: '1000',
      [`amount-${row}-2`]: '12,5x',
      [`amount-${row}-3`]: '-10',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain(`id="error-amount-${row}-2"`);
    expect(response.text).toContain(
      `<a href="#field-amount-${row}-2" class="alert-link">Sara Seller, February</a>`,
    );
    expect(response.text).toContain('Not a number.');
    expect(response.text).toContain('The amount cannot be negative.');
    expect(response.text).toContain('value="12,5x"');
    expect(await monthsOf(testApp, ids.seller)).toEqual(Array<string>(12).fill(''));
  });

  it('reads amounts with the decimal comma in Italian', async () => {
    await testApp.dataSource.query("UPDATE users SET locale = 'it' WHERE id = ?", [ids.manager]);
    const manager = await loginAgent(testApp.app, 'manager', PASSWORD);
    const response = await spreadTarget(manager, 'user', String(ids.seller), 'quarter-1', '1.000,01');

    expect(response.status).toBe(303);
    expect((await monthsOf(testApp, ids.seller)).slice(0, 3)).toEqual(['33334', '33334', '33333']);
    const page = await manager.get(TARGETS_PAGE);
    expect(page.text).toContain('€ 1.000,01');
    expect(page.text).toContain('Obiettivi di vendita');
  });

  it('lets a manager set the targets of his subordinates only', async () => {
    const manager = await loginAgent(testApp.app, 'manager', PASSWORD);
    const page = await manager.get(TARGETS_PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sara Seller');
    expect(page.text).not.toContain('Bianca Boss');
    expect(page.text).toContain(`name="scope-${rowOf(page.text, ids.seller)}"`);
    expect(page.text).not.toContain(`value="${ids.manager}"`);

    const own = await spreadTarget(manager, 'user', String(ids.manager), 'year-1', '1000');
    const superior = await postForm(manager, TARGETS_PAGE, '/budget/targets', {
      ...USER_GRID,
      'scope-0': String(ids.boss),
      'amount-0-1': '1000',
    });
    const superiorRole = await spreadTarget(manager, 'role', String(ORGANISATION_ROLE), 'year-1', '1000');
    const subordinateRole = await spreadTarget(manager, 'role', String(SALESPERSON_ROLE), 'month-3', '250');

    expect(own.status).toBe(403);
    expect(superior.status).toBe(403);
    // A role above the manager's is not among his choices at all, like a role deleted meanwhile.
    expect(superiorRole.status).toBe(422);
    expect(superiorRole.text).toContain('The chosen entry no longer exists.');
    expect(subordinateRole.status).toBe(303);
    const rows = await testApp.dataSource.query<{ scope_kind: string; scope_key: string; month: number }[]>(
      'SELECT scope_kind, scope_key, month FROM budget_targets',
    );
    expect(rows.map((row) => `${row.scope_kind}:${row.scope_key}:${Number(row.month)}`)).toEqual([
      `role:${SALESPERSON_ROLE}:3`,
    ]);
  });

  it('shows a salesperson their own targets read only', async () => {
    await spreadTarget(admin, 'user', String(ids.seller), 'month-1', '750');
    const seller = await loginAgent(testApp.app, 'seller', PASSWORD);

    const page = await seller.get(TARGETS_PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toContain('€ 750.00');
    expect(page.text).not.toContain('Marco Manager');
    expect(page.text).not.toContain('name="scope-');
    expect(page.text).not.toContain('action="/budget/targets/spread"');
    expect((await seller.get(`/budget/targets?year=${YEAR}&kind=product_line`)).status).toBe(403);

    const attempt = await spreadTarget(seller, 'user', String(ids.seller), 'month-1', '999999');
    expect(attempt.status).toBe(403);
    expect((await monthsOf(testApp, ids.seller))[0]).toBe('75000');
  });

  it('offers a salesperson no import', async () => {
    const seller = await loginAgent(testApp.app, 'seller', PASSWORD);

    const page = await seller.get(TARGETS_PAGE);
    expect(page.text).toContain('href="/budget/targets/export');
    expect(page.text).not.toContain('href="/budget/targets/import');
    expect((await seller.get(`/budget/targets/import?year=${YEAR}`)).status).toBe(403);

    const file = 'scope_kind,scope_name,year,month,amount\r\nuser,seller,2027,1,10\r\n';
    const upload = await postTargetsFile(seller, csrfToken(page.text), file, { year: YEAR });
    expect(upload.status).toBe(403);
    expect(await monthsOf(testApp, ids.seller)).toEqual(Array<string>(12).fill(''));
  });

  it('imports its own export unchanged', async () => {
    await spreadTarget(admin, 'user', String(ids.seller), 'year-1', '100000');
    await spreadTarget(admin, 'product_line', 'Premium', 'half-2', '60000.06');
    const exported = await admin.get(`/budget/targets/export?year=${YEAR}`);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.text).toContain('scope_kind,scope_name,year,month,amount');
    expect(exported.text).toContain('user,seller,2027,1,8333.34');
    expect(exported.text).toContain('product_line,Premium,2027,7,10000.01');
    const before = await testApp.dataSource.query<unknown[]>(
      'SELECT scope_kind, scope_key, year, month, amount_cents FROM budget_targets ORDER BY scope_kind, scope_key, month',
    );

    await testApp.dataSource.query('DELETE FROM budget_targets');
    const response = await uploadTargets(admin, exported.text);

    expect(response.status).toBe(303);
    const after = await testApp.dataSource.query<unknown[]>(
      'SELECT scope_kind, scope_key, year, month, amount_cents FROM budget_targets ORDER BY scope_kind, scope_key, month',
    );
    expect(after).toEqual(before);
    expect(after).toHaveLength(18);
  });

  it('exports only the targets a user may see', async () => {
    await spreadTarget(admin, 'user', String(ids.seller), 'month-1', '100');
    await spreadTarget(admin, 'user', String(ids.manager), 'month-1', '200');
    await testApp.dataSource.query("UPDATE users SET locale = 'it' WHERE id = ?", [ids.seller]);
    const seller = await loginAgent(testApp.app, 'seller', PASSWORD);

    const exported = await seller.get(`/budget/targets/export?year=${YEAR}`);

    expect(exported.status).toBe(200);
    expect(exported.text).toContain('scope_kind;scope_name;year;month;amount');
    expect(exported.text).toContain('user;seller;2027;1;100,00');
    expect(exported.text).not.toContain('manager');
  });

  it('imports an Italian file with the decimal comma and semicolons', async () => {
    const file =
      'scope_kind;scope_name;year;month;amount\r\nuser;seller;2027;2;1234,56\r\nrole;Salesperson;2027;2;99,9\r\n';

    const response = await uploadTargets(admin, file, 'comma');

    expect(response.status).toBe(303);
    expect((await monthsOf(testApp, ids.seller))[1]).toBe('123456');
    const role = await testApp.app
      .get(BudgetTargetsService)
      .targetOf({ kind: 'role', key: String(SALESPERSON_ROLE) }, { year: 2027, kind: 'month', index: 2 });
    expect(role.toFixed(2)).toBe('99.90');
  });

  it('returns to the year of the imported file', async () => {
    const file =
      'scope_kind,scope_name,year,month,amount\r\nuser,seller,2027,1,10\r\nuser,seller,2027,2,20\r\n';

    const response = await uploadTargets(admin, file, 'dot', '2026');

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/budget/targets?year=2027&kind=user&view=month');
    const next = await admin.get(response.headers.location);
    expect(next.text).toContain('Targets imported: 2 rows read, 2 monthly targets changed.');
  });

  it('says when an import changes nothing', async () => {
    const file = 'scope_kind,scope_name,year,month,amount\r\nuser,seller,2027,1,10\r\n';
    await uploadTargets(admin, file);

    const again = await uploadTargets(admin, file);

    const next = await admin.get(again.headers.location);
    expect(next.text).toContain('Targets imported: 1 rows read. Every amount in the file was already');
  });

  it('rejects the whole file and lists each bad row', async () => {
    const file = [
      'scope_kind,scope_name,year,month,amount',
      'user,seller,2027,1,500',
      'user,nobody,2027,1,500',
      'user,seller,2027,2,12.345',
      'team,seller,2027,3,1',
      'user,seller,2027,13,1',
      'user,seller,2027,1,600',
    ].join('\r\n');

    const response = await uploadTargets(admin, file);

    expect(response.status).toBe(422);
    expect(response.text).toContain('5 rows have errors, so nothing was imported.');
    expect(response.text).toContain('No user with the user name &quot;nobody&quot;');
    expect(response.text).toContain('At most 2 decimal places.');
    expect(response.text).toContain('&quot;team&quot; is not a scope kind.');
    expect(response.text).toContain('&quot;13&quot; is not a month.');
    expect(response.text).toContain('already on line 2');
    expect(await monthsOf(testApp, ids.seller)).toEqual(Array<string>(12).fill(''));
  });

  it('rejects rows of scopes the importer may not set', async () => {
    const manager = await loginAgent(testApp.app, 'manager', PASSWORD);
    const file =
      'scope_kind,scope_name,year,month,amount\r\nuser,seller,2027,1,10\r\nuser,boss,2027,1,10\r\n';

    const response = await uploadTargets(manager, file);

    expect(response.status).toBe(422);
    expect(response.text).toContain('No user with the user name &quot;boss&quot;');
    expect(await monthsOf(testApp, ids.seller)).toEqual(Array<string>(12).fill(''));
  });

  it('rejects a POST without the CSRF token', async () => {
    const response = await admin
      .post('/budget/targets/spread')
      .type('form')
      .send({
        year: YEAR,
        kind: 'user',
        spreadScope: String(ids.seller),
        spreadPeriod: 'year-1',
        spreadAmount: '1000',
      });
    const upload = await admin
      .post('/budget/targets/import')
      .attach(
        'file',
        Buffer.from('scope_kind,scope_name,year,month,amount\r\nuser,seller,2027,1,10\r\n'),
        'targets.csv',
      );

    expect(response.status).toBe(403);
    expect(upload.status).toBe(403);
    expect(await monthsOf(testApp, ids.seller)).toEqual(Array<string>(12).fill(''));
  });

  it('links the targets page from the Budget page', async () => {
    const seller = await loginAgent(testApp.app, 'seller', PASSWORD);
    const home = await seller.get('/pipeline');
    expect(home.text).toContain('href="/budget"');
    const budget = await seller.get('/budget?year=2027');
    // Handlebars escapes the equals sign of the query string.
    expect(budget.text).toContain('href="/budget/targets?year&#x3D;2027"');
  });
});
