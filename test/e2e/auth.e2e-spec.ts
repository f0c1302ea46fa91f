import { NestExpressApplication } from '@nestjs/platform-express';
import request, { Response } from 'supertest';
import {
  ADMIN_PASSWORD,
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const SESSION_COOKIE = 'affari.sid';
const USER_PASSWORD = 'anna-password-1';

/** Returns the `name=value` pairs of the cookies that a response sets. */
function cookiePairsOf(response: Response): string[] {
  const header = response.headers['set-cookie'] as string[] | string | undefined;
  if (header === undefined) return [];

  const cookies = Array.isArray(header) ? header : [header];
  return cookies.map((cookie) => cookie.split(';')[0]);
}

/** Returns the `name=value` pair of the session cookie that a response sets, if it sets one. */
function sessionCookieOf(response: Response): string | undefined {
  return cookiePairsOf(response).find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
}

/** Logs in without an agent and returns the session cookie, for requests that set cookies by hand. */
async function loginCookie(app: NestExpressApplication, username: string, password: string): Promise<string> {
  const server = app.getHttpServer();
  const page = await request(server).get('/login');
  const anonymousCookie = sessionCookieOf(page)!;
  const response = await request(server)
    .post('/login')
    .set('Cookie', [anonymousCookie, ...csrfCookiesOf(page)])
    .type('form')
    .send({ _csrf: csrfToken(page.text), username, password });
  if (response.status !== 303) throw new Error(`Login as ${username} failed with status ${response.status}`);
  return sessionCookieOf(response)!;
}

/** Returns every cookie but the session cookie that a response sets (the CSRF cookie). */
function csrfCookiesOf(response: Response): string[] {
  return cookiePairsOf(response).filter((pair) => !pair.startsWith(`${SESSION_COOKIE}=`));
}

/** Returns the decoded value of the login form's hidden `next` field, as a browser would submit it. */
function hiddenNextOf(html: string): string {
  const match = /name="next" value="([^"]*)"/.exec(html);
  if (!match) throw new Error('No next field found on the login page');
  return match[1]
    .replace(/&#x([0-9a-f]+);/gi, (_entity, code: string) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&amp;/g, '&');
}

describe.each(databaseKinds())('login and users on %s', (kind) => {
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

  async function countRows(table: string): Promise<number> {
    const rows = await testApp.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM ${table}`,
    );
    return Number(rows[0].n);
  }

  async function userRow(username: string) {
    const rows = await testApp.dataSource.query<
      {
        id: number;
        full_name: string;
        is_active: number | boolean;
        is_admin: number | boolean;
        password_hash: string;
      }[]
    >('SELECT id, full_name, is_active, is_admin, password_hash FROM users WHERE username = ?', [username]);
    return rows[0];
  }

  /** Creates a user through the administration page and returns their id. */
  async function createUser(username = 'anna', extra: Record<string, string> = {}): Promise<number> {
    const admin = await loginAgent(testApp.app);
    const response = await postForm(admin, '/admin/users/new', '/admin/users', {
      fullName: 'Anna Bianchi',
      username,
      email: 'anna@example.com',
      password: USER_PASSWORD,
      isActive: 'on',
      locale: 'en',
      ...extra,
    });
    if (response.status !== 303)
      throw new Error(`Creating ${username} failed with status ${response.status}`);
    return Number((await userRow(username)).id);
  }

  describe('login redirects', () => {
    it.each([
      '/',
      '/potentials',
      '/potentials/new',
      '/potentials/1',
      '/accounts?sort=account_name&dir=desc',
      '/campaigns',
      '/pipeline',
      '/admin/users',
    ])('sends %s to the login page', async (path) => {
      const response = await request(testApp.app.getHttpServer()).get(path);

      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    });

    it('shows the login page without a session', async () => {
      const response = await request(testApp.app.getHttpServer()).get('/login');

      expect(response.status).toBe(200);
      expect(response.text).toContain('name="password"');
    });

    it('returns to the requested page after login', async () => {
      const agent = request.agent(testApp.app.getHttpServer());
      const redirect = await agent.get('/accounts?sort=account_name&dir=desc');
      const page = await agent.get(redirect.headers.location);
      const next = hiddenNextOf(page.text);

      const login = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), next, username: 'admin', password: ADMIN_PASSWORD });

      expect(next).toBe('/accounts?sort=account_name&dir=desc');
      expect(login.status).toBe(303);
      expect(login.headers.location).toBe('/accounts?sort=account_name&dir=desc');
      expect((await agent.get(login.headers.location)).status).toBe(200);
    });

    it.each(['//evil.example', 'https://evil.example', '/\\evil', '\\\\evil.example', 'evil.example', ''])(
      'lands on / for next=%p',
      async (next) => {
        const agent = request.agent(testApp.app.getHttpServer());
        const page = await agent.get(`/login?next=${encodeURIComponent(next)}`);

        const login = await agent
          .post('/login')
          .type('form')
          .send({ _csrf: csrfToken(page.text), next, username: 'admin', password: ADMIN_PASSWORD });

        expect(login.status).toBe(303);
        expect(login.headers.location).toBe('/');
      },
    );

    it.each(['/\t/evil.example', '/\n/evil.example', '/%2F%2Fevil.example'])(
      'stays on this origin for next=%p',
      async (next) => {
        const agent = request.agent(testApp.app.getHttpServer());
        const page = await agent.get('/login');

        const login = await agent
          .post('/login')
          .type('form')
          .send({ _csrf: csrfToken(page.text), next, username: 'admin', password: ADMIN_PASSWORD });

        expect(login.status).toBe(303);
        const target = new URL(login.headers.location, 'http://127.0.0.1:3999');
        expect(target.origin).toBe('http://127.0.0.1:3999');
      },
    );

    it('sends a logged-in user away from the login page to a safe next', async () => {
      const agent = await loginAgent(testApp.app);

      const response = await agent.get('/login?next=https://evil.example');

      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/');
    });
  });

  describe('sessions', () => {
    it('changes the session id at login', async () => {
      const agent = request.agent(testApp.app.getHttpServer());
      const page = await agent.get('/login');
      const before = sessionCookieOf(page);

      const login = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), username: 'admin', password: ADMIN_PASSWORD });
      const after = sessionCookieOf(login);

      expect(before).toBeDefined();
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
    });

    it('does not accept the session cookie from before login', async () => {
      const server = testApp.app.getHttpServer();
      const agent = request.agent(server);
      const page = await agent.get('/login');
      const before = sessionCookieOf(page)!;
      await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), username: 'admin', password: ADMIN_PASSWORD });

      const response = await request(server).get('/potentials').set('Cookie', before);

      expect(response.status).toBe(303);
    });

    it('ends the session at logout', async () => {
      const server = testApp.app.getHttpServer();
      const cookie = await loginCookie(testApp.app, 'admin', ADMIN_PASSWORD);
      const page = await request(server).get('/potentials').set('Cookie', cookie);
      expect(page.status).toBe(200);

      const logout = await request(server)
        .post('/logout')
        .set('Cookie', [cookie, ...csrfCookiesOf(page)])
        .type('form')
        .send({ _csrf: csrfToken(page.text) });
      const afterLogout = await request(server).get('/potentials').set('Cookie', cookie);

      expect(logout.status).toBe(303);
      expect(logout.headers.location).toBe('/login');
      expect(afterLogout.status).toBe(303);
      expect(afterLogout.headers.location).toBe('/login?next=%2Fpotentials');
    });

    it('is accepted by a second instance on the same database', async () => {
      const cookie = await loginCookie(testApp.app, 'admin', ADMIN_PASSWORD);
      const second = await startAppOn(testApp.database);
      try {
        const response = await request(second.getHttpServer()).get('/potentials').set('Cookie', cookie);

        expect(response.status).toBe(200);
        expect(response.text).toContain('Administrator');
      } finally {
        await second.close();
      }
    });

    it('accepts a form from the first instance on the second', async () => {
      const cookie = await loginCookie(testApp.app, 'admin', ADMIN_PASSWORD);
      const page = await request(testApp.app.getHttpServer()).get('/accounts/new').set('Cookie', cookie);
      const cookies = [cookie, ...csrfCookiesOf(page)];
      const second = await startAppOn(testApp.database);
      try {
        const response = await request(second.getHttpServer())
          .post('/accounts')
          .set('Cookie', cookies)
          .type('form')
          .send({ _csrf: csrfToken(page.text), account_name: 'Shared Session Ltd' });

        expect(response.status).toBe(303);
        expect(await countRows('accounts')).toBe(1);
      } finally {
        await second.close();
      }
    });
  });

  describe('failed logins', () => {
    it('rejects a wrong password with 401 and the message', async () => {
      const agent = request.agent(testApp.app.getHttpServer());
      const page = await agent.get('/login');

      const response = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), username: 'admin', password: 'wrong-password' });

      expect(response.status).toBe(401);
      expect(response.text).toContain('The username or password is wrong');
      expect(response.text).toContain('value="admin"');
      expect((await agent.get('/potentials')).status).toBe(303);
    });

    it('rejects an unknown user with the same message', async () => {
      const agent = request.agent(testApp.app.getHttpServer());
      const page = await agent.get('/login');

      const response = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), username: 'nobody', password: ADMIN_PASSWORD });

      expect(response.status).toBe(401);
      expect(response.text).toContain('The username or password is wrong');
    });

    it('rejects a deactivated user with 401 and the message', async () => {
      const id = await createUser('anna');
      const admin = await loginAgent(testApp.app);
      await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Anna Bianchi',
        username: 'anna',
        email: 'anna@example.com',
        password: '',
        locale: 'en',
      });
      const agent = request.agent(testApp.app.getHttpServer());
      const page = await agent.get('/login');

      const response = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfToken(page.text), username: 'anna', password: USER_PASSWORD });

      expect(response.status).toBe(401);
      expect(response.text).toContain('The username or password is wrong, or the account is deactivated');
    });

    it('logs in with the username in another case', async () => {
      await createUser('anna');

      await expect(loginAgent(testApp.app, ' ANNA ', USER_PASSWORD)).resolves.toBeDefined();
    });

    it('ends the session of a user who is deactivated', async () => {
      const id = await createUser('anna');
      const anna = await loginAgent(testApp.app, 'anna', USER_PASSWORD);
      expect((await anna.get('/potentials')).status).toBe(200);

      const admin = await loginAgent(testApp.app);
      const deactivated = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Anna Bianchi',
        username: 'anna',
        email: 'anna@example.com',
        password: '',
        locale: 'en',
      });
      const next = await anna.get('/potentials');

      expect(deactivated.status).toBe(303);
      expect(next.status).toBe(303);
      expect(next.headers.location).toBe('/login?next=%2Fpotentials');
    });
  });

  describe('CSRF', () => {
    it('rejects a POST without a token and saves nothing', async () => {
      const agent = await loginAgent(testApp.app);

      const response = await agent.post('/accounts').type('form').send({ account_name: 'No Token Ltd' });

      expect(response.status).toBe(403);
      expect(await countRows('accounts')).toBe(0);
    });

    it('rejects a POST with a wrong token and saves nothing', async () => {
      const agent = await loginAgent(testApp.app);
      const page = await agent.get('/accounts/new');
      const token = csrfToken(page.text);
      const wrong = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;

      const response = await agent
        .post('/accounts')
        .type('form')
        .send({ _csrf: wrong, account_name: 'Wrong Token Ltd' });

      expect(response.status).toBe(403);
      expect(await countRows('accounts')).toBe(0);
    });

    it('rejects a token from another session', async () => {
      const admin = await loginAgent(testApp.app);
      await createUser('anna');
      const anna = await loginAgent(testApp.app, 'anna', USER_PASSWORD);
      const annaPage = await anna.get('/accounts/new');

      const response = await admin
        .post('/accounts')
        .type('form')
        .send({ _csrf: csrfToken(annaPage.text), account_name: 'Borrowed Token Ltd' });

      expect(response.status).toBe(403);
      expect(await countRows('accounts')).toBe(0);
    });

    it('rejects a user change without a token', async () => {
      const admin = await loginAgent(testApp.app);

      const response = await admin.post('/admin/users').type('form').send({
        fullName: 'Mallory',
        username: 'mallory',
        password: 'mallory-password',
        isActive: 'on',
        isAdmin: 'on',
      });

      expect(response.status).toBe(403);
      expect(await userRow('mallory')).toBeUndefined();
    });

    it('rejects a login without a token', async () => {
      const response = await request(testApp.app.getHttpServer())
        .post('/login')
        .type('form')
        .send({ username: 'admin', password: ADMIN_PASSWORD });

      expect(response.status).toBe(403);
      expect(sessionCookieOf(response)).toBeUndefined();
    });

    it('rejects a logout without a token and keeps the session', async () => {
      const agent = await loginAgent(testApp.app);

      const response = await agent.post('/logout').type('form').send({});

      expect(response.status).toBe(403);
      expect((await agent.get('/potentials')).status).toBe(200);
    });
  });

  describe('users administration', () => {
    it('creates a user with an argon2 hash of the password', async () => {
      await createUser('anna');

      const row = await userRow('anna');
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(USER_PASSWORD);
      const admin = await loginAgent(testApp.app);
      const list = await admin.get('/admin/users');
      expect(list.text).toContain('Anna Bianchi');
      expect(list.text).not.toContain(USER_PASSWORD);
    });

    it('confirms the save and states the password rule', async () => {
      const admin = await loginAgent(testApp.app);
      const form = await admin.get('/admin/users/new');

      const saved = await postFormAndFollow(admin, '/admin/users/new', '/admin/users', {
        fullName: 'Anna Bianchi',
        username: 'anna',
        email: 'anna@example.com',
        password: USER_PASSWORD,
        isActive: 'on',
        locale: 'en',
      });

      expect(form.text).toContain('At least 8 characters.');
      expect(saved.text).toContain('<div class="alert alert-success" role="status">Saved.</div>');
    });

    it('stores the administrator password hashed', async () => {
      const row = await userRow('admin');

      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(ADMIN_PASSWORD);
    });

    it('rejects a username taken in another case', async () => {
      await createUser('anna');
      const admin = await loginAgent(testApp.app);

      const response = await postForm(admin, '/admin/users/new', '/admin/users', {
        fullName: 'Another Anna',
        username: 'ANNA',
        email: 'other@example.com',
        password: 'another-password',
        isActive: 'on',
        locale: 'en',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-username"');
      expect(response.text).toContain('is already in use');
      expect(response.text).toContain('value="Another Anna"');
      expect(response.text).toContain('value="ANNA"');
      expect(response.text).toContain('value="other@example.com"');
      expect(await countRows('users')).toBe(2);
    });

    it('rejects a short password and a bad email, keeping the values', async () => {
      const admin = await loginAgent(testApp.app);

      const response = await postForm(admin, '/admin/users/new', '/admin/users', {
        fullName: 'Bruno <b>Rossi</b>',
        username: 'bruno',
        email: 'bruno at example',
        password: 'short',
        isActive: 'on',
        locale: 'it',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-password"');
      expect(response.text).toContain('at least 8 characters');
      expect(response.text).toContain('id="error-email"');
      expect(response.text).toContain('value="bruno at example"');
      expect(response.text).toContain('value="Bruno &lt;b&gt;Rossi&lt;/b&gt;"');
      expect(response.text).toContain('<option value="it" selected>');
      expect(response.text).not.toContain('value="short"');
      expect(await userRow('bruno')).toBeUndefined();
    });

    it('edits a user and keeps the password when left empty', async () => {
      const id = await createUser('anna');
      const before = await userRow('anna');
      const admin = await loginAgent(testApp.app);

      const response = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Anna Verdi',
        username: 'anna.verdi',
        email: '',
        password: '',
        isActive: 'on',
        locale: 'en',
      });

      expect(response.status).toBe(303);
      const after = await userRow('anna.verdi');
      expect(after.id).toBe(before.id);
      expect(after.password_hash).toBe(before.password_hash);
      await expect(loginAgent(testApp.app, 'anna.verdi', USER_PASSWORD)).resolves.toBeDefined();
    });

    it('keeps field errors on edit', async () => {
      const id = await createUser('anna');
      await createUser('bruno', { fullName: 'Bruno Rossi', email: 'bruno@example.com' });
      const admin = await loginAgent(testApp.app);

      const response = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Anna Bianchi',
        username: 'Bruno',
        email: 'anna@',
        password: 'short',
        isActive: 'on',
        locale: 'en',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-username"');
      expect(response.text).toContain('id="error-email"');
      expect(response.text).toContain('id="error-password"');
      expect(response.text).toContain('value="Bruno"');
      expect(await userRow('anna')).toBeDefined();
    });

    it('gives the edit page of an unknown user as 404', async () => {
      const admin = await loginAgent(testApp.app);

      expect((await admin.get('/admin/users/9999/edit')).status).toBe(404);
      expect((await admin.get('/admin/users/abc/edit')).status).toBe(404);
    });

    it('rejects a user who is not an administrator', async () => {
      const id = await createUser('anna');
      const anna = await loginAgent(testApp.app, 'anna', USER_PASSWORD);
      const page = await anna.get('/potentials');

      const list = await anna.get('/admin/users');
      const form = await anna.get(`/admin/users/${id}/edit`);
      const promote = await anna
        .post(`/admin/users/${id}`)
        .type('form')
        .send({
          _csrf: csrfToken(page.text),
          fullName: 'Anna',
          username: 'anna',
          isActive: 'on',
          isAdmin: 'on',
        });
      const create = await anna
        .post('/admin/users')
        .type('form')
        .send({ _csrf: csrfToken(page.text), fullName: 'Eve', username: 'eve', password: 'eve-password-1' });

      expect(list.status).toBe(403);
      expect(form.status).toBe(403);
      expect(promote.status).toBe(403);
      expect(create.status).toBe(403);
      expect(Boolean(Number((await userRow('anna')).is_admin))).toBe(false);
      expect(await userRow('eve')).toBeUndefined();
    });

    it('does not let an administrator deactivate or demote themselves', async () => {
      const admin = await loginAgent(testApp.app);
      const { id } = await userRow('admin');
      const form = await admin.get(`/admin/users/${id}/edit`);

      const response = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Administrator',
        username: 'admin',
        email: '',
        password: '',
        locale: 'en',
      });

      expect(form.text).toContain('You cannot deactivate your own account');
      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-isActive"');
      const row = await userRow('admin');
      expect(Boolean(Number(row.is_active))).toBe(true);
      expect(Boolean(Number(row.is_admin))).toBe(true);
      expect((await admin.get('/admin/users')).status).toBe(200);
    });

    it('saves an administrator editing their own name', async () => {
      const admin = await loginAgent(testApp.app);
      const { id } = await userRow('admin');

      const response = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
        fullName: 'Chief Administrator',
        username: 'admin',
        email: '',
        password: '',
        locale: 'en',
        isActive: 'on',
        isAdmin: 'on',
      });

      expect(response.status).toBe(303);
      expect((await userRow('admin')).full_name).toBe('Chief Administrator');
    });
  });
});
