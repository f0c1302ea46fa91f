import { parse } from 'csv-parse/sync';
import { BudgetService } from '../../modules/budget/budget.service.js';
import { ForecastService } from '../../modules/budget/forecast.service.js';
import { StageWinRatesService } from '../../modules/potentials/stage-win-rates.service.js';
import { RecordsService } from '../../src/records/records.service.js';
import { RecycleBinService } from '../../src/recycle-bin/recycle-bin.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import {
  ADMIN,
  Agent,
  createRecord,
  createUser,
  ISO_FORMAT,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

interface RelationRow {
  id_a: number;
  id_b: number;
  attribute: string | null;
}

/** The day the forecast is computed on: both test potentials close in the next months. */
const TODAY = '2027-03-15';

describe.each(databaseKinds())('recycle bin on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const relationRows = async (): Promise<RelationRow[]> =>
    (
      await query<RelationRow>(
        `SELECT id_a, id_b, attribute FROM record_relations WHERE relation = 'potentials.contacts' ORDER BY id_b`,
      )
    ).map((row) => ({ id_a: Number(row.id_a), id_b: Number(row.id_b), attribute: row.attribute }));

  const createPotential = (name: string, extra: Record<string, string> = {}) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      expected_close_date: '2027-04-30',
      sales_stage: 'Prospecting',
      amount: '1000',
      ...extra,
    });

  /** Returns the text of a page without its tags, entities decoded and spaces collapsed. */
  const textOf = (html: string) =>
    unescapeHtml(html.replace(/<[^>]+>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();

  const deleteRecord = (agent: Agent, moduleName: string, id: number) =>
    postForm(agent, `/${moduleName}/${id}/delete`, `/${moduleName}/${id}/delete`, {});

  const restore = (agent: Agent, moduleName: string, id: number) =>
    postForm(agent, '/recycle-bin', `/recycle-bin/${moduleName}/${id}/restore`, {});

  const binColumns = async (table: string, id: number) =>
    (
      await query<{ deleted_at: string | null; deleted_by_id: number | string | null }>(
        `SELECT deleted_at, deleted_by_id FROM ${table} WHERE id = ?`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await setSharing(admin, {
      leads: 'private',
      contacts: 'private',
      potentials: 'private',
      campaigns: 'private',
      accounts: 'private',
      products: 'private',
      quotes: 'private',
    });
  });

  it('binned potential is hidden everywhere', async () => {
    const records = testApp.app.get(RecordsService);
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Bianchi' });
    const binned = await createPotential('Fleet renewal', { account_id: String(account), amount: '1000' });
    await createPotential('Office move', { account_id: String(account), amount: '250' });
    const forecastBefore = await testApp.app.get(ForecastService).forecast(ADMIN, TODAY);
    const pipelineCents = async () => {
      const figures = await testApp.app
        .get(BudgetService)
        .figures(ADMIN, { year: 2027, kind: 'year', index: 1 }, 'salesperson');
      return [...figures.sets.pipeline.values()].reduce((sum, row) => sum + row.cents.toNumber(), 0);
    };
    const pipelineBefore = await pipelineCents();

    const response = await deleteRecord(admin, 'potentials', binned);

    expect(response.status).toBe(303);
    expect((await binColumns('potentials', binned)).deleted_at).not.toBeNull();
    expect(Number((await binColumns('potentials', binned)).deleted_by_id)).toBe(1);
    const list = await records.list('potentials', ADMIN, { filters: {} });
    expect(list.total).toBe(1);
    expect(list.totals.amount.toFixed(2)).toBe('250.00');
    expect((await admin.get(`/potentials/${binned}`)).status).toBe(404);
    expect((await records.options('potentials', ADMIN, 20)).map((option) => option.name)).toEqual([
      'Office move',
    ]);
    const picker = textOf((await admin.get(`/relations/contacts/${contact}/potentials.contacts`)).text);
    expect(picker).toContain('Office move');
    expect(picker).not.toContain('Fleet renewal');
    const accountPage = textOf((await admin.get(`/accounts/${account}`)).text);
    expect(accountPage).toContain('Office move');
    expect(accountPage).not.toContain('Fleet renewal');
    expect(pipelineBefore).toBe(125000);
    expect(await pipelineCents()).toBe(25000);
    const forecast = await testApp.app.get(ForecastService).forecast(ADMIN, TODAY);
    expect(forecastBefore.total.count).toBe(2);
    expect(forecast.total.count).toBe(1);
    expect(forecast.total.amount?.toFixed(2)).toBe('250.00');
    const exported: string[][] = parse((await admin.get('/export/potentials').buffer(true)).text, {
      bom: true,
    });
    expect(exported).toHaveLength(2);
    expect(exported.flat()).not.toContain('Fleet renewal');
  });

  it('binned potential leaves win rates', async () => {
    const potential = await createPotential('Fleet renewal');
    const won = await testApp.app
      .get(RecordsService)
      .save('potentials', ADMIN, potential, { sales_stage: 'Closed Won' }, ISO_FORMAT, 'mass');
    if (!won.ok) throw new Error(JSON.stringify(won.errors));
    const prospecting = async () =>
      (await testApp.app.get(StageWinRatesService).winRates(ADMIN)).stages.find(
        (rate) => rate.stage === 'Prospecting',
      );
    const before = await prospecting();

    await deleteRecord(admin, 'potentials', potential);

    expect(before?.potentials).toBe(1);
    expect(before?.won).toBe(1);
    expect((await prospecting())?.potentials).toBe(0);
  });

  it('restore brings back contact roles and link fields', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    const mainContact = await createRecord(testApp, 'contacts', { last_name: 'Verdi' });
    const buyer = await createRecord(testApp, 'contacts', { last_name: 'Bianchi' });
    const potential = await createPotential('Fleet renewal', {
      account_id: String(account),
      contact_id: String(mainContact),
    });
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(buyer), attribute: 'economic_buyer' });
    const linksBefore = await relationRows();

    await deleteRecord(admin, 'potentials', potential);
    const contactPage = textOf((await admin.get(`/contacts/${buyer}`)).text);
    const binHtml = (await admin.get('/recycle-bin')).text;
    const binPage = textOf(binHtml);
    const restored = await restore(admin, 'potentials', potential);

    expect(linksBefore).toEqual([
      { id_a: potential, id_b: mainContact, attribute: null },
      { id_a: potential, id_b: buyer, attribute: 'economic_buyer' },
    ]);
    expect(contactPage).not.toContain('Fleet renewal');
    expect(binPage).toContain('Fleet renewal');
    expect(binHtml).toMatch(
      new RegExp(
        `action="/recycle-bin/potentials/${potential}/restore"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">`,
      ),
    );
    expect(binPage).toContain('Administrator');
    expect(restored.status).toBe(303);
    expect(restored.headers.location).toBe(`/potentials/${potential}`);
    expect(await relationRows()).toEqual(linksBefore);
    const stored = await query<{ account_id: number | string; contact_id: number | string }>(
      'SELECT account_id, contact_id FROM potentials WHERE id = ?',
      [potential],
    );
    expect(Number(stored[0].account_id)).toBe(account);
    expect(Number(stored[0].contact_id)).toBe(mainContact);
    expect(await binColumns('potentials', potential)).toEqual({ deleted_at: null, deleted_by_id: null });
    const page = await admin.get(`/potentials/${potential}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Economic Buyer');
    expect(textOf((await admin.get(`/contacts/${buyer}`)).text)).toContain('Fleet renewal');
  });

  it('deleter restores and another user gets 404', async () => {
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Rossi');
    await createUser(testApp, 'bruno', SALESPERSON_ROLE, 'Bruno Neri');
    await setSharing(admin, {
      leads: 'public_read_write_delete',
      contacts: 'public_read_write_delete',
      potentials: 'public_read_write_delete',
      campaigns: 'public_read_write_delete',
      accounts: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    const potential = await createPotential('Anna deal', { assigned_user_id: String(anna) });
    const annaAgent = await loginAgent(testApp.app, 'anna', PASSWORD);
    const brunoAgent = await loginAgent(testApp.app, 'bruno', PASSWORD);

    expect((await deleteRecord(annaAgent, 'potentials', potential)).status).toBe(303);
    const brunoBin = textOf((await brunoAgent.get('/recycle-bin')).text);
    const brunoRestore = await restore(brunoAgent, 'potentials', potential);
    const brunoPurgePage = await brunoAgent.get(`/recycle-bin/potentials/${potential}/delete`);
    const annaBin = textOf((await annaAgent.get('/recycle-bin')).text);
    const annaRestore = await restore(annaAgent, 'potentials', potential);

    expect(brunoBin).not.toContain('Anna deal');
    expect(brunoRestore.status).toBe(404);
    expect(brunoPurgePage.status).toBe(404);
    expect(annaBin).toContain('Anna deal');
    expect(annaRestore.status).toBe(303);
    expect((await binColumns('potentials', potential)).deleted_at).toBeNull();
  });

  it('admin empties the bin and purges links', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Bianchi' });
    const potential = await createPotential('Fleet renewal', { contact_id: String(contact) });
    const linked = await createPotential('Office move', { account_id: String(account) });
    await deleteRecord(admin, 'potentials', potential);
    await deleteRecord(admin, 'accounts', account);

    const confirmation = textOf((await admin.get('/recycle-bin/empty')).text);
    const emptied = await postFormAndFollow(admin, '/recycle-bin/empty', '/recycle-bin/empty', {});

    expect(confirmation).toContain('Delete the 2 records in the recycle bin permanently');
    expect(textOf(emptied.text)).toContain('Deleted 2 records permanently.');
    expect(await query('SELECT id FROM potentials WHERE id = ?', [potential])).toEqual([]);
    expect(await query('SELECT id FROM accounts WHERE id = ?', [account])).toEqual([]);
    expect(await relationRows()).toEqual([]);
    const unlinked = await query<{ account_id: number | null }>(
      'SELECT account_id FROM potentials WHERE id = ?',
      [linked],
    );
    expect(unlinked[0].account_id).toBeNull();
  });

  it('purge removes the record and links', async () => {
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Bianchi' });
    const potential = await createPotential('Fleet renewal', { contact_id: String(contact) });
    await deleteRecord(admin, 'potentials', potential);

    const page = textOf((await admin.get(`/recycle-bin/potentials/${potential}/delete`)).text);
    const purged = await postForm(
      admin,
      `/recycle-bin/potentials/${potential}/delete`,
      `/recycle-bin/potentials/${potential}/delete`,
      {},
    );

    expect(page).toContain('Delete "Fleet renewal" permanently?');
    expect(purged.status).toBe(303);
    expect(await query('SELECT id FROM potentials WHERE id = ?', [potential])).toEqual([]);
    expect(await relationRows()).toEqual([]);
  });

  it('mass delete moves records to the bin', async () => {
    const first = await createPotential('Fleet renewal');
    const second = await createPotential('Office move');

    await postFormAndFollow(admin, '/potentials', '/mass/potentials/delete', {
      ids: [String(first), String(second)],
    });
    const listed = await testApp.app.get(RecycleBinService).list(ADMIN, 'potentials');

    expect(listed.map((record) => record.id).sort((a, b) => a - b)).toEqual([first, second]);
    expect((await testApp.app.get(RecordsService).list('potentials', ADMIN, { filters: {} })).total).toBe(0);
  });

  it('binned account name is free until restore', async () => {
    const binned = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    await deleteRecord(admin, 'accounts', binned);

    const newer = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    const rejectedRestore = await restore(admin, 'accounts', binned);
    const afterRejection = await binColumns('accounts', binned);
    await testApp.app
      .get(RecordsService)
      .save('accounts', ADMIN, newer, { account_name: 'Rossi Costruzioni Nord' }, ISO_FORMAT);
    const restored = await restore(admin, 'accounts', binned);

    expect(rejectedRestore.status).toBe(409);
    expect(unescapeHtml(rejectedRestore.text)).toContain('Another record is now named “Rossi Costruzioni”');
    expect(afterRejection.deleted_at).not.toBeNull();
    expect(restored.status).toBe(303);
    const keys = await query<{ account_name_key: string }>(
      'SELECT account_name_key FROM accounts WHERE id = ?',
      [binned],
    );
    expect(keys[0].account_name_key).toBe('rossi costruzioni');
  });

  it('restore rejects an inactive assignee', async () => {
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Rossi');
    const potential = await createPotential('Anna deal', { assigned_user_id: String(anna) });
    await deleteRecord(admin, 'potentials', potential);
    await query('UPDATE users SET is_active = ? WHERE id = ?', [false, anna]);

    const rejected = await restore(admin, 'potentials', potential);

    expect(rejected.status).toBe(409);
    expect(unescapeHtml(rejected.text)).toContain(
      'The record is assigned to Anna Rossi, who is deactivated.',
    );
    expect((await binColumns('potentials', potential)).deleted_at).not.toBeNull();
  });

  it('binned contact is no duplicate', async () => {
    const records = testApp.app.get(RecordsService);
    const contact = await createRecord(testApp, 'contacts', {
      last_name: 'Bianchi',
      email: 'maria.bianchi@example.com',
    });
    const lead = { last_name: 'Bianchi', email: 'maria.bianchi@example.com' };

    const beforeBinning = await records.save('leads', ADMIN, null, lead, ISO_FORMAT, 'form', undefined, {});
    await deleteRecord(admin, 'contacts', contact);
    const afterBinning = await records.save('leads', ADMIN, null, lead, ISO_FORMAT, 'form', undefined, {});

    expect(beforeBinning.ok).toBe(false);
    expect(afterBinning.ok).toBe(true);
  });

  it('binned account shows out of reach on its potential', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Costruzioni' });
    const potential = await createPotential('Fleet renewal', { account_id: String(account) });
    await deleteRecord(admin, 'accounts', account);

    const page = (await admin.get(`/potentials/${potential}`)).text;

    expect(textOf(page)).toContain('Rossi Costruzioni');
    expect(page).not.toContain(`href="/accounts/${account}"`);
  });
});
