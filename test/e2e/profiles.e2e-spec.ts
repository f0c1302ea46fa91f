import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { importCsv, mappingFormValues, uploadCsv } from '../support/csv-import.js';
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

const MODULES = ['potentials', 'accounts', 'campaigns'];
const ACTIONS = ['view', 'create', 'edit', 'delete', 'import', 'export'];
const FIELD_ERROR = 'Your profile does not let you change this field.';

describe.each(databaseKinds())('profiles on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let anna: Agent;
  let marta: Agent;
  let profileId: number;
  let dealId: number;

  /** Saves the test profile's grid through its admin page; modules not named allow every action. */
  async function saveGrid(
    actions: Record<string, string[]>,
    fields: Record<string, 'hidden' | 'readonly'> = {},
  ) {
    const body: Record<string, string> = {};
    for (const module of MODULES) {
      for (const action of actions[module] ?? ACTIONS) body[`action:${module}:${action}`] = '1';
    }
    for (const [field, access] of Object.entries(fields)) body[`field:potentials:${field}`] = access;
    return postForm(admin, `/admin/profiles/${profileId}`, `/admin/profiles/${profileId}/permissions`, body);
  }

  const without = (action: string) => ({ potentials: ACTIONS.filter((a) => a !== action) });

  const storedDeal = async () =>
    (
      await testApp.dataSource.query<{ amount_cents: string | number; probability: number }[]>(
        'SELECT amount_cents, probability FROM potentials WHERE id = ?',
        [dealId],
      )
    )[0];

  const potentialCount = async () =>
    Number(
      (
        await testApp.dataSource.query<{ count: number | string }[]>(
          'SELECT COUNT(*) AS count FROM potentials',
        )
      )[0].count,
    );

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    const users = testApp.app.get(UsersService);
    for (const [username, roleId] of [
      ['anna', SALESPERSON_ROLE],
      ['marta', MANAGER_ROLE],
    ] as const) {
      const result = await users.save(null, { fullName: username, username, password: PASSWORD, roleId });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
    }
    admin = await loginAgent(testApp.app);
    anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    marta = await loginAgent(testApp.app, 'marta', PASSWORD);

    // Every potential is open to everyone, so that only the profiles limit what anna may do.
    const sharing = await postForm(admin, '/admin/sharing', '/admin/sharing', {
      potentials: 'public_read_write_delete',
      accounts: 'public_read_write_delete',
      campaigns: 'public_read_write_delete',
      contacts: 'public_read_write_delete',
      documents: 'public_read_write_delete',
      leads: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    expect(sharing.status).toBe(303);

    const created = await postForm(admin, '/admin/profiles', '/admin/profiles', {
      name: 'Limited sales',
      description: 'For the tests',
    });
    expect(created.status).toBe(303);
    profileId = Number(/\/admin\/profiles\/(\d+)$/.exec(created.headers.location)![1]);
    const assigned = await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
      profileIds: String(profileId),
    });
    expect(assigned.status).toBe(303);
  });

  beforeEach(async () => {
    await testApp.dataSource.query('DELETE FROM potentials');
    const saved = await testApp.app.get(RecordsService).save(
      'potentials',
      ADMIN,
      null,
      {
        potential_name: 'Harbour deal',
        amount: '4321.00',
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      },
      FORMAT,
    );
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    dealId = saved.id;
    expect((await saveGrid({})).status).toBe(303);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('seeds Administrator and Sales on the shipped roles', async () => {
    const rows = await testApp.dataSource.query<{ role_id: number; name: string }[]>(
      `SELECT rp.role_id, p.name FROM role_profiles rp JOIN profiles p ON p.id = rp.profile_id
        WHERE rp.role_id IN (1, 2) ORDER BY rp.role_id`,
    );

    expect(rows.map((row) => [Number(row.role_id), row.name])).toEqual([
      [1, 'Administrator'],
      [2, 'Sales'],
    ]);
  });

  describe('without delete on potentials', () => {
    beforeEach(async () => {
      expect((await saveGrid(without('delete'))).status).toBe(303);
    });

    it('returns 403 on the delete page and POST', async () => {
      const detail = await anna.get(`/potentials/${dealId}`);
      const page = await anna.get(`/potentials/${dealId}/delete`);
      const post = await postForm(anna, `/potentials/${dealId}`, `/potentials/${dealId}/delete`, {});

      expect(detail.status).toBe(200);
      expect(detail.text).not.toContain(`/potentials/${dealId}/delete`);
      expect(page.status).toBe(403);
      expect(post.status).toBe(403);
      expect(await potentialCount()).toBe(1);
    });

    it('leaves another role and the administrator able to delete', async () => {
      expect((await marta.get(`/potentials/${dealId}/delete`)).status).toBe(200);
      expect((await admin.get(`/potentials/${dealId}/delete`)).status).toBe(200);
    });
  });

  it('returns 403 on export without export', async () => {
    expect((await saveGrid(without('export'))).status).toBe(303);

    const list = await anna.get('/potentials');
    const exported = await anna.get('/export/potentials');

    expect(list.text).not.toContain('/export/potentials');
    expect(exported.status).toBe(403);
    expect((await admin.get('/export/potentials')).status).toBe(200);
  });

  it('returns 403 on import without import', async () => {
    expect((await saveGrid(without('import'))).status).toBe(303);

    expect((await anna.get('/import/potentials')).status).toBe(403);
    expect((await anna.get('/potentials')).text).not.toContain('/import/potentials');
  });

  it('creates no named account without create on accounts', async () => {
    expect((await saveGrid({ accounts: ACTIONS.filter((action) => action !== 'create') })).status).toBe(303);
    const csv =
      'Potential Name,Account Name,Expected Close Date,Sales Stage\n' +
      'Linked deal,Brand New Account,2027-05-01,Prospecting\n';

    const outcome = await importCsv(anna, 'potentials', csv, { upload: { dateFormat: 'iso' } });
    const accounts = await testApp.dataSource.query<unknown[]>(
      "SELECT id FROM accounts WHERE account_name = 'Brand New Account'",
    );

    expect(outcome.counts.created).toBe(0);
    expect(outcome.counts.failed).toBe(1);
    expect(accounts).toEqual([]);
  });

  it('rejects a create without create', async () => {
    expect((await saveGrid(without('create'))).status).toBe(303);

    const form = await anna.get('/potentials/new');
    const post = await postForm(anna, '/potentials', '/potentials', {
      potential_name: 'Sneaky deal',
      expected_close_date: '03/31/2027',
      sales_stage: 'Prospecting',
    });

    expect(form.status).toBe(403);
    expect(post.status).toBe(403);
    expect(await potentialCount()).toBe(1);
    expect((await anna.get('/potentials')).text).not.toContain('/potentials/new');
  });

  it('rejects an update without edit, also from the board', async () => {
    expect((await saveGrid(without('edit'))).status).toBe(303);

    const edit = await anna.get(`/potentials/${dealId}/edit`);
    const post = await postForm(anna, `/potentials/${dealId}`, `/potentials/${dealId}`, {
      potential_name: 'Renamed',
    });
    const move = await postForm(anna, '/pipeline', '/pipeline/move', {
      id: String(dealId),
      sales_stage: 'Closed Lost',
    });
    const stage = await testApp.dataSource.query<{ sales_stage: string }[]>(
      'SELECT sales_stage FROM potentials WHERE id = ?',
      [dealId],
    );

    expect(edit.status).toBe(403);
    expect(post.status).toBe(403);
    expect(move.status).toBe(403);
    expect(stage[0].sales_stage).toBe('Prospecting');
  });

  it('returns 403 on the list and board without view', async () => {
    expect((await saveGrid(without('view'))).status).toBe(303);

    expect((await anna.get('/potentials')).status).toBe(403);
    expect((await anna.get(`/potentials/${dealId}`)).status).toBe(403);
    expect((await anna.get('/pipeline')).status).toBe(403);
  });

  it('leaves unviewable modules out of the menu', async () => {
    expect((await saveGrid(without('view'))).status).toBe(303);

    const page = (await anna.get('/accounts')).text;

    expect(page).toContain('href="/accounts"');
    expect(page).not.toContain('href="/potentials"');
    expect(page).not.toContain('href="/pipeline"');
  });

  describe('with amount hidden', () => {
    beforeEach(async () => {
      expect((await saveGrid({}, { amount: 'hidden' })).status).toBe(303);
    });

    it('leaves amount out of list, detail and form', async () => {
      const list = await anna.get('/potentials');
      const detail = await anna.get(`/potentials/${dealId}`);
      const form = await anna.get(`/potentials/${dealId}/edit`);

      expect(list.text).toContain('Harbour deal');
      expect(list.text).not.toContain('>Amount<');
      expect(list.text).not.toContain('4,321.00');
      expect(detail.text).toContain('Harbour deal');
      expect(detail.text).not.toContain('4,321.00');
      expect(form.text).toContain('name="potential_name"');
      expect(form.text).not.toContain('name="amount"');
    });

    it('rejects a mass edit of amount', async () => {
      const response = await postForm(anna, '/potentials', '/mass/potentials/edit', {
        ids: String(dealId),
        field: 'amount',
        value: '1',
      });
      const rows = await testApp.dataSource.query<{ amount_cents: number | string }[]>(
        'SELECT amount_cents FROM potentials WHERE id = ?',
        [dealId],
      );

      expect(response.status).toBe(422);
      expect(Number(rows[0].amount_cents)).toBe(432100);
    });

    it('hides the weighted amount computed from it', async () => {
      const list = await anna.get('/potentials');

      expect(list.text).not.toContain('Weighted amount');
      expect(list.text).not.toContain('432.10');
    });

    it('ignores a filter and a sort on amount in the URL', async () => {
      const filtered = await anna.get('/potentials?amount_from=5000');
      const sorted = await anna.get('/potentials?sort=amount&dir=desc');

      expect(filtered.text).toContain('Harbour deal');
      expect(sorted.status).toBe(200);
      expect(sorted.text).toContain('Harbour deal');
    });

    it('leaves amount out of the export', async () => {
      const exported = await anna.get('/export/potentials');
      const header = exported.text.replace(/^\uFEFF/, '').split('\r\n')[0];

      expect(exported.status).toBe(200);
      expect(header).toContain('Potential Name');
      expect(header).not.toContain('Amount');
      expect(exported.text).not.toContain('4321.00');
    });

    it('offers no amount import target and refuses a mapping to it', async () => {
      const upload = await uploadCsv(
        anna,
        'potentials',
        'Potential Name,Amount,Expected Close Date,Sales Stage\nImported deal,99.00,2027-05-01,Prospecting\n',
        { dateFormat: 'iso', numberFormat: 'dot' },
      );
      expect(upload.status).toBe(303);
      const mapping = await anna.get(upload.headers.location);
      const values = mappingFormValues(mapping.text);

      expect(mapping.text).not.toContain('<option value="amount"');
      expect(Object.values(values)).not.toContain('amount');

      const post = await anna
        .post(upload.headers.location)
        .type('form')
        .send({ ...values, map_1: 'amount' });
      expect(post.status).toBe(422);
      expect(post.text).toContain('your profile does not let you change this field');
      expect(await potentialCount()).toBe(1);
    });

    it('rejects a POST that carries amount, saving nothing', async () => {
      const post = await postForm(anna, `/potentials/${dealId}/edit`, `/potentials/${dealId}`, {
        potential_name: 'Harbour deal renamed',
        amount: '1.00',
        expected_close_date: '03/31/2027',
        sales_stage: 'Prospecting',
      });
      const names = await testApp.dataSource.query<{ potential_name: string }[]>(
        'SELECT potential_name FROM potentials WHERE id = ?',
        [dealId],
      );

      expect(post.status).toBe(422);
      expect(post.text).toContain(FIELD_ERROR);
      expect(names[0].potential_name).toBe('Harbour deal');
      expect(String((await storedDeal()).amount_cents)).toBe('432100');
    });

    it('rejects a create that carries amount', async () => {
      const post = await postForm(anna, '/potentials/new', '/potentials', {
        potential_name: 'New deal',
        amount: '10.00',
        expected_close_date: '03/31/2027',
        sales_stage: 'Prospecting',
      });

      expect(post.status).toBe(422);
      expect(post.text).toContain(FIELD_ERROR);
      expect(await potentialCount()).toBe(1);
    });

    it('leaves the administrator and another role unaffected', async () => {
      expect((await admin.get('/potentials')).text).toContain('4,321.00');
      expect((await marta.get(`/potentials/${dealId}`)).text).toContain('4,321.00');
      expect((await marta.get(`/potentials/${dealId}/edit`)).text).toContain('name="amount"');
    });
  });

  describe('with probability read-only', () => {
    beforeEach(async () => {
      expect((await saveGrid({}, { probability: 'readonly' })).status).toBe(303);
    });

    it('shows probability disabled in the form', async () => {
      const form = await anna.get(`/potentials/${dealId}/edit`);
      const input = /<input[^>]*id="field-probability"[^>]*>/.exec(form.text)?.[0] ?? '';

      expect(input).toContain('disabled');
      expect(input).toContain('value="10"');
      expect(input).not.toContain('name=');
      expect((await anna.get(`/potentials/${dealId}`)).text).toContain('Probability %');
    });

    it('rejects a POST changing probability', async () => {
      const post = await postForm(anna, `/potentials/${dealId}/edit`, `/potentials/${dealId}`, {
        potential_name: 'Harbour deal',
        probability: '90',
        expected_close_date: '03/31/2027',
        sales_stage: 'Prospecting',
      });

      expect(post.status).toBe(422);
      expect(post.text).toContain(FIELD_ERROR);
      expect(Number((await storedDeal()).probability)).toBe(10);
    });

    it('saves the form as the page submits it', async () => {
      const post = await postForm(anna, `/potentials/${dealId}/edit`, `/potentials/${dealId}`, {
        potential_name: 'Harbour deal, second phase',
        amount: '5000.00',
        expected_close_date: '03/31/2027',
        sales_stage: 'Prospecting',
      });

      expect(post.status).toBe(303);
      expect(String((await storedDeal()).amount_cents)).toBe('500000');
    });
  });

  it('applies a profile change on the next request', async () => {
    expect((await saveGrid(without('export'))).status).toBe(303);
    expect((await anna.get('/export/potentials')).status).toBe(403);

    expect((await saveGrid({})).status).toBe(303);

    expect((await anna.get('/export/potentials')).status).toBe(200);
  });

  it('grants the union of two profiles', async () => {
    expect((await saveGrid(without('export'), { amount: 'hidden' })).status).toBe(303);
    const both = await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
      profileIds: [String(profileId), '2'],
    });

    try {
      expect(both.status).toBe(303);
      expect((await anna.get('/export/potentials')).status).toBe(200);
      expect((await anna.get(`/potentials/${dealId}`)).text).toContain('4,321.00');
    } finally {
      await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
        profileIds: String(profileId),
      });
    }
  });

  it('gives a new role its parent role profiles', async () => {
    const created = await postForm(admin, '/admin/roles', '/admin/roles', {
      name: 'Junior salesperson',
      parentId: String(SALESPERSON_ROLE),
    });
    const rows = await testApp.dataSource.query<{ profile_id: number }[]>(
      `SELECT rp.profile_id FROM role_profiles rp JOIN roles r ON r.id = rp.role_id
        WHERE r.name = 'Junior salesperson'`,
    );

    expect(created.status).toBe(303);
    expect(rows.map((row) => Number(row.profile_id))).toEqual([profileId]);
  });

  describe('admin pages', () => {
    it('rejects to hide a required field or the name field', async () => {
      const hideName = await saveGrid({}, { potential_name: 'hidden' });
      const lockStage = await saveGrid({}, { sales_stage: 'readonly' });
      const rows = await testApp.dataSource.query<unknown[]>(
        'SELECT * FROM profile_field_permissions WHERE profile_id = ?',
        [profileId],
      );

      expect(hideName.status).toBe(422);
      expect(hideName.text).toContain('Potential Name is required or names the record');
      expect(lockStage.status).toBe(422);
      expect(rows).toEqual([]);
    });

    it('rejects a role without profiles', async () => {
      const post = await postForm(admin, '/admin/roles', `/admin/roles/${MANAGER_ROLE}/profiles`, {});

      expect(post.status).toBe(422);
      expect(post.text).toContain('A role needs at least one profile');
    });

    it('rejects to delete a profile in use, and deletes an unused one', async () => {
      const inUse = await postForm(admin, '/admin/profiles', `/admin/profiles/${profileId}/delete`, {});
      const spare = await postForm(admin, '/admin/profiles', '/admin/profiles', { name: 'Spare' });
      const spareId = /\/admin\/profiles\/(\d+)$/.exec(spare.headers.location)![1];
      const removed = await postForm(admin, '/admin/profiles', `/admin/profiles/${spareId}/delete`, {});

      expect(inUse.status).toBe(422);
      expect(inUse.text).toContain('Roles still use this profile');
      expect(removed.status).toBe(303);
      expect((await admin.get('/admin/profiles')).text).not.toContain('Spare');
    });

    it('rejects a duplicate name and renames', async () => {
      const duplicate = await postForm(admin, '/admin/profiles', '/admin/profiles', { name: 'sales' });
      const renamed = await postForm(admin, `/admin/profiles/${profileId}`, `/admin/profiles/${profileId}`, {
        name: 'Limited sales team',
      });

      expect(duplicate.status).toBe(422);
      expect(duplicate.text).toContain('Another profile already has this name');
      expect(renamed.status).toBe(303);
      expect((await admin.get('/admin/profiles')).text).toContain('Limited sales team');
    });

    it('rejects a non-administrator', async () => {
      expect((await marta.get('/admin/profiles')).status).toBe(403);
    });
  });
});
