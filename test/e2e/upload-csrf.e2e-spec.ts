import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../support/records.js';
import { csrfToken, databaseKinds, loginAgent, startTestApp, TestApp } from '../support/test-app.js';

/** An upload form: its page, where the form posts, the folder of its stored files and a file it accepts. */
interface UploadForm {
  name: string;
  page: string;
  action: string;
  folder: string;
  fields: Record<string, string>;
  file: string;
  acceptedStatus: number;
  acceptedText: string;
}

const UPLOAD_FORMS: UploadForm[] = [
  {
    name: 'quotes import',
    page: '/import/quotes',
    action: '/import/quotes',
    folder: 'imports',
    fields: {},
    file: 'subject\r\nSpring offer\r\n',
    acceptedStatus: 303,
    acceptedText: 'Redirecting to /import/quotes/',
  },
  {
    name: 'targets import',
    page: '/budget/targets/import?year=2027',
    action: '/budget/targets/import',
    folder: 'target-imports',
    fields: { year: '2027', numberFormat: 'dot' },
    file: 'scope_kind,scope_name,year,month,amount\r\nuser,admin,2027,1,10\r\n',
    acceptedStatus: 303,
    acceptedText: 'Redirecting to /budget/targets?year=2027',
  },
  {
    name: 'users import',
    page: '/admin/users/import',
    action: '/admin/users/import',
    folder: 'user-imports',
    fields: {},
    file: 'full_name,username\r\nUma Upload,uma.upload\r\n',
    acceptedStatus: 200,
    acceptedText: 'uma.upload',
  },
];

describe.each(databaseKinds())('CSRF token of upload forms on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  /** Lists the files stored in an upload folder of the test app, none when the folder does not exist yet. */
  function storedFiles(folder: string): string[] {
    try {
      return readdirSync(join(testApp.database.config.storageDir, folder));
    } catch {
      return [];
    }
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp?.close();
  });

  describe.each(UPLOAD_FORMS)('$name', (form) => {
    const attachFile = (post: ReturnType<Agent['post']>) =>
      post.attach('file', Buffer.from(form.file, 'utf8'), {
        filename: 'upload.csv',
        contentType: 'text/csv',
      });

    it('rejects an upload without token', async () => {
      await admin.get(form.page);
      const before = storedFiles(form.folder);

      let post = admin.post(form.action);
      for (const [name, value] of Object.entries(form.fields)) post = post.field(name, value);
      const response = await attachFile(post);

      expect(response.status).toBe(403);
      expect(response.text).toContain('The form had expired');
      expect(storedFiles(form.folder)).toEqual(before);
    });

    it('rejects the token in the query string', async () => {
      const page = await admin.get(form.page);
      const before = storedFiles(form.folder);

      let post = admin.post(`${form.action}?_csrf=${encodeURIComponent(csrfToken(page.text))}`);
      for (const [name, value] of Object.entries(form.fields)) post = post.field(name, value);
      const response = await attachFile(post);

      expect(response.status).toBe(403);
      expect(storedFiles(form.folder)).toEqual(before);
    });

    it('accepts the token in the body', async () => {
      const page = await admin.get(form.page);
      expect(page.text).toContain(
        `action="${form.action.replace(/\?.*/, '')}" enctype="multipart/form-data"`,
      );

      let post = admin.post(form.action).field('_csrf', csrfToken(page.text));
      for (const [name, value] of Object.entries(form.fields)) post = post.field(name, value);
      const response = await attachFile(post);

      expect(response.status).toBe(form.acceptedStatus);
      expect(response.text).toContain(form.acceptedText);
    });
  });

  it('rejects a multipart form on a route without upload', async () => {
    await testApp.dataSource.query('DELETE FROM budget_targets');
    const page = await admin.get('/budget/targets?year=2027');

    const response = await admin
      .post('/budget/targets/spread')
      .field('_csrf', csrfToken(page.text))
      .field('year', '2027')
      .field('kind', 'user')
      .field('spreadScope', '1')
      .field('spreadPeriod', 'year-1')
      .field('spreadAmount', '1000');

    expect(response.status).toBe(403);
    const rows = await testApp.dataSource.query<unknown[]>('SELECT id FROM budget_targets');
    expect(rows).toHaveLength(0);
  });
});
