import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import {
  ADMIN,
  Agent,
  ISO_FORMAT as FORMAT,
  MANAGER_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';

describe.each(databaseKinds())('record access by role and sharing on %s', (kind) => {
  let testApp: TestApp;
  const ids: Record<string, number> = {};

  async function createUser(username: string, roleId: number): Promise<number> {
    const result = await testApp.app
      .get(UsersService)
      .save(null, { fullName: username, username, password: PASSWORD, roleId });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.user.id;
  }

  async function createRecord(module: string, input: Record<string, string>): Promise<number> {
    const result = await testApp.app.get(RecordsService).save(module, ADMIN, null, input, FORMAT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.id;
  }

  async function setSharing(level: string, accounts = 'public_read_write_delete'): Promise<void> {
    const admin = await loginAgent(testApp.app);
    const response = await postForm(admin, '/admin/sharing', '/admin/sharing', {
      potentials: level,
      accounts,
      campaigns: 'public_read_write_delete',
      contacts: 'public_read_write_delete',
      documents: 'public_read_write_delete',
      leads: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    expect(response.status).toBe(303);
  }

  const potentialName = async (id: number) =>
    (
      await testApp.dataSource.query<{ potential_name: string }[]>(
        'SELECT potential_name FROM potentials WHERE id = ?',
        [id],
      )
    )[0]?.potential_name;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    ids.marta = await createUser('marta', MANAGER_ROLE);
    ids.anna = await createUser('anna', SALESPERSON_ROLE);
    ids.bruno = await createUser('bruno', SALESPERSON_ROLE);
    ids.annaAccount = await createRecord('accounts', {
      account_name: 'Anna Customer',
      assigned_user_id: String(ids.anna),
    });
    ids.brunoAccount = await createRecord('accounts', {
      account_name: 'Bruno Customer',
      assigned_user_id: String(ids.bruno),
    });
    for (const owner of ['anna', 'bruno', 'marta']) {
      ids[`${owner}Deal`] = await createRecord('potentials', {
        potential_name: `${owner} deal`,
        amount: owner === 'anna' ? '100.10' : '1000.00',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        assigned_user_id: String(ids[owner]),
      });
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('under Private sharing', () => {
    let anna: Agent;
    let bruno: Agent;
    let marta: Agent;

    beforeAll(async () => {
      await setSharing('private', 'private');
      anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      bruno = await loginAgent(testApp.app, 'bruno', PASSWORD);
      marta = await loginAgent(testApp.app, 'marta', PASSWORD);
    });

    it('lists only own potentials, with own totals', async () => {
      const page = (await anna.get('/potentials')).text;

      expect(page).toContain('anna deal');
      expect(page).not.toContain('bruno deal');
      expect(page).not.toContain('marta deal');
      expect(page).toContain('€ 100.10');
      expect(page).toContain('1 record');
    });

    it('hides a peer record on every route as if it did not exist', async () => {
      const id = ids.brunoDeal;

      expect((await anna.get(`/potentials/${id}`)).status).toBe(404);
      expect((await anna.get(`/potentials/${id}/edit`)).status).toBe(404);
      expect((await anna.get(`/potentials/${id}/delete`)).status).toBe(404);
      const update = await postForm(anna, '/potentials', `/potentials/${id}`, {
        potential_name: 'taken over',
      });
      const remove = await postForm(anna, '/potentials', `/potentials/${id}/delete`, {});
      const move = await postForm(anna, '/pipeline', '/pipeline/move', {
        id: String(id),
        sales_stage: 'Closed Lost',
      });
      expect(update.status).toBe(404);
      expect(remove.status).toBe(404);
      expect(move.status).toBe(404);
      expect(await potentialName(id)).toBe('bruno deal');
    });

    it('keeps peers apart and shows a manager the team', async () => {
      const brunoPage = (await bruno.get('/potentials')).text;
      const martaPage = (await marta.get('/potentials')).text;

      expect(brunoPage).not.toContain('anna deal');
      for (const owner of ['anna', 'bruno', 'marta']) expect(martaPage).toContain(`${owner} deal`);
      expect(martaPage).toContain('3 records');
    });

    it('lists only visible potentials on an account page', async () => {
      const shared = await createRecord('accounts', {
        account_name: 'Shared Customer',
        assigned_user_id: String(ids.anna),
      });
      for (const owner of ['anna', 'bruno']) {
        await createRecord('potentials', {
          potential_name: `${owner} shared-account deal`,
          amount: '10.00',
          expected_close_date: '2027-03-31',
          sales_stage: 'Prospecting',
          account_id: String(shared),
          assigned_user_id: String(ids[owner]),
        });
      }

      const page = (await anna.get(`/accounts/${shared}`)).text;

      expect(page).toContain('anna shared-account deal');
      expect(page).not.toContain('bruno shared-account deal');
      expect(page).toContain('€ 10.00');
      expect(page).not.toContain('€ 20.00');
    });

    it('limits the board and the account picker to visible records', async () => {
      const board = (await anna.get('/pipeline')).text;
      const form = (await anna.get('/potentials/new')).text;
      const linked = await postForm(anna, '/potentials/new', '/potentials', {
        potential_name: 'linked to another',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        account_id: String(ids.brunoAccount),
      });

      expect(board).toContain('anna deal');
      expect(board).not.toContain('bruno deal');
      expect(form).toContain('Anna Customer');
      expect(form).not.toContain('Bruno Customer');
      expect(linked.status).toBe(422);
      expect(linked.text).toContain('id="error-account_id"');
    });
  });

  describe('under public sharing', () => {
    it('lets everyone read but only the owner change under Public read only', async () => {
      await setSharing('public_read');
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const id = ids.brunoDeal;

      expect((await anna.get(`/potentials/${id}`)).status).toBe(200);
      expect((await anna.get(`/potentials/${id}/edit`)).status).toBe(403);
      const update = await postForm(anna, '/potentials', `/potentials/${id}`, {
        potential_name: 'taken over',
      });
      expect(update.status).toBe(403);
      expect(await potentialName(id)).toBe('bruno deal');
    });

    it('lets everyone edit but not delete under Public read and edit', async () => {
      await setSharing('public_read_write');
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const id = ids.brunoDeal;

      const update = await postForm(anna, '/potentials', `/potentials/${id}`, {
        potential_name: 'bruno deal, edited',
      });
      const remove = await postForm(anna, '/potentials', `/potentials/${id}/delete`, {});

      expect(update.status).toBe(303);
      expect(remove.status).toBe(403);
      expect(await potentialName(id)).toBe('bruno deal, edited');
    });
  });
  describe('assignment', () => {
    it('limits assignees to the role and below and records each reassignment', async () => {
      await setSharing('public_read_write_delete');
      const admin = await loginAgent(testApp.app);
      await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}`, {
        name: 'Salesperson',
        assignScope: 'role_and_below',
      });
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const id = ids.annaDeal;

      const page = (await anna.get(`/potentials/${id}/edit`)).text;
      const form = page.slice(
        page.indexOf('name="assigned_user_id"'),
        page.indexOf('</select>', page.indexOf('name="assigned_user_id"')),
      );
      const refused = await postForm(anna, '/potentials', `/potentials/${id}`, {
        assigned_user_id: String(ids.marta),
      });
      const moved = await postForm(anna, '/potentials', `/potentials/${id}`, {
        assigned_user_id: String(ids.bruno),
      });
      const detail = (await anna.get(`/potentials/${id}`)).text;

      expect(form).toContain(`<option value="${ids.bruno}"`);
      expect(form).not.toContain(`<option value="${ids.marta}"`);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('id="error-assigned_user_id"');
      expect(moved.status).toBe(303);
      expect(detail).toContain('Assigned by anna');
      expect(detail).toContain('Assigned To: anna → bruno');
    });

    it('applies the same limit to the assignees of an import', async () => {
      const admin = await loginAgent(testApp.app);
      await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}`, {
        name: 'Salesperson',
        assignScope: 'role_and_below',
      });
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const csv = [
        'Potential Name,Expected Close Date,Sales Stage,Assigned To',
        'to a peer,2027-05-31,Prospecting,bruno',
        'to the manager,2027-05-31,Prospecting,marta',
      ].join('\n');

      const outcome = await importCsv(anna, 'potentials', csv);

      expect(outcome.counts.created).toBe(1);
      expect(outcome.counts.failed).toBe(1);
      expect(unescapeHtml(outcome.html)).toContain(
        '"marta" is outside the users and groups your role may assign records to',
      );
      const rows = await testApp.dataSource.query<{ assigned_user_id: number }[]>(
        `SELECT assigned_user_id FROM potentials WHERE potential_name = 'to a peer'`,
      );
      expect(Number(rows[0].assigned_user_id)).toBe(ids.bruno);
    });
  });
  describe('sharing rules', () => {
    it('opens one role’s records to another role at once, and closes them again', async () => {
      await setSharing('private');
      const admin = await loginAgent(testApp.app);
      await postForm(admin, '/admin/roles', '/admin/roles', {
        name: 'Inside Sales',
        parentId: String(MANAGER_ROLE),
      });
      const [{ id: insideRole }] = await testApp.dataSource.query<{ id: number }[]>(
        `SELECT id FROM roles WHERE name = 'Inside Sales'`,
      );
      await createUser('irene', Number(insideRole));
      const irene = await loginAgent(testApp.app, 'irene', PASSWORD);
      expect((await irene.get(`/potentials/${ids.annaDeal}`)).status).toBe(404);

      const added = await postForm(admin, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: `role:${String(SALESPERSON_ROLE)}`,
        target: `role:${String(insideRole)}`,
        access: 'read',
      });

      expect(added.status).toBe(303);
      expect((await irene.get(`/potentials/${ids.annaDeal}`)).status).toBe(200);
      expect((await irene.get(`/potentials/${ids.annaDeal}/edit`)).status).toBe(403);
      expect((await irene.get(`/potentials/${ids.martaDeal}`)).status).toBe(404);

      const [{ id: ruleId }] = await testApp.dataSource.query<{ id: number }[]>(
        'SELECT id FROM sharing_rules',
      );
      await postForm(admin, '/admin/sharing', `/admin/sharing/rules/${ruleId}/delete`, {});
      expect((await irene.get(`/potentials/${ids.annaDeal}`)).status).toBe(404);
    });

    it('rejects a rule with an unknown role', async () => {
      const admin = await loginAgent(testApp.app);

      const response = await postForm(admin, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: 'role:9999',
        target: `role:${String(SALESPERSON_ROLE)}`,
        access: 'read',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('The rule could not be added');
    });
  });
});
