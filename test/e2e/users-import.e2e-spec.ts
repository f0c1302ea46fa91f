import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { hashPassword } from '../../src/auth/password.js';
import { RecordsService } from '../../src/records/records.service.js';
import { importCsv, resultCounts, unescapeHtml } from '../support/csv-import.js';
import { uploadUsers } from '../support/users-import.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import { ADMIN, Agent, ISO_FORMAT as FORMAT, PASSWORD } from '../support/records.js';

/** Returns the record count that a list page shows. */
function listCount(html: string): number {
  const match = /id="list-count">([\d,]+) records?</.exec(html);
  if (!match) throw new Error('No record count on the list page');
  return Number(match[1].replaceAll(',', ''));
}

const TEAM_FILE = [
  'sales_agent,manager,regional_office,email',
  'Ada Rossi,Marco Bianchi,North,ada@example.com',
  'Bruno Verdi,Marco Bianchi,North,',
  'Carla Neri,Paola Gialli,South,',
  ',Paola Gialli,South,',
  'Dario Blu,Paola Gialli,South,not-an-email',
  'Ada Rossi,Paola Gialli,South,',
].join('\n');

describe.each(databaseKinds())('user import on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let firstImport: Awaited<ReturnType<typeof uploadUsers>>;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  async function userId(username: string): Promise<number> {
    const rows = await query<{ id: number }>('SELECT id FROM users WHERE username = ?', [username]);
    if (rows.length === 0) throw new Error(`No user ${username}`);
    return Number(rows[0].id);
  }

  /** Returns the role names from the user's role up to the top of the tree. */
  async function roleChain(username: string): Promise<string[]> {
    const rows = await query<{ path: string }>(
      'SELECT r.path FROM users u JOIN roles r ON r.id = u.role_id WHERE u.username = ?',
      [username],
    );
    const ids = rows[0].path.split('/').filter(Boolean).map(Number).reverse();
    const names: string[] = [];
    for (const id of ids) {
      names.push((await query<{ name: string }>('SELECT name FROM roles WHERE id = ?', [id]))[0].name);
    }
    return names;
  }

  async function createRecord(module: string, input: Record<string, string>): Promise<number> {
    const result = await testApp.app.get(RecordsService).save(module, ADMIN, null, input, FORMAT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.id;
  }

  async function setPassword(username: string): Promise<void> {
    const id = await userId(username);
    const user = (
      await query<{ full_name: string; role_id: number }>(
        'SELECT full_name, role_id FROM users WHERE id = ?',
        [id],
      )
    )[0];
    const response = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
      fullName: user.full_name,
      username,
      email: '',
      password: PASSWORD,
      isActive: 'on',
      locale: 'en',
      roleId: String(user.role_id),
    });
    expect(response.status).toBe(303);
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    firstImport = await uploadUsers(admin, TEAM_FILE);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('counts created and failed rows', () => {
    expect(firstImport.status).toBe(200);
    expect(resultCounts(firstImport.text)).toEqual({
      read: 6,
      created: 5,
      updated: 0,
      unchanged: 0,
      failed: 3,
      roles: 6,
    });
  });

  it('reports each bad row with line and reason', () => {
    const failures = [
      ...firstImport.text.matchAll(/<tr data-line="(\d+)"><td>\d+<\/td><td>[^<]*<\/td><td>([^<]*)</g),
    ].map((match) => [Number(match[1]), unescapeHtml(match[2])]);

    expect(failures).toEqual([
      [5, 'The full name is missing.'],
      [6, 'The email address "not-an-email" is invalid.'],
      [7, 'The same full name is already on line 2; each user needs one row.'],
    ]);
  });

  it('places agents in their manager team role', async () => {
    expect(await roleChain('ada.rossi')).toEqual([
      "Marco Bianchi's team",
      'Marco Bianchi (manager)',
      'North',
      'Sales Manager',
      'Organisation',
    ]);
    expect(await roleChain('carla.neri')).toEqual([
      "Paola Gialli's team",
      'Paola Gialli (manager)',
      'South',
      'Sales Manager',
      'Organisation',
    ]);
  });

  it('creates managers named only as managers', async () => {
    expect(await roleChain('marco.bianchi')).toEqual([
      'Marco Bianchi (manager)',
      'North',
      'Sales Manager',
      'Organisation',
    ]);
    const email = await query<{ email: string | null }>('SELECT email FROM users WHERE username = ?', [
      'ada.rossi',
    ]);
    expect(email[0].email).toBe('ada@example.com');
  });

  it('creates nothing on a second import', async () => {
    const usersBefore = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
    const rolesBefore = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM roles');

    const again = await uploadUsers(admin, TEAM_FILE);

    expect(resultCounts(again.text)).toEqual({
      read: 6,
      created: 0,
      updated: 0,
      unchanged: 5,
      failed: 3,
      roles: 0,
    });
    const usersAfter = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
    const rolesAfter = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM roles');
    expect(Number(usersAfter[0].n)).toBe(Number(usersBefore[0].n));
    expect(Number(rolesAfter[0].n)).toBe(Number(rolesBefore[0].n));
  });

  it('gives a taken username a number', async () => {
    const outcome = await uploadUsers(admin, 'full_name,username\nAda Rossi Bis,\nElena Rossi,ada.rossi\n');

    expect(resultCounts(outcome.text)).toMatchObject({ created: 1, updated: 1 });
    expect(await userId('ada.rossi.bis')).toBeGreaterThan(0);
    const renamed = await query<{ full_name: string }>('SELECT full_name FROM users WHERE username = ?', [
      'ada.rossi',
    ]);
    expect(renamed[0].full_name).toBe('Elena Rossi');
    // Put the fixture back for the tests below.
    await uploadUsers(admin, 'full_name,username\nAda Rossi,ada.rossi\n');
  });

  it('uses the role column', async () => {
    const outcome = await uploadUsers(
      admin,
      'full_name,role\nFranca Sala,sales manager\nGino Nuovo,Field Sales\n',
    );

    expect(resultCounts(outcome.text)).toMatchObject({ created: 2, roles: 1, failed: 0 });
    expect(await roleChain('franca.sala')).toEqual(['Sales Manager', 'Organisation']);
    expect(await roleChain('gino.nuovo')).toEqual(['Field Sales', 'Sales Manager', 'Organisation']);
  });

  it('rejects a move without a target', async () => {
    const id = await userId('franca.sala');

    const refused = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}/move-records`, {
      toOwner: '',
    });

    expect(refused.status).toBe(422);
    expect(unescapeHtml(refused.text)).toContain('Choose the user or group who should receive the records.');
  });

  it('rejects a file without a full name column', async () => {
    const outcome = await uploadUsers(admin, 'login,email\nada,ada@example.com\n');

    expect(outcome.status).toBe(422);
    expect(unescapeHtml(outcome.text)).toContain('No column of full names was found.');
  });

  it('rejects an upload without the CSRF token', async () => {
    const outcome = await admin
      .post('/admin/users/import')
      .attach('file', Buffer.from('full_name\nIntruder One\n'), 'users.csv');

    expect(outcome.status).toBe(403);
    expect(await query('SELECT id FROM users WHERE full_name = ?', ['Intruder One'])).toEqual([]);
  });

  it('keeps new users without a known password until one is set', async () => {
    const agent = (await import('supertest')).default.agent(testApp.app.getHttpServer());
    const page = await agent.get('/login');
    const refused = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfToken(page.text), username: 'marco.bianchi', password: PASSWORD });
    expect(refused.status).not.toBe(303);

    await setPassword('marco.bianchi');

    await expect(loginAgent(testApp.app, 'marco.bianchi', PASSWORD)).resolves.toBeDefined();
  });

  describe('moving and deactivating', () => {
    let ids: Record<string, number>;

    beforeAll(async () => {
      ids = {
        ada: await userId('ada.rossi'),
        bruno: await userId('bruno.verdi'),
        carla: await userId('carla.neri'),
        marco: await userId('marco.bianchi'),
      };
      const response = await postForm(admin, '/admin/sharing', '/admin/sharing', {
        potentials: 'private',
        accounts: 'private',
        campaigns: 'public_read_write_delete',
        contacts: 'public_read_write_delete',
        documents: 'public_read_write_delete',
        leads: 'public_read_write_delete',
        products: 'public_read_write_delete',
        quotes: 'public_read_write_delete',
      });
      expect(response.status).toBe(303);
      for (const name of ['ada one', 'ada two']) {
        await createRecord('potentials', {
          potential_name: name,
          expected_close_date: '2027-03-31',
          sales_stage: 'Prospecting',
          assigned_user_id: String(ids.ada),
        });
      }
      await createRecord('accounts', { account_name: 'Ada Customer', assigned_user_id: String(ids.ada) });
      await createRecord('potentials', {
        potential_name: 'carla deal',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        assigned_user_id: String(ids.carla),
      });
    });

    it('moves all records and reports counts', async () => {
      const moved = await postForm(
        admin,
        `/admin/users/${ids.ada}/edit`,
        `/admin/users/${ids.ada}/move-records`,
        {
          toOwner: String(ids.bruno),
        },
      );

      expect(moved.status).toBe(303);
      const result = await admin.get(moved.headers.location);
      expect(result.text).toContain('<td data-moved="Potentials">2</td>');
      expect(result.text).toContain('<td data-moved="Accounts">1</td>');
      const reloaded = await admin.get(moved.headers.location);
      expect(reloaded.text).toContain('<td data-moved="Potentials">2</td>');
      const elsewhere = await admin.get(`/admin/users/${ids.bruno}/records-moved`);
      expect(elsewhere.status).toBe(303);
      expect(elsewhere.headers.location).toBe(`/admin/users/${ids.bruno}/edit`);
      const owners = await query<{ assigned_user_id: number }>(
        `SELECT assigned_user_id FROM potentials WHERE potential_name IN ('ada one', 'ada two')
         UNION ALL SELECT assigned_user_id FROM accounts WHERE account_name = 'Ada Customer'`,
      );
      expect(owners.map((row) => Number(row.assigned_user_id))).toEqual([ids.bruno, ids.bruno, ids.bruno]);
    });

    it('records each move in the history', async () => {
      const history = await query<{
        module: string;
        from_user_id: number;
        to_user_id: number;
        changed_by_id: number;
      }>(
        'SELECT module, from_user_id, to_user_id, changed_by_id FROM record_assignments ORDER BY module, record_id',
      );

      expect(history.map((row) => row.module)).toEqual(['accounts', 'potentials', 'potentials']);
      for (const row of history) {
        expect(Number(row.from_user_id)).toBe(ids.ada);
        expect(Number(row.to_user_id)).toBe(ids.bruno);
        expect(Number(row.changed_by_id)).toBe(ADMIN.id);
      }
    });

    it('rejects a deactivated target', async () => {
      await query('UPDATE users SET is_active = ? WHERE id = ?', [false, ids.marco]);

      const edit = await admin.get(`/admin/users/${ids.bruno}/edit`);
      const refused = await postForm(
        admin,
        `/admin/users/${ids.bruno}/edit`,
        `/admin/users/${ids.bruno}/move-records`,
        {
          toOwner: String(ids.marco),
        },
      );

      expect(edit.text).toContain(`<option value="${ids.ada}">Ada Rossi</option>`);
      expect(edit.text).not.toContain(`<option value="${ids.marco}">Marco Bianchi</option>`);
      expect(refused.status).toBe(422);
      expect(unescapeHtml(refused.text)).toContain('That user is deactivated and cannot receive records.');
      const owners = await query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM potentials WHERE assigned_user_id = ?',
        [ids.bruno],
      );
      expect(Number(owners[0].n)).toBe(2);
    });

    it('keeps a deactivated user records visible to their manager', async () => {
      await setPassword('paola.gialli');
      await query('UPDATE users SET is_active = ? WHERE id = ?', [false, ids.carla]);

      const paola = await loginAgent(testApp.app, 'paola.gialli', PASSWORD);
      const list = await paola.get('/potentials');

      expect(list.text).toContain('carla deal');
      expect(listCount(list.text)).toBe(1);
    });

    it('offers no deactivated user as assignee', async () => {
      const form = await admin.get('/potentials/new');
      const saved = await postForm(admin, '/potentials/new', '/potentials', {
        potential_name: 'to a deactivated user',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        assigned_user_id: String(ids.carla),
      });
      const imported = await importCsv(
        admin,
        'potentials',
        'name,owner,stage,close\nfrom file,Carla Neri,Prospecting,2027-03-31\n',
        {
          upload: { dateFormat: 'iso', numberFormat: 'dot' },
          mapping: {
            name: 'potential_name',
            owner: 'assigned_user_id',
            stage: 'sales_stage',
            close: 'expected_close_date',
          },
        },
      );

      expect(form.text).not.toContain('Carla Neri');
      expect(saved.status).toBe(422);
      const importedOwner = await query<{ assigned_user_id: number }>(
        "SELECT assigned_user_id FROM potentials WHERE potential_name = 'from file'",
      );
      expect(importedOwner.map((row) => Number(row.assigned_user_id))).not.toContain(ids.carla);
      expect(imported.status).toBe(200);
    });
  });
});

/**
 * The Maven Analytics "CRM + Sales + Opportunities" sample (fictitious data): its sales team loaded
 * through the user import, then its accounts and pipeline through the CSV import pages.
 */
const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'maven-crm-sales-opportunities');
const hasData = existsSync(join(DATA, 'sales_teams.csv'));
if (!hasData) console.warn(`Skipping the Maven team import: ${DATA} not found.`);

const readRows = (name: string): Record<string, string>[] =>
  parse(readFileSync(join(DATA, name)), { columns: true, skip_empty_lines: true });
const usernameOf = (fullName: string) => fullName.toLowerCase().replace(/[^a-z0-9]+/g, '.');

(hasData ? describe.each(databaseKinds()) : describe.skip.each(databaseKinds()))(
  'Maven sales team import on %s',
  (kind) => {
    let testApp: TestApp;
    let teamOutcome: Awaited<ReturnType<typeof uploadUsers>>;
    let pipelineOutcome: Awaited<ReturnType<typeof importCsv>>;
    const teams = hasData ? readRows('sales_teams.csv') : [];

    const query = <T>(sql: string, parameters: unknown[] = []) =>
      testApp.dataSource.query<T[]>(sql, parameters);

    /** Logs in as an imported user with the password that beforeAll gives every imported user. */
    async function loginAs(fullName: string): Promise<Agent> {
      return loginAgent(testApp.app, usernameOf(fullName), PASSWORD);
    }

    async function countOwnedBy(fullNames: string[]): Promise<number> {
      const rows = await query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM potentials p JOIN users u ON u.id = p.assigned_user_id
         WHERE u.full_name IN (${fullNames.map(() => '?').join(', ')})`,
        fullNames,
      );
      return Number(rows[0].n);
    }

    beforeAll(async () => {
      testApp = await startTestApp(kind);
      const admin = await loginAgent(testApp.app);
      teamOutcome = await uploadUsers(admin, readFileSync(join(DATA, 'sales_teams.csv')));

      await importCsv(admin, 'accounts', readFileSync(join(DATA, 'accounts.csv')), {
        mapping: { account: 'account_name', office_location: 'billing_country' },
      });
      pipelineOutcome = await importCsv(admin, 'potentials', readFileSync(join(DATA, 'sales_pipeline.csv')), {
        upload: { dateFormat: 'iso', numberFormat: 'dot' },
        mapping: {
          opportunity_id: 'potential_name',
          sales_agent: 'assigned_user_id',
          account: 'account_id',
          deal_stage: 'sales_stage',
          close_date: 'expected_close_date',
          close_value: 'amount',
        },
        defaults: { close_date: '2017-12-31' },
        choices: {
          Won: 'Closed Won',
          Lost: 'Closed Lost',
          Engaging: 'Qualification',
          Prospecting: 'Prospecting',
        },
      });
      const sharing = await postForm(admin, '/admin/sharing', '/admin/sharing', {
        potentials: 'private',
        accounts: 'public_read_write_delete',
        campaigns: 'public_read_write_delete',
        contacts: 'public_read_write_delete',
        documents: 'public_read_write_delete',
        leads: 'public_read_write_delete',
        products: 'public_read_write_delete',
        quotes: 'public_read_write_delete',
      });
      expect(sharing.status).toBe(303);

      // One hash for the users who log in below, because hashing is slow on purpose.
      const passwordHash = await hashPassword(PASSWORD);
      await query('UPDATE users SET password_hash = ? WHERE is_admin = ?', [passwordHash, false]);
    }, 180_000);
    afterAll(async () => {
      await testApp.close();
    });

    it('creates 35 agents and 6 managers', () => {
      expect(teamOutcome.status).toBe(200);
      expect(resultCounts(teamOutcome.text)).toMatchObject({ read: 35, created: 41, failed: 0 });
    });

    it('assigns all 8,800 potentials', () => {
      expect(pipelineOutcome.counts).toMatchObject({ read: 8800, created: 8800, failed: 0 });
    });

    it('shows each agent only their own potentials', async () => {
      for (const agentName of ['Anna Snelling', 'Darcel Schlecht', 'Violet Mclelland']) {
        const agent = await loginAs(agentName);

        const list = await agent.get('/potentials');

        expect(listCount(list.text)).toBe(await countOwnedBy([agentName]));
      }
    });

    it('shows each manager only their agents potentials', async () => {
      for (const managerName of ['Dustin Brinkmann', 'Melvin Marxen', 'Summer Sewald']) {
        const agents = teams.filter((row) => row.manager === managerName).map((row) => row.sales_agent);
        const manager = await loginAs(managerName);

        const list = await manager.get('/potentials');

        expect(agents.length).toBeGreaterThan(0);
        expect(listCount(list.text)).toBe(await countOwnedBy(agents));
      }
    });

    it('shows the administrator all 8,800', async () => {
      const admin = await loginAgent(testApp.app);

      const list = await admin.get('/potentials');

      expect(listCount(list.text)).toBe(8800);
    });
  },
);
