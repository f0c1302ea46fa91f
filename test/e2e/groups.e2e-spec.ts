import { parse } from 'csv-parse/sync';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import {
  Agent,
  createRecord,
  createUser,
  MANAGER_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

describe.each(databaseKinds())('groups of users on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  const ids: Record<string, number> = {};

  const createDeal = (name: string, owner: string) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      amount: '500.00',
      expected_close_date: '2027-05-31',
      sales_stage: 'Prospecting',
      assigned_user_id: owner,
    });

  async function owner(table: string, id: number): Promise<{ user: number | null; group: number | null }> {
    const [row] = await testApp.dataSource.query<
      { assigned_user_id: number | null; assigned_group_id: number | null }[]
    >(`SELECT assigned_user_id, assigned_group_id FROM ${table} WHERE id = ?`, [id]);
    const toId = (value: number | null) => (value === null ? null : Number(value));
    return { user: toId(row.assigned_user_id), group: toId(row.assigned_group_id) };
  }

  async function groupId(name: string): Promise<number> {
    const rows = await testApp.dataSource.query<{ id: number }[]>(
      'SELECT id FROM user_groups WHERE name = ?',
      [name],
    );
    if (rows.length === 0) throw new Error(`No group ${name}`);
    return Number(rows[0].id);
  }

  async function saveGroup(action: string, name: string, members: number[]) {
    return postForm(admin, '/admin/groups/new', action, {
      name,
      description: 'Key accounts of the north',
      memberIds: members.map(String),
    });
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    ids.marta = await createUser(testApp, 'marta', MANAGER_ROLE, 'marta user');
    ids.anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'anna user');
    ids.bruno = await createUser(testApp, 'bruno', SALESPERSON_ROLE, 'bruno user');
    ids.carla = await createUser(testApp, 'carla', SALESPERSON_ROLE, 'carla user');
    admin = await loginAgent(testApp.app);
    const sharing = await postForm(admin, '/admin/sharing', '/admin/sharing', {
      potentials: 'private',
      accounts: 'private',
      campaigns: 'private',
      contacts: 'public_read_write_delete',
      documents: 'public_read_write_delete',
      leads: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    expect(sharing.status).toBe(303);
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('administration', () => {
    it('creates a group with its members', async () => {
      const response = await saveGroup('/admin/groups', 'North Team', [ids.anna, ids.carla]);

      expect(response.status).toBe(303);
      ids.north = await groupId('North Team');
      const members = await testApp.dataSource.query<{ user_id: number }[]>(
        'SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id',
        [ids.north],
      );
      expect(members.map((row) => Number(row.user_id))).toEqual([ids.anna, ids.carla]);
      const list = await admin.get('/admin/groups');
      expect(list.text).toContain('North Team');
      expect(list.text).toContain('2 members');
    });

    it('rejects a name differing only by case', async () => {
      const response = await saveGroup('/admin/groups', '  north   TEAM ', [ids.bruno]);

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('is already in use');
      const [{ n }] = await testApp.dataSource.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM user_groups',
      );
      expect(Number(n)).toBe(1);
    });

    it('refuses a member who does not exist', async () => {
      const response = await saveGroup('/admin/groups', 'Ghosts', [999999]);

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('One of the chosen members no longer exists.');
      expect(await testApp.dataSource.query('SELECT id FROM user_groups WHERE name = ?', ['Ghosts'])).toEqual(
        [],
      );
    });

    it('is refused to users who are not administrators', async () => {
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      expect((await anna.get('/admin/groups')).status).toBe(403);
      const response = await postForm(anna, '/potentials', '/admin/groups', { name: 'Mine' });
      expect(response.status).toBe(403);
      expect(await testApp.dataSource.query('SELECT id FROM user_groups WHERE name = ?', ['Mine'])).toEqual(
        [],
      );
    });
  });

  describe('records assigned to a group', () => {
    let anna: Agent;
    let bruno: Agent;
    let carla: Agent;

    beforeAll(async () => {
      ids.groupDeal = await createDeal('Group deal', `group:${ids.north}`);
      ids.brunoDeal = await createDeal('Bruno deal', String(ids.bruno));
      anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      bruno = await loginAgent(testApp.app, 'bruno', PASSWORD);
      carla = await loginAgent(testApp.app, 'carla', PASSWORD);
    });

    it('stores the group, not a user, as the owner', async () => {
      expect(await owner('potentials', ids.groupDeal)).toEqual({ user: null, group: ids.north });
    });

    it('gives every member the access of an assignee', async () => {
      for (const member of [anna, carla]) {
        const list = await member.get('/potentials');
        expect(list.text).toContain('Group deal');
        expect(list.text).not.toContain('Bruno deal');
        const detail = await member.get(`/potentials/${ids.groupDeal}`);
        expect(detail.status).toBe(200);
        expect(detail.text).toContain('North Team');
      }

      const edited = await postForm(
        anna,
        `/potentials/${ids.groupDeal}/edit`,
        `/potentials/${ids.groupDeal}`,
        {
          potential_name: 'Group deal, revised',
          amount: '500.00',
          expected_close_date: '2027-05-31',
          sales_stage: 'Prospecting',
          assigned_user_id: `group:${ids.north}`,
        },
      );
      expect(edited.status).toBe(303);
      expect(await owner('potentials', ids.groupDeal)).toEqual({ user: null, group: ids.north });
    });

    it('hides the record from non-members', async () => {
      const id = ids.groupDeal;

      expect((await bruno.get('/potentials')).text).not.toContain('Group deal');
      expect((await bruno.get(`/potentials/${id}`)).status).toBe(404);
      expect((await bruno.get(`/potentials/${id}/edit`)).status).toBe(404);
      const update = await postForm(bruno, '/potentials', `/potentials/${id}`, { potential_name: 'taken' });
      const remove = await postForm(bruno, '/potentials', `/potentials/${id}/delete`, {});
      expect(update.status).toBe(404);
      expect(remove.status).toBe(404);
      const [row] = await testApp.dataSource.query<{ potential_name: string }[]>(
        'SELECT potential_name FROM potentials WHERE id = ?',
        [id],
      );
      expect(row.potential_name).toBe('Group deal, revised');
    });

    it('takes the access away at once when a member leaves the group', async () => {
      const left = await saveGroup(`/admin/groups/${ids.north}`, 'North Team', [ids.anna]);
      expect(left.status).toBe(303);

      expect((await carla.get(`/potentials/${ids.groupDeal}`)).status).toBe(404);
      expect((await anna.get(`/potentials/${ids.groupDeal}`)).status).toBe(200);
      await saveGroup(`/admin/groups/${ids.north}`, 'North Team', [ids.anna, ids.carla]);
    });

    it('offers the group in the assignee picker and the list filter', async () => {
      const form = await admin.get('/potentials/new');
      expect(form.text).toContain(`<option value="group:${ids.north}">North Team</option>`);

      const filtered = await admin.get(`/potentials?assigned_user_id=group:${ids.north}`);
      expect(filtered.text).toContain('Group deal');
      expect(filtered.text).not.toContain('Bruno deal');
    });

    it('records a user-to-group reassignment', async () => {
      const id = await createDeal('Handed over', String(ids.bruno));
      const moved = await postForm(admin, `/potentials/${id}/edit`, `/potentials/${id}`, {
        potential_name: 'Handed over',
        amount: '500.00',
        expected_close_date: '2027-05-31',
        sales_stage: 'Prospecting',
        assigned_user_id: `group:${ids.north}`,
      });

      expect(moved.status).toBe(303);
      const [history] = await testApp.dataSource.query<
        { from_user_id: number; to_user_id: number | null; to_group_id: number }[]
      >('SELECT from_user_id, to_user_id, to_group_id FROM record_assignments WHERE record_id = ?', [id]);
      expect(Number(history.from_user_id)).toBe(ids.bruno);
      expect(history.to_user_id).toBeNull();
      expect(Number(history.to_group_id)).toBe(ids.north);
      const detail = unescapeHtml((await admin.get(`/potentials/${id}`)).text);
      expect(detail).toContain('Assigned To: bruno user → North Team');
    });
  });

  describe('assigning to a group', () => {
    it('lets a limited role assign to its own groups only', async () => {
      const limited = await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}`, {
        name: 'Salesperson',
        assignScope: 'role_and_below',
      });
      expect(limited.status).toBe(303);
      const south = await saveGroup('/admin/groups', 'South Team', [ids.bruno]);
      expect(south.status).toBe(303);
      ids.south = await groupId('South Team');
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      const form = await anna.get('/potentials/new');
      expect(form.text).toContain(`<option value="group:${ids.north}">North Team</option>`);
      expect(form.text).not.toContain('South Team');
      const refused = await postForm(anna, '/potentials/new', '/potentials', {
        potential_name: 'Sent south',
        expected_close_date: '2027-05-31',
        sales_stage: 'Prospecting',
        assigned_user_id: `group:${ids.south}`,
      });
      expect(refused.status).toBe(422);
      expect(unescapeHtml(refused.text)).toContain(
        '"South Team" is outside the users and groups your role may assign records to.',
      );
      expect(
        await testApp.dataSource.query('SELECT id FROM potentials WHERE potential_name = ?', ['Sent south']),
      ).toEqual([]);

      await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}`, {
        name: 'Salesperson',
        assignScope: 'all',
      });
    });

    it('imports an assignee given by group name, and exports the group name', async () => {
      const outcome = await importCsv(
        admin,
        'potentials',
        'Potential Name,Sales Stage,Expected Close Date,Assigned To\nImported for the team,Prospecting,2027-06-30,north team\n',
      );

      expect(outcome.counts.created).toBe(1);
      const [row] = await testApp.dataSource.query<{ id: number }[]>(
        'SELECT id FROM potentials WHERE potential_name = ?',
        ['Imported for the team'],
      );
      expect(await owner('potentials', Number(row.id))).toEqual({ user: null, group: ids.north });

      const exported = await admin.get('/export/potentials').buffer(true);
      const rows: string[][] = parse(exported.text, { bom: true });
      const header = rows[0];
      const imported = rows.find(
        (cells) => cells[header.indexOf('Potential Name')] === 'Imported for the team',
      )!;
      expect(imported[header.indexOf('Assigned To')]).toBe('North Team');
    });

    it('reassigns selected records to a group as a mass action', async () => {
      const id = await createDeal('Mass moved', String(ids.bruno));

      const response = await postForm(admin, '/potentials', '/mass/potentials', {
        action: 'reassign',
        assigned_user_id: `group:${ids.south}`,
        scope: 'selected',
        ids: [String(id)],
      });

      expect([200, 303]).toContain(response.status);
      expect(await owner('potentials', id)).toEqual({ user: null, group: ids.south });
    });

    it("moves all of a user's records to a group", async () => {
      const carlaDeal = await createDeal('Carla leaves', String(ids.carla));

      const response = await postForm(
        admin,
        `/admin/users/${ids.carla}/edit`,
        `/admin/users/${ids.carla}/move-records`,
        {
          toOwner: `group:${ids.north}`,
        },
      );

      expect(response.status).toBe(303);
      const result = await admin.get(response.headers.location);
      expect(unescapeHtml(result.text)).toContain('now belong to North Team');
      expect(await owner('potentials', carlaDeal)).toEqual({ user: null, group: ids.north });
    });
  });

  describe('sharing rules with groups', () => {
    async function addRule(source: string, target: string, access = 'read') {
      const response = await postForm(admin, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source,
        target,
        access,
      });
      expect(response.status).toBe(303);
    }

    afterEach(async () => {
      await testApp.dataSource.query('DELETE FROM sharing_rules');
    });

    it("opens a group's records to a role, read only", async () => {
      const marta = await loginAgent(testApp.app, 'marta', PASSWORD);
      expect((await marta.get(`/potentials/${ids.groupDeal}`)).status).toBe(404);

      await addRule(`group:${ids.north}`, `role:${MANAGER_ROLE}`);

      expect((await marta.get(`/potentials/${ids.groupDeal}`)).status).toBe(200);
      expect((await marta.get(`/potentials/${ids.groupDeal}/edit`)).status).toBe(403);
      const detail = await marta.get(`/potentials/${ids.groupDeal}`);
      expect(detail.text).not.toContain(`href="/potentials/${ids.groupDeal}/edit"`);
      expect(detail.text).not.toContain(`href="/potentials/${ids.groupDeal}/delete"`);
    });

    it("opens a role's records to a group's members, read and write", async () => {
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      expect((await anna.get(`/potentials/${ids.brunoDeal}`)).status).toBe(404);

      await addRule(`role:${SALESPERSON_ROLE}`, `group:${ids.north}`, 'read_write');

      expect((await anna.get(`/potentials/${ids.brunoDeal}`)).status).toBe(200);
      expect((await anna.get(`/potentials/${ids.brunoDeal}/edit`)).status).toBe(200);
      const bruno = await loginAgent(testApp.app, 'bruno', PASSWORD);
      expect((await bruno.get(`/potentials/${ids.groupDeal}`)).status).toBe(404);
    });

    it('shows the group on both sides of the rule list', async () => {
      await addRule(`group:${ids.north}`, `group:${ids.south}`);

      const page = unescapeHtml((await admin.get('/admin/sharing')).text);
      expect(page).toContain('<td>group North Team</td><td>group South Team</td>');
    });

    it('refuses a rule naming a group that does not exist', async () => {
      const response = await postForm(admin, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: 'group:999999',
        target: `role:${MANAGER_ROLE}`,
        access: 'read',
      });

      expect(response.status).toBe(422);
      expect(await testApp.dataSource.query('SELECT id FROM sharing_rules')).toEqual([]);
    });
  });

  describe('deleting a group', () => {
    it('asks where the records go, and deletes nothing without an answer', async () => {
      const page = await admin.get(`/admin/groups/${ids.north}/delete`);
      expect(page.text).toContain('records are assigned to this group');

      const refused = await postForm(
        admin,
        `/admin/groups/${ids.north}/delete`,
        `/admin/groups/${ids.north}/delete`,
        {},
      );

      expect(refused.status).toBe(422);
      expect(unescapeHtml(refused.text)).toContain('The group still has records.');
      expect(await groupId('North Team')).toBe(ids.north);
    });

    it('moves records, drops rules, deletes group', async () => {
      await postForm(admin, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: `group:${ids.north}`,
        target: `role:${MANAGER_ROLE}`,
        access: 'read',
      });

      const [{ n: owned }] = await testApp.dataSource.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM potentials WHERE assigned_group_id = ?',
        [ids.north],
      );

      const response = await postForm(
        admin,
        `/admin/groups/${ids.north}/delete`,
        `/admin/groups/${ids.north}/delete`,
        {
          transferTo: String(ids.marta),
        },
      );

      expect(response.status).toBe(303);
      expect(await owner('potentials', ids.groupDeal)).toEqual({ user: ids.marta, group: null });
      expect(await testApp.dataSource.query('SELECT id FROM user_groups WHERE id = ?', [ids.north])).toEqual(
        [],
      );
      expect(await testApp.dataSource.query('SELECT id FROM sharing_rules')).toEqual([]);
      const history = await testApp.dataSource.query<{ from_group_id: number; to_user_id: number }[]>(
        'SELECT from_group_id, to_user_id FROM record_assignments WHERE record_id = ? ORDER BY id DESC',
        [ids.groupDeal],
      );
      expect(Number(history[0].from_group_id)).toBe(ids.north);
      expect(Number(history[0].to_user_id)).toBe(ids.marta);
      const list = await admin.get('/admin/groups');
      expect(unescapeHtml(list.text)).toContain(
        `Group "North Team" deleted; ${Number(owned)} records moved.`,
      );
      const detail = unescapeHtml((await admin.get(`/potentials/${ids.groupDeal}`)).text);
      expect(detail).toContain('Assigned To: North Team → marta user');
      const filtered = unescapeHtml(
        (await admin.get(`/potentials?assigned_user_id=group:${ids.north}`)).text,
      );
      expect(filtered).toContain(
        `<option value="group:${ids.north}" selected>group:${ids.north} (no longer in the list)</option>`,
      );
    });
  });
});
