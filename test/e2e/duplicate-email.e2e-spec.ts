import { parse } from 'csv-parse/sync';
import { addKeyColumn, dropKeyColumn } from '../../src/records/key-column-migration.js';
import { mappingFormValues, resultCounts, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import {
  Agent,
  createRecord,
  createRole,
  createUser,
  ORGANISATION_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const WARNING = 'id="duplicate-warning"';
const MODULES = ['potentials', 'accounts', 'campaigns', 'contacts', 'leads', 'products', 'quotes'];

/** Returns the value that the "Save anyway" button of a duplicate warning sends. */
function confirmedValue(html: string): string {
  const match = /name="_duplicate_confirmed" value="([^"]*)"/.exec(html);
  if (!match) throw new Error('No "Save anyway" button on the page');
  return unescapeHtml(match[1]);
}

/** Returns the links of a duplicate warning as "href text". */
function warningLinks(html: string): string[] {
  const warning =
    /<div class="alert alert-warning"[^>]*id="duplicate-warning"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  return [...warning.matchAll(/<a href="(\/[a-z]+\/\d+)" class="alert-link">([^<]*)<\/a>/g)].map(
    (match) => `${match[1]} ${unescapeHtml(match[2])}`,
  );
}

describe.each(databaseKinds())('duplicate email check on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const countOf = async (table: string) =>
    Number(
      (
        await testApp.dataSource.query<{ count: number | string }[]>(`SELECT COUNT(*) AS count FROM ${table}`)
      )[0].count,
    );

  const emailsOf = async (table: string) =>
    (
      await testApp.dataSource.query<{ email: string | null }[]>(`SELECT email FROM ${table} ORDER BY id`)
    ).map((row) => row.email);

  /** Posts a new lead from the create form as the given user. */
  const postLead = (agent: Agent, fields: Record<string, string>, userId = '1') =>
    postForm(agent, '/leads/new', '/leads', { last_name: 'Rossi', assigned_user_id: userId, ...fields });

  /**
   * Makes every module private and gives Olga the contact secret@example.com and Anna, a salesperson, the
   * contact mine@example.com. Olga's role is beside the sales roles, so her contact is outside Anna's scope.
   */
  const setUpPrivateContacts = async () => {
    await setSharing(admin, Object.fromEntries(MODULES.map((module) => [module, 'private'])));
    const olgaId = await createUser(
      testApp,
      'olga',
      await createRole(testApp, admin, 'Support', ORGANISATION_ROLE),
    );
    const annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE);
    await createRecord(testApp, 'contacts', {
      last_name: 'Hidden',
      email: 'secret@example.com',
      assigned_user_id: String(olgaId),
    });
    const ownId = await createRecord(testApp, 'contacts', {
      last_name: 'Own',
      email: 'mine@example.com',
      assigned_user_id: String(annaId),
    });
    return { anna: await loginAgent(testApp.app, 'anna', PASSWORD), annaId, ownId };
  };

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);
  });

  describe('record forms', () => {
    it('warns of a contact with the same email and saves nothing', async () => {
      const contactId = await createRecord(testApp, 'contacts', {
        first_name: 'Maria',
        last_name: 'Bianchi',
        email: 'Maria.Bianchi@Example.com',
      });

      const response = await postLead(admin, { first_name: 'Maria', email: '  maria.bianchi@EXAMPLE.com ' });

      expect(response.status).toBe(200);
      expect(response.text).toContain(WARNING);
      expect(warningLinks(response.text)).toEqual([`/contacts/${contactId} Maria Bianchi (Contact, CON1)`]);
      expect(await countOf('leads')).toBe(0);
      expect(response.text).toMatch(/id="field-first_name"[^>]*value="Maria"/);
      expect(response.text).toMatch(/id="field-email"[^>]*value=" {2}maria.bianchi@EXAMPLE.com "/);
    });

    it('leaves out a converted lead and names its contact', async () => {
      const leadId = await createRecord(testApp, 'leads', {
        last_name: 'Bianchi',
        email: 'maria@example.com',
      });
      await testApp.dataSource.query(`UPDATE leads SET converted_at = '2026-11-30 10:00:00' WHERE id = ?`, [
        leadId,
      ]);
      const contactId = await createRecord(testApp, 'contacts', {
        last_name: 'Bianchi',
        email: 'maria@example.com',
      });

      const response = await postLead(admin, { email: 'maria@example.com' });

      expect(warningLinks(response.text)).toEqual([`/contacts/${contactId} Bianchi (Contact, CON1)`]);
      expect(await countOf('leads')).toBe(1);
    });

    it('saves the lead when the user saves anyway', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Bianchi', email: 'maria@example.com' });
      const warned = await postLead(admin, { email: 'Maria@example.com' });

      const saved = await postLead(admin, {
        email: 'Maria@example.com',
        _duplicate_confirmed: confirmedValue(warned.text),
      });

      expect(saved.status).toBe(303);
      expect(await emailsOf('leads')).toEqual(['Maria@example.com']);
    });

    it('checks a changed email again after the warning', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Bianchi', email: 'maria@example.com' });
      const otherId = await createRecord(testApp, 'leads', { last_name: 'Verdi', email: 'luca@example.com' });
      const warned = await postLead(admin, { email: 'maria@example.com' });

      const again = await postLead(admin, {
        email: 'luca@example.com',
        _duplicate_confirmed: confirmedValue(warned.text),
      });

      expect(again.status).toBe(200);
      expect(warningLinks(again.text)).toEqual([`/leads/${otherId} Verdi (Lead, LEA1)`]);
      expect(await countOf('leads')).toBe(1);
    });

    it('warns on the quick create form and keeps it quick', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Bianchi', email: 'maria@example.com' });

      const response = await postForm(admin, '/leads/quick-create', '/leads', {
        _form: 'quick',
        last_name: 'Rossi',
        assigned_user_id: '1',
        email: 'maria@example.com',
      });

      expect(response.status).toBe(200);
      expect(response.text).toContain(WARNING);
      expect(response.text).toContain('<input type="hidden" name="_form" value="quick">');
      expect(await countOf('leads')).toBe(0);
    });

    it('does not flag an edit that keeps the email', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Bianchi', email: 'maria@example.com' });
      // Saved without the form, as a conversion or an import anyway would.
      const leadId = await createRecord(testApp, 'leads', { last_name: 'Rossi', email: 'maria@example.com' });

      const renamed = await postForm(admin, `/leads/${leadId}/edit`, `/leads/${leadId}`, {
        last_name: 'Rossini',
        assigned_user_id: '1',
        email: ' MARIA@example.com',
      });

      expect(renamed.status).toBe(303);
      expect(await emailsOf('leads')).toEqual(['MARIA@example.com']);
    });

    it('flags an edit to the email of another record', async () => {
      const firstId = await createRecord(testApp, 'leads', { last_name: 'Verdi', email: 'luca@example.com' });
      const secondId = await createRecord(testApp, 'leads', { last_name: 'Neri', email: 'anna@example.com' });

      const response = await postForm(admin, `/leads/${secondId}/edit`, `/leads/${secondId}`, {
        last_name: 'Neri',
        assigned_user_id: '1',
        email: 'Luca@example.com',
      });

      expect(response.status).toBe(200);
      expect(warningLinks(response.text)).toEqual([`/leads/${firstId} Verdi (Lead, LEA1)`]);
      expect(await emailsOf('leads')).toEqual(['luca@example.com', 'anna@example.com']);
    });

    it('ignores a record the user may not see', async () => {
      const { anna, annaId, ownId } = await setUpPrivateContacts();

      const hidden = await postLead(anna, { email: 'secret@example.com' }, String(annaId));
      const own = await postLead(anna, { email: 'mine@example.com' }, String(annaId));

      expect(hidden.status).toBe(303);
      expect(await countOf('leads')).toBe(1);
      expect(warningLinks(own.text)).toEqual([`/contacts/${ownId} Own (Contact, CON2)`]);
    });

    it('offers no mass edit of the email', async () => {
      await createRecord(testApp, 'leads', { last_name: 'Verdi', email: 'luca@example.com' });

      const list = await admin.get('/leads');

      expect(list.text).toContain('<option value="last_name">');
      expect(list.text).not.toContain('<option value="email">');
    });
  });

  describe('imports', () => {
    const CSV = [
      'Last Name,Email',
      'Bianchi,MARIA@example.com',
      'Verdi,luca@example.com',
      'Neri, Luca@Example.com ',
    ].join('\n');

    /** Uploads the file to the leads import and submits the mapping as shown. Returns the job's path and the response. */
    const submitMapping = async (agent: Agent, csv: string) => {
      const uploaded = await uploadCsv(agent, 'leads', csv);
      const jobPath = uploaded.headers.location;
      const page = await agent.get(jobPath);
      const response = await agent
        .post(jobPath)
        .type('form')
        .send({ ...mappingFormValues(page.text), action: 'import' });
      return { jobPath, response };
    };

    /** Submits the mapping page again with the choice for duplicate rows, and returns the result page. */
    const choose = async (agent: Agent, jobPath: string, mappingPage: string, action: 'import' | 'skip') => {
      const submitted = await agent
        .post(jobPath)
        .type('form')
        .send({ ...mappingFormValues(mappingPage), duplicates_action: action, action: 'import' });
      expect(submitted.status).toBe(303);
      return agent.get(jobPath);
    };

    it('lists rows that exist or repeat an earlier row before importing', async () => {
      const contactId = await createRecord(testApp, 'contacts', {
        last_name: 'Rossi',
        email: 'maria@example.com',
      });

      const { response } = await submitMapping(admin, CSV);

      expect(response.status).toBe(200);
      const section =
        /<fieldset[^>]*id="import-duplicates"[\s\S]*?<\/fieldset>/.exec(response.text)?.[0] ?? '';
      expect(section).toContain('2 rows have a value in Email');
      const rows = [
        ...section.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([\s\S]*?)<\/td><\/tr>/g),
      ].map((match) => [match[1], unescapeHtml(match[2]), unescapeHtml(match[3])]);
      expect(rows).toEqual([
        ['2', 'MARIA@example.com', `<a href="/contacts/${contactId}">Rossi (Contact, CON1)</a>`],
        ['4', 'Luca@Example.com', 'Line 3 of this file'],
      ]);
      expect(await countOf('leads')).toBe(0);
    });

    it('skips duplicates with a reason', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Rossi', email: 'maria@example.com' });
      const { jobPath, response } = await submitMapping(admin, CSV);

      const result = await choose(admin, jobPath, response.text, 'skip');

      expect(resultCounts(result.text)).toMatchObject({
        read: 3,
        created: 1,
        failed: 0,
        duplicatesSkipped: 2,
      });
      expect(await emailsOf('leads')).toEqual(['luca@example.com']);
      const reasons = [
        ...result.text.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g),
      ].map((match) => `${match[1]} ${match[2]}: ${unescapeHtml(match[3])}`);
      expect(reasons).toEqual([
        '2 Email: The value already exists on Rossi (Contact, CON1), so the row was skipped.',
        '4 Email: The value is already on line 3 of this file, so the row was skipped.',
      ]);
      const download = await admin.get(`${jobPath}/failed.csv`).buffer(true);
      const lines: string[][] = parse(download.text, { bom: true });
      expect(lines.slice(1).map((line) => line[0])).toEqual(['Bianchi', 'Neri']);
      expect(lines[1][2]).toContain('already exists on Rossi (Contact, CON1)');
    });

    it('imports duplicate rows when the user chooses so', async () => {
      await createRecord(testApp, 'contacts', { last_name: 'Rossi', email: 'maria@example.com' });
      const { jobPath, response } = await submitMapping(admin, CSV);

      const result = await choose(admin, jobPath, response.text, 'import');

      expect(resultCounts(result.text)).toMatchObject({ read: 3, created: 3, failed: 0 });
      expect(await countOf('leads')).toBe(3);
    });

    it('asks again when the email column is mapped anew', async () => {
      const csv = ['Last Name,Email,Other Email', 'Bianchi,maria@example.com,luca@example.com'].join('\n');
      await createRecord(testApp, 'contacts', { last_name: 'Rossi', email: 'maria@example.com' });
      await createRecord(testApp, 'contacts', { last_name: 'Verdi', email: 'luca@example.com' });
      const { jobPath, response } = await submitMapping(admin, csv);
      const form = { ...mappingFormValues(response.text), duplicates_action: 'import', action: 'import' };

      const remapped = await admin
        .post(jobPath)
        .type('form')
        .send({ ...form, map_1: '', map_2: 'email' });

      expect(remapped.status).toBe(200);
      expect(remapped.text).toContain('id="import-duplicates"');
      expect(await countOf('leads')).toBe(0);
    });

    it('neither lists nor skips a record the user may not see', async () => {
      const { anna } = await setUpPrivateContacts();

      const hidden = await submitMapping(anna, 'Last Name,Email\nRossi,secret@example.com\n');
      const own = await submitMapping(anna, 'Last Name,Email\nRossi,mine@example.com\n');

      expect(hidden.response.status).toBe(303);
      expect(resultCounts((await anna.get(hidden.jobPath)).text)).toMatchObject({ created: 1 });
      expect(own.response.text).toContain('1 row has a value in Email');
    });

    it('finds a repeat in a later batch', async () => {
      // 1,201 rows are three batches of the importer and two of the mapping page's check.
      const rows = Array.from({ length: 1200 }, (_value, index) => `Person ${index},p${index}@example.com`);
      const { jobPath, response } = await submitMapping(
        admin,
        ['Last Name,Email', ...rows, 'Again,P7@example.com'].join('\n'),
      );

      const section = /id="import-duplicates"[\s\S]*?<\/fieldset>/.exec(response.text)?.[0] ?? '';
      expect(section).toContain('1 row has a value in Email');
      const result = await choose(admin, jobPath, response.text, 'skip');
      expect(resultCounts(result.text)).toMatchObject({ created: 1200, duplicatesSkipped: 1 });
    });
  });

  it('fills the email key of saved records when the column is added', async () => {
    await createRecord(testApp, 'leads', { last_name: 'Rossi', email: 'ÄNNE.Rossi@Example.com' });
    await createRecord(testApp, 'leads', { last_name: 'Verdi' });
    const runner = testApp.dataSource.createQueryRunner();
    try {
      await dropKeyColumn(runner, 'leads', 'email');
      await addKeyColumn(runner, 'leads', 'email');
    } finally {
      await runner.release();
    }

    const keys = await testApp.dataSource.query<{ email_key: string | null }[]>(
      'SELECT email_key FROM leads ORDER BY id',
    );
    expect(keys.map((row) => row.email_key)).toEqual(['änne.rossi@example.com', null]);
  });
});
