import { createRecord, createUser, SALESPERSON_ROLE } from '../support/records.js';
import { databaseKinds, loginAgent, startTestApp, TestApp } from '../support/test-app.js';

describe.each(databaseKinds())('page details on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('names the form in the browser tab', async () => {
    const admin = await loginAgent(testApp.app);

    const page = await admin.get('/potentials/new');

    expect(page.text).toContain('<title>New Potential · Affari</title>');
  });

  it('keeps the board filter on its list view link', async () => {
    const admin = await loginAgent(testApp.app);

    const board = await admin.get('/pipeline?q=fleet&assigned_user_id=1');

    expect(board.text).toContain('href="/potentials?q&#x3D;fleet&amp;assigned_user_id&#x3D;1"');
  });

  it('starts a board card without amount at its date', async () => {
    await createRecord(testApp, 'potentials', {
      potential_name: 'No amount yet',
      expected_close_date: '2027-03-31',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
    });
    const admin = await loginAgent(testApp.app);

    const board = await admin.get('/pipeline');

    expect(board.text).toContain('<div class="small"><span class="amount"></span>03/31/2027</div>');
  });

  it("lists each user's role", async () => {
    await createUser(testApp, 'rosa', SALESPERSON_ROLE, 'Rosa Neri');
    const admin = await loginAgent(testApp.app);

    const page = await admin.get('/admin/users');

    expect(page.text).toMatch(/Rosa Neri<\/a><\/td>\s*<td>rosa<\/td>\s*<td><\/td>\s*<td>Salesperson<\/td>/);
  });

  it('serves the icon every page links to', async () => {
    const icon = await (await loginAgent(testApp.app)).get('/assets/favicon.svg');

    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toContain('image/svg+xml');
  });
});
