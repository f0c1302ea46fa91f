import request from 'supertest';
import { unescapeHtml } from '../support/csv-import.js';
import { createUser, PASSWORD, SALESPERSON_ROLE } from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const NEW_PASSWORD = 'a-brand-new-secret';

describe.each(databaseKinds())('own account on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await testApp.dataSource.query(`DELETE FROM users WHERE username = 'sara'`);
    await createUser(testApp, 'sara', SALESPERSON_ROLE, 'Sara Bianchi');
  });

  /** Tries to sign in and returns the status of the login POST: 303 when it succeeds. */
  async function loginStatus(password: string): Promise<number> {
    const agent = request.agent(testApp.app.getHttpServer());
    const page = await agent.get('/login');
    const response = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfToken(page.text), username: 'sara', password });
    return response.status;
  }

  it('lists the account page under the user name in the menu', async () => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const home = await sara.get('/potentials');
    const account = await sara.get('/account');

    expect(home.text).toContain('<summary class="nav-link app-navbar-account">Sara Bianchi</summary>');
    expect(home.text).toContain('<a class="nav-link" href="/account">My account</a>');
    expect(account.status).toBe(200);
    expect(unescapeHtml(account.text)).toContain('Signed in as Sara Bianchi (sara).');
  });

  it('changes the language of the interface', async () => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const saved = await postFormAndFollow(sara, '/account', '/account/language', { locale: 'it' });

    expect(saved.text).toContain('<html lang="it">');
    expect(saved.text).toContain('Il mio account');
    const rows = await testApp.dataSource.query<{ locale: string }[]>(
      `SELECT locale FROM users WHERE username = 'sara'`,
    );
    expect(rows[0].locale).toBe('it');
  });

  it('changes the password with the current one', async () => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const saved = await postFormAndFollow(sara, '/account', '/account/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });

    expect(saved.text).toContain('Your password was changed.');
    expect(await loginStatus(NEW_PASSWORD)).toBe(303);
    expect(await loginStatus(PASSWORD)).not.toBe(303);
  });

  it.each([
    [
      'a wrong current password',
      { currentPassword: 'not-my-password', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      'This is not your current password. Type the password you signed in with.',
    ],
    [
      'a short new password',
      { currentPassword: PASSWORD, newPassword: 'short', confirmPassword: 'short' },
      'at least 8 characters',
    ],
    [
      'two different new passwords',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}x` },
      'The two new passwords differ. Type the same password twice.',
    ],
  ])('rejects %s', async (_case, form, message) => {
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

    const response = await postForm(sara, '/account', '/account/password', form);

    expect(response.status).toBe(422);
    expect(response.text).toContain('The password was not changed:');
    expect(unescapeHtml(response.text)).toContain(message);
    expect(await loginStatus(PASSWORD)).toBe(303);
  });
});
