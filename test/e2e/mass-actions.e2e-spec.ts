import { MassActionsService, MAX_MASS_RECORDS } from '../../src/records/mass-actions.service.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
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

type StoredPotential = {
  potential_name: string;
  sales_stage: string;
  probability: number;
  assigned_user_id: number;
  expected_close_date: string;
};

describe.each(databaseKinds())('mass actions on list pages on %s', (kind) => {
  let testApp: TestApp;
  const users: Record<string, number> = {};
  const deals: Record<string, number> = {};

  async function createUser(username: string, roleId: number): Promise<number> {
    const result = await testApp.app
      .get(UsersService)
      .save(null, { fullName: username, username, password: PASSWORD, roleId });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.user.id;
  }

  async function createDeal(name: string, owner: string, stage: string): Promise<number> {
    const result = await testApp.app.get(RecordsService).save(
      'potentials',
      ADMIN,
      null,
      {
        potential_name: name,
        amount: '1000.00',
        expected_close_date: '2027-03-31',
        sales_stage: stage,
        assigned_user_id: String(users[owner]),
      },
      FORMAT,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.id;
  }

  async function setSharing(level: string): Promise<void> {
    const admin = await loginAgent(testApp.app);
    const response = await postForm(admin, '/admin/sharing', '/admin/sharing', {
      potentials: level,
      accounts: 'public_read_write_delete',
      campaigns: 'public_read_write_delete',
      contacts: 'public_read_write_delete',
      documents: 'public_read_write_delete',
      leads: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    expect(response.status).toBe(303);
  }

  async function setSalespersonAssignScope(scope: string): Promise<void> {
    const admin = await loginAgent(testApp.app);
    const response = await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}`, {
      name: 'Salesperson',
      assignScope: scope,
    });
    expect(response.status).toBe(303);
  }

  /** Reads a potential that is not in the recycle bin. */
  async function stored(id: number): Promise<StoredPotential | undefined> {
    const rows = await testApp.dataSource.query<StoredPotential[]>(
      'SELECT potential_name, sales_stage, probability, assigned_user_id, expected_close_date FROM potentials WHERE id = ? AND deleted_at IS NULL',
      [id],
    );
    return rows[0];
  }

  const massAction = (agent: Agent, action: string, fields: Record<string, string | string[]>) =>
    postFormAndFollow(agent, '/potentials', `/mass/potentials${action}`, fields);

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    users.marta = await createUser('marta', MANAGER_ROLE);
    users.anna = await createUser('anna', SALESPERSON_ROLE);
    users.bruno = await createUser('bruno', SALESPERSON_ROLE);
  });
  beforeEach(async () => {
    await testApp.dataSource.query('DELETE FROM potentials');
    await testApp.dataSource.query('DELETE FROM accounts');
    await testApp.dataSource.query('DELETE FROM record_assignments');
    await setSharing('public_read_write_delete');
    deals.annaFirst = await createDeal('anna first', 'anna', 'Prospecting');
    deals.annaSecond = await createDeal('anna second', 'anna', 'Qualification');
    deals.bruno = await createDeal('bruno deal', 'bruno', 'Prospecting');
    deals.marta = await createDeal('marta deal', 'marta', 'Prospecting');
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('shows the selection controls on the list page', async () => {
    const admin = await loginAgent(testApp.app);

    const page = unescapeHtml((await admin.get('/potentials?sales_stage=Prospecting')).text);

    expect(page).toContain('action="/mass/potentials"');
    expect(page).toContain(`name="ids" value="${deals.annaFirst}"`);
    expect(page).toContain('All 3 records that match the filter');
    expect(page).toContain('name="query" value="sales_stage=Prospecting"');
  });

  it('reassigns selected potentials', async () => {
    const marta = await loginAgent(testApp.app, 'marta', PASSWORD);

    const response = await massAction(marta, '', {
      action: 'reassign',
      assigned_user_id: String(users.bruno),
      ids: [String(deals.annaFirst), String(deals.annaSecond)],
    });

    expect(response.status).toBe(200);
    expect(response.text).toContain('2 records changed.');
    expect(Number((await stored(deals.annaFirst))!.assigned_user_id)).toBe(users.bruno);
    expect(Number((await stored(deals.annaSecond))!.assigned_user_id)).toBe(users.bruno);
    expect(Number((await stored(deals.marta))!.assigned_user_id)).toBe(users.marta);
    const history = await testApp.dataSource.query<{ to_user_id: number }[]>(
      'SELECT to_user_id FROM record_assignments',
    );
    expect(history.map((row) => Number(row.to_user_id))).toEqual([users.bruno, users.bruno]);
  });

  it('redirects to the result page after the action', async () => {
    const admin = await loginAgent(testApp.app);

    const response = await postForm(admin, '/potentials', '/mass/potentials', {
      action: 'reassign',
      assigned_user_id: String(users.bruno),
      ids: String(deals.annaFirst),
    });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/mass/potentials/result');
  });

  it('shows the result again on reload without acting again', async () => {
    const admin = await loginAgent(testApp.app);
    const first = await massAction(admin, '', {
      action: 'reassign',
      assigned_user_id: String(users.bruno),
      ids: [String(deals.annaFirst), String(deals.annaSecond)],
    });
    // Someone moves the record back after the action; a reload must not move it again.
    await testApp.dataSource.query('UPDATE potentials SET assigned_user_id = ? WHERE id = ?', [
      users.anna,
      deals.annaFirst,
    ]);

    const reload = await admin.get('/mass/potentials/result');

    expect(first.text).toContain('2 records changed.');
    expect(reload.status).toBe(200);
    expect(reload.text).toContain('2 records changed.');
    expect(Number((await stored(deals.annaFirst))!.assigned_user_id)).toBe(users.anna);
    const history = await testApp.dataSource.query<unknown[]>('SELECT id FROM record_assignments');
    expect(history).toHaveLength(2);
  });

  it('shows the refusals again on reload without deleting again', async () => {
    await setSharing('private');
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    await massAction(anna, '/delete', { ids: [String(deals.annaFirst), String(deals.bruno)] });
    const annaSecondBefore = await stored(deals.annaSecond);

    const reload = await anna.get('/mass/potentials/result');

    expect(reload.text).toContain('1 record moved to the recycle bin.');
    expect(reload.text).toContain('1 not found: it was deleted or you may not see it');
    expect(reload.text).toContain(`#${deals.bruno}`);
    expect(await stored(deals.annaSecond)).toEqual(annaSecondBefore);
    expect(await stored(deals.bruno)).toBeDefined();
  });

  it('redirects to the list without a result', async () => {
    const admin = await loginAgent(testApp.app);
    await massAction(admin, '', {
      action: 'reassign',
      assigned_user_id: String(users.bruno),
      ids: String(deals.annaFirst),
    });

    const otherModule = await admin.get('/mass/accounts/result');
    const freshSession = await (await loginAgent(testApp.app)).get('/mass/potentials/result');

    expect(otherModule.status).toBe(303);
    expect(otherModule.headers.location).toBe('/accounts');
    expect(freshSession.status).toBe(303);
    expect(freshSession.headers.location).toBe('/potentials');
  });

  it('changes the sales stage and its probability', async () => {
    const admin = await loginAgent(testApp.app);
    const ids = [String(deals.annaFirst), String(deals.annaSecond)];

    const form = await massAction(admin, '', { action: 'edit', field: 'sales_stage', ids });
    const response = await massAction(admin, '/edit', {
      field: 'sales_stage',
      sales_stage: 'Closed Won',
      ids,
    });

    expect(form.status).toBe(200);
    expect(form.text).toContain('Set Sales Stage of 2 records to:');
    expect(form.text).toContain('<option value="Closed Won"');
    expect(response.text).toContain('2 records changed.');
    for (const id of [deals.annaFirst, deals.annaSecond]) {
      const potential = await stored(id);
      expect(potential!.sales_stage).toBe('Closed Won');
      expect(Number(potential!.probability)).toBe(100);
    }
    expect((await stored(deals.bruno))!.sales_stage).toBe('Prospecting');
  });

  it('deletes only after confirmation', async () => {
    const admin = await loginAgent(testApp.app);
    const ids = [String(deals.annaFirst), String(deals.bruno)];

    const confirmation = await massAction(admin, '', { action: 'delete', ids });
    const keptMeanwhile = await stored(deals.annaFirst);
    const response = await massAction(admin, '/delete', { ids });

    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain('Move 2 records to the recycle bin?');
    expect(confirmation.text).toContain('action="/mass/potentials/delete"');
    expect(keptMeanwhile).toBeDefined();
    expect(response.text).toContain('2 records moved to the recycle bin.');
    expect(await stored(deals.annaFirst)).toBeUndefined();
    expect(await stored(deals.bruno)).toBeUndefined();
    expect(await stored(deals.annaSecond)).toBeDefined();
    const binned = await testApp.dataSource.query<{ deleted_by_id: number | string }[]>(
      'SELECT deleted_by_id FROM potentials WHERE id IN (?, ?) AND deleted_at IS NOT NULL',
      [deals.annaFirst, deals.bruno],
    );
    expect(binned.map((row) => Number(row.deleted_by_id))).toEqual([1, 1]);
  });

  it('warns about records that lose their link', async () => {
    const admin = await loginAgent(testApp.app);
    const account = await testApp.app
      .get(RecordsService)
      .save('accounts', ADMIN, null, { account_name: 'Linked Customer' }, FORMAT);
    if (!account.ok) throw new Error(JSON.stringify(account.errors));
    await testApp.dataSource.query('UPDATE potentials SET account_id = ? WHERE id IN (?, ?)', [
      account.id,
      deals.annaFirst,
      deals.bruno,
    ]);

    const confirmation = await postForm(admin, '/accounts', '/mass/accounts', {
      action: 'delete',
      ids: String(account.id),
    });

    expect(confirmation.text).toContain('Move 1 record to the recycle bin?');
    expect(confirmation.text).toContain('2 records of Potentials (Account Name)');
  });

  it('acts on all filtered records the user may see', async () => {
    await setSharing('private');
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    const selection = { scope: 'all', query: 'sales_stage=Prospecting' };

    const confirmation = await massAction(anna, '', { action: 'delete', ...selection });
    const response = await massAction(anna, '/delete', selection);

    expect(confirmation.text).toContain('Move 1 record to the recycle bin?');
    expect(response.text).toContain('1 record moved to the recycle bin.');
    expect(response.text).not.toContain('refused');
    expect(await stored(deals.annaFirst)).toBeUndefined();
    expect(await stored(deals.annaSecond)).toBeDefined();
    expect(await stored(deals.bruno)).toBeDefined();
    expect(await stored(deals.marta)).toBeDefined();
  });

  it('acts on every record of the page', async () => {
    const admin = await loginAgent(testApp.app);
    const pageIds = Object.values(deals).map(String);

    const response = await massAction(admin, '', {
      action: 'reassign',
      assigned_user_id: String(users.marta),
      scope: 'page',
      pageIds,
      ids: String(deals.bruno),
    });

    expect(response.text).toContain('4 records changed.');
    for (const id of Object.values(deals)) {
      expect(Number((await stored(id))!.assigned_user_id)).toBe(users.marta);
    }
  });

  it('explains an empty selection', async () => {
    const admin = await loginAgent(testApp.app);

    const response = await massAction(admin, '', { action: 'delete' });

    expect(response.status).toBe(422);
    expect(response.text).toContain('No records were selected.');
    expect(await stored(deals.annaFirst)).toBeDefined();
  });

  it('changes a field of another module', async () => {
    const admin = await loginAgent(testApp.app);
    const accountIds = [];
    for (const name of ['Rossi', 'Bianchi']) {
      const result = await testApp.app
        .get(RecordsService)
        .save('accounts', ADMIN, null, { account_name: name }, FORMAT);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      accountIds.push(String(result.id));
    }

    const response = await postFormAndFollow(admin, '/accounts', '/mass/accounts/edit', {
      field: 'billing_city',
      billing_city: 'Torino',
      ids: accountIds,
    });

    expect(response.text).toContain('2 records changed.');
    const rows = await testApp.dataSource.query<{ billing_city: string }[]>(
      'SELECT billing_city FROM accounts ORDER BY id',
    );
    expect(rows.map((row) => row.billing_city)).toEqual(['Torino', 'Torino']);
  });

  it('rejects a mass edit of a unique name', async () => {
    const admin = await loginAgent(testApp.app);

    const response = await postForm(admin, '/accounts', '/mass/accounts/edit', {
      field: 'account_name',
      account_name: 'Same',
      ids: String(deals.annaFirst),
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('Choose the field to change');
  });

  it('refuses records that are only readable', async () => {
    await setSharing('public_read');
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

    const response = await massAction(anna, '/edit', {
      field: 'sales_stage',
      sales_stage: 'Closed Lost',
      ids: [String(deals.annaFirst), String(deals.bruno)],
    });

    expect(response.status).toBe(200);
    expect(response.text).toContain('1 record changed.');
    expect(response.text).toContain('1 record refused:');
    expect(response.text).toContain('1 not allowed: you may only read it');
    expect(response.text).toContain(`<a href="/potentials/${deals.bruno}">bruno deal</a>`);
    expect((await stored(deals.annaFirst))!.sales_stage).toBe('Closed Lost');
    expect((await stored(deals.bruno))!.sales_stage).toBe('Prospecting');
  });

  it('reports hidden records as not found', async () => {
    await setSharing('private');
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

    const response = await massAction(anna, '/delete', {
      ids: [String(deals.annaFirst), String(deals.bruno)],
    });

    expect(response.text).toContain('1 record moved to the recycle bin.');
    expect(response.text).toContain('1 not found: it was deleted or you may not see it');
    expect(response.text).toContain(`#${deals.bruno}`);
    expect(response.text).not.toContain(`href="/potentials/${deals.bruno}"`);
    expect(response.text).not.toContain('bruno deal');
    expect(await stored(deals.bruno)).toBeDefined();
  });

  it('refuses a reassignment outside the assign limit', async () => {
    await setSalespersonAssignScope('role_and_below');
    try {
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      const response = await massAction(anna, '', {
        action: 'reassign',
        assigned_user_id: String(users.marta),
        ids: [String(deals.annaFirst), String(deals.annaSecond)],
      });

      const text = unescapeHtml(response.text);
      expect(text).toContain('0 records changed.');
      expect(text).toContain(
        '2 failed: Assigned To: "marta" is outside the users and groups your role may assign records to',
      );
      expect(Number((await stored(deals.annaFirst))!.assigned_user_id)).toBe(users.anna);
      expect(Number((await stored(deals.annaSecond))!.assigned_user_id)).toBe(users.anna);
    } finally {
      await setSalespersonAssignScope('all');
    }
  });

  it('rejects an impossible date for every record', async () => {
    const admin = await loginAgent(testApp.app);

    const response = await massAction(admin, '/edit', {
      field: 'expected_close_date',
      expected_close_date: '02/30/2027',
      ids: [String(deals.annaFirst), String(deals.bruno)],
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('id="error-expected_close_date"');
    expect(response.text).toContain('The value needs correcting before the records can be changed:');
    expect(response.text).toContain('This date does not exist. Check the day and the month.');
    expect(response.text).toContain('value="02/30/2027"');
    expect((await stored(deals.annaFirst))!.expected_close_date).toBe('2027-03-31');
    expect((await stored(deals.bruno))!.expected_close_date).toBe('2027-03-31');
  });

  it('rejects a too long text with its limit', async () => {
    const admin = await loginAgent(testApp.app);

    const response = await massAction(admin, '/edit', {
      field: 'next_step',
      next_step: 'x'.repeat(300),
      ids: String(deals.annaFirst),
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('Too long: at most 255 characters.');
  });

  it('rejects a selection above the limit', async () => {
    const massActions = testApp.app.get(MassActionsService);
    const ids = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

    const atLimit = await massActions.resolve('potentials', ADMIN, {
      kind: 'ids',
      ids: ids(MAX_MASS_RECORDS),
    });
    const aboveLimit = await massActions.resolve('potentials', ADMIN, {
      kind: 'ids',
      ids: ids(MAX_MASS_RECORDS + 1),
    });

    expect(atLimit).toHaveLength(MAX_MASS_RECORDS);
    expect(aboveLimit).toBeUndefined();
  });

  it('requires the CSRF token', async () => {
    const admin = await loginAgent(testApp.app);

    const start = await admin
      .post('/mass/potentials')
      .type('form')
      .send({ action: 'reassign', assigned_user_id: String(users.bruno), ids: String(deals.annaFirst) });
    const remove = await admin
      .post('/mass/potentials/delete')
      .type('form')
      .send({ ids: String(deals.annaFirst) });

    expect(start.status).toBe(403);
    expect(remove.status).toBe(403);
    expect(Number((await stored(deals.annaFirst))!.assigned_user_id)).toBe(users.anna);
    expect(await stored(deals.annaFirst)).toBeDefined();
  });
});
