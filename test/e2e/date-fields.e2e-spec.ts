import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

describe.each(databaseKinds())('date fields in record forms on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  /** Returns the value that a form page fills into the close date field. */
  function closeDateInForm(html: string): string {
    const match = /id="field-expected_close_date"[^>]*value="([^"]*)"/.exec(html);
    if (!match) throw new Error('No close date field found on the form');
    return match[1];
  }

  /** Creates a potential closing on 2027-06-30 and returns its detail page's path. */
  async function createPotential(agent: Awaited<ReturnType<typeof loginAgent>>): Promise<string> {
    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Fleet renewal',
      amount: '100',
      expected_close_date: '06/30/2027',
      sales_stage: 'Prospecting',
    });
    expect(created.status).toBe(303);
    return created.headers.location;
  }

  it('edit form shows the date in the locale', async () => {
    const agent = await loginAgent(testApp.app);
    const path = await createPotential(agent);

    const edit = await agent.get(`${path}/edit`);

    expect(edit.text).toMatch(/id="field-expected_close_date"[^>]*type="text"[^>]*value="06\/30\/2027"/);
    expect(edit.text).toContain('For example 06/30/2027.');
  });

  it('Italian edit form shows day first', async () => {
    const admin = await loginAgent(testApp.app);
    const path = await createPotential(admin);
    const createdUser = await postForm(admin, '/admin/users/new', '/admin/users', {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: 'giulia-password-1',
      locale: 'it',
      isActive: 'on',
      isAdmin: 'on',
    });
    expect(createdUser.status).toBe(303);
    const giulia = await loginAgent(testApp.app, 'giulia', 'giulia-password-1');

    const edit = await giulia.get(`${path}/edit`);

    expect(edit.status).toBe(200);
    expect(closeDateInForm(edit.text)).toBe('30/06/2027');
    expect(edit.text).toContain('30/06/2027.');
  });

  it('edit form round trip keeps the date', async () => {
    const admin = await loginAgent(testApp.app);
    const path = await createPotential(admin);
    await postForm(admin, '/admin/users/new', '/admin/users', {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: 'giulia-password-1',
      locale: 'it',
      isActive: 'on',
    });
    const giulia = await loginAgent(testApp.app, 'giulia', 'giulia-password-1');

    for (const agent of [admin, giulia]) {
      const edit = await agent.get(`${path}/edit`);
      const saved = await postForm(agent, `${path}/edit`, path, {
        potential_name: 'Fleet renewal',
        amount: '100',
        expected_close_date: closeDateInForm(edit.text),
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });

      expect(saved.status).toBe(303);
      const rows = await testApp.dataSource.query<{ expected_close_date: string }[]>(
        'SELECT expected_close_date FROM potentials',
      );
      expect(String(rows[0].expected_close_date).slice(0, 10)).toBe('2027-06-30');
    }
  });
});
