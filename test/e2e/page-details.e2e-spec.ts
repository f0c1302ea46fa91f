import { createUser, SALESPERSON_ROLE } from '../support/records.js';
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
