import { PermissionsService } from '../../src/access/permissions.service.js';
import { TimelineSources } from '../../src/records/timeline.js';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import {
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
  sharingWith,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetLayouts,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

interface ChangeRow {
  kind: string;
  source: string;
  user_id: number | null;
  changed_at: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
}

describe.each(databaseKinds())('record history on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  /** Returns the change entries of a detail page's timeline as text, newest first, tags removed. */
  const historyOf = async (agent: Agent, path: string): Promise<string[]> => {
    const page = await agent.get(`${path}?timeline=change`);
    expect(page.status).toBe(200);
    const start = page.text.indexOf('id="timeline"');
    expect(start).toBeGreaterThan(-1);
    const section = page.text.slice(start, page.text.indexOf('</section>', start));
    return section
      .split(/<li [^>]*data-kind="change"[^>]*>/)
      .slice(1)
      .map((entry) =>
        unescapeHtml(entry.replace(/<[^>]+>/g, ' '))
          .replace(/\s+/g, ' ')
          .trim(),
      );
  };

  /** Reads the stored entries of a record with their changed fields, oldest first. */
  const changeRows = async (module: string, id: number): Promise<ChangeRow[]> =>
    testApp.dataSource.query<ChangeRow[]>(
      `SELECT c.kind, c.source, c.user_id, c.changed_at, f.field, f.old_value, f.new_value
         FROM record_changes c LEFT JOIN record_change_fields f ON f.change_id = c.id
        WHERE c.module = ? AND c.record_id = ? ORDER BY c.id, f.id`,
      [module, id],
    );

  const createPotential = (name: string, extra: Record<string, string> = {}) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      amount: '1000.00',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
      ...extra,
    });

  const editPotential = (agent: Agent, id: number, fields: Record<string, string>) =>
    postForm(agent, `/potentials/${id}/edit`, `/potentials/${id}`, fields);

  /** The profiles of the salesperson role on a fresh install, given back after a test replaced them. */
  let salespersonProfiles: string[];

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    const rows = await testApp.dataSource.query<{ profile_id: number }[]>(
      'SELECT profile_id FROM role_profiles WHERE role_id = ?',
      [SALESPERSON_ROLE],
    );
    salespersonProfiles = rows.map((row) => String(row.profile_id));
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await resetLayouts(testApp);
    admin = await loginAgent(testApp.app);
    await setSharing(admin, sharingWith('public_read_write_delete'));
    await postForm(admin, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
      profileIds: salespersonProfiles,
    });
  });

  it('edit lists field, old and new value, user and time', async () => {
    const id = await createPotential('Fleet renewal', { sales_stage: 'Negotiation/Review' });

    const response = await editPotential(admin, id, { sales_stage: 'Closed Won' });

    expect(response.status).toBe(303);
    const rows = await changeRows('potentials', id);
    expect(rows[0]).toMatchObject({ kind: 'created', source: 'form', field: null });
    const stage = rows.find((row) => row.field === 'sales_stage')!;
    expect(stage).toMatchObject({
      kind: 'updated',
      old_value: 'Negotiation/Review',
      new_value: 'Closed Won',
    });
    expect(Number(stage.user_id)).toBe(1);
    expect(String(stage.changed_at).slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history).toHaveLength(2);
    expect(history[0]).toContain('Changed by Administrator');
    expect(history[0]).toContain('Sales Stage: Negotiation/Review → Closed Won');
    expect(history[0]).toMatch(/\d\d\/\d\d\/\d{4} \d\d:\d\d UTC/);
    expect(history[1]).toContain('Created by Administrator');
  });

  it('timeline change source lists entries newest first', async () => {
    const id = await createPotential('Fleet renewal');
    await editPotential(admin, id, { sales_stage: 'Qualification' });
    const permissions = await testApp.app.get(PermissionsService).forUser(ADMIN);

    const timeline = await testApp.app
      .get(TimelineSources)
      .entries(ADMIN, { moduleName: 'potentials', id }, permissions, ['change'], 10);

    expect(timeline.more).toBe(false);
    expect(timeline.entries.map((entry) => entry.title)).toEqual([
      'Changed by Administrator',
      'Created by Administrator',
    ]);
    expect(timeline.entries[0].kind).toBe('change');
    expect(timeline.entries[0].userName).toBe('Administrator');
    expect(timeline.entries[0].lines).toContain('Sales Stage: Prospecting → Qualification');
  });

  it('save without changes adds no entry', async () => {
    const id = await createPotential('Fleet renewal');

    await editPotential(admin, id, { sales_stage: 'Prospecting' });

    expect((await changeRows('potentials', id)).map((row) => row.kind)).toEqual(['created']);
  });

  it('formats values in the user locale', async () => {
    await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    const id = await createPotential('Fleet renewal', { amount: '1234.50' });
    await editPotential(admin, id, { amount: '99,000.00', expected_close_date: '07/31/2027' });
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    await postForm(anna, '/account', '/account/language', { locale: 'it' });

    const history = await historyOf(anna, `/potentials/${id}`);

    expect(history[0]).toContain('Modificato da Administrator');
    expect(history[0]).toContain('Importo: da € 1.234,50 a € 99.000,00');
    expect(history[0]).toContain('da 30/06/2027 a 31/07/2027');
  });

  it('relabelled field shows its new label on old changes', async () => {
    const id = await createPotential('Fleet renewal');
    await editPotential(admin, id, { sales_stage: 'Qualification' });

    const relabel = await postForm(admin, EDITOR, `${EDITOR}/fields/sales_stage/label`, {
      label_en: 'Deal Phase',
      label_it: '',
    });

    expect(relabel.status).toBe(303);
    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history[0]).toContain('Deal Phase: Prospecting → Qualification');
    expect(history[0]).not.toContain('Sales Stage');
  });

  it('field hidden by the profile is left out', async () => {
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    await createProfileFor(
      admin,
      SALESPERSON_ROLE,
      'No amounts',
      { potentials: ['view', 'edit', 'create'] },
      { 'potentials:amount': 'hidden' },
    );
    const id = await createPotential('Fleet renewal', { assigned_user_id: String(anna) });
    await editPotential(admin, id, { amount: '2000.00' });
    await editPotential(admin, id, { amount: '3000.00', sales_stage: 'Qualification' });
    const annaAgent = await loginAgent(testApp.app, 'anna', PASSWORD);

    const adminHistory = await historyOf(admin, `/potentials/${id}`);
    const annaHistory = await historyOf(annaAgent, `/potentials/${id}`);

    expect(adminHistory).toHaveLength(3);
    expect(adminHistory[1]).toContain('Amount: € 1,000.00 → € 2,000.00');
    expect(annaHistory).toHaveLength(2);
    expect(annaHistory[0]).toContain('Sales Stage: Prospecting → Qualification');
    expect(annaHistory.join(' ')).not.toContain('Amount');
    expect(annaHistory.join(' ')).not.toContain('3,000.00');
  });

  it('hidden link field is left out on the linked record', async () => {
    await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    await createProfileFor(
      admin,
      SALESPERSON_ROLE,
      'No account links',
      { potentials: ['view'], accounts: ['view'] },
      { 'potentials:account_id': 'hidden' },
    );
    const account = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi Srl',
      assigned_user_id: '1',
    });
    const id = await createPotential('Fleet renewal');
    await editPotential(admin, id, { account_id: String(account) });
    const annaAgent = await loginAgent(testApp.app, 'anna', PASSWORD);

    const adminHistory = await historyOf(admin, `/accounts/${account}`);
    const annaHistory = await historyOf(annaAgent, `/accounts/${account}`);

    expect(adminHistory[0]).toContain('Administrator linked this record to Potential Fleet renewal');
    expect(annaHistory).toHaveLength(1);
    expect(annaHistory[0]).toContain('Created by Administrator');
  });

  it('assignment change is an assigned entry', async () => {
    await createUser(testApp, 'marco', SALESPERSON_ROLE, 'Marco Verdi');
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    const marco = Number(
      (await testApp.dataSource.query<{ id: number }[]>("SELECT id FROM users WHERE username = 'marco'"))[0]
        .id,
    );
    const id = await createPotential('Fleet renewal', { assigned_user_id: String(anna) });

    await editPotential(admin, id, { assigned_user_id: String(marco) });

    const rows = await changeRows('potentials', id);
    expect(rows[1]).toMatchObject({ kind: 'assigned', field: 'assigned_user_id' });
    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history[0]).toContain('Assigned by Administrator');
    expect(history[0]).toContain('Assigned To: Anna Bianchi → Marco Verdi');
    expect(history.join(' ')).not.toContain('Assignment history');
  });

  it("moving a user's records is recorded", async () => {
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    const marco = await createUser(testApp, 'marco', SALESPERSON_ROLE, 'Marco Verdi');
    const first = await createPotential('First', { assigned_user_id: String(anna) });
    const second = await createPotential('Second', { assigned_user_id: String(anna) });

    const moved = await postForm(admin, '/admin/users', `/admin/users/${anna}/move-records`, {
      toOwner: String(marco),
    });

    expect(moved.status).toBe(303);
    for (const id of [first, second]) {
      const rows = await changeRows('potentials', id);
      expect(rows[1]).toMatchObject({ kind: 'assigned', source: 'transfer', field: 'assigned_user_id' });
      const history = await historyOf(admin, `/potentials/${id}`);
      expect(history[0]).toContain("Assigned by Administrator (move of a user's records)");
      expect(history[0]).toContain('Assigned To: Anna Bianchi → Marco Verdi');
    }
  });

  it('link field change shows the target name', async () => {
    const account = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi Srl',
      assigned_user_id: '1',
    });
    const id = await createPotential('Fleet renewal');

    await editPotential(admin, id, { account_id: String(account) });

    const page = await admin.get(`/potentials/${id}?timeline=change`);
    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history[0]).toContain('Account Name: (empty) → Rossi Srl');
    const section = page.text.slice(page.text.indexOf('id="timeline"'));
    expect(section).toContain(`href="/accounts/${account}"`);
  });

  it('link field change shows on the linked record', async () => {
    const account = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi Srl',
      assigned_user_id: '1',
    });
    const id = await createPotential('Fleet renewal');
    const picker = `/relations/accounts/${account}/potentials.account_id`;

    const linked = await postForm(admin, picker, picker, { related_id: String(id) });
    const unlink = `${picker}/${id}/unlink`;
    const unlinked = await postForm(admin, unlink, unlink, {});

    expect(linked.status).toBe(303);
    expect(unlinked.status).toBe(303);
    const accountHistory = await historyOf(admin, `/accounts/${account}`);
    expect(accountHistory[0]).toContain('Administrator unlinked this record from Potential Fleet renewal');
    expect(accountHistory[1]).toContain('Administrator linked this record to Potential Fleet renewal');
    const potentialHistory = await historyOf(admin, `/potentials/${id}`);
    expect(potentialHistory[0]).toContain('Account Name: Rossi Srl → (empty)');
  });

  it('link and unlink of a contact appear on both records', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createRecord(testApp, 'contacts', {
      first_name: 'Maria',
      last_name: 'Rossi',
      assigned_user_id: '1',
    });
    const picker = `/relations/potentials/${potential}/potentials.contacts`;

    const linked = await postForm(admin, picker, picker, {
      related_id: String(contact),
      attribute: 'decision_maker',
    });
    const unlink = `${picker}/${contact}/unlink`;
    const unlinked = await postForm(admin, unlink, unlink, {});

    expect(linked.status).toBe(303);
    expect(unlinked.status).toBe(303);
    const potentialHistory = await historyOf(admin, `/potentials/${potential}`);
    expect(potentialHistory[0]).toContain('Administrator unlinked Contact Maria Rossi');
    expect(potentialHistory[1]).toContain('Administrator linked Contact Maria Rossi');
    expect(potentialHistory[1]).toContain('Role: (empty) → Decision Maker');
    const contactHistory = await historyOf(admin, `/contacts/${contact}`);
    expect(contactHistory[0]).toContain('Administrator unlinked this record from Potential Fleet renewal');
    expect(contactHistory[1]).toContain('Administrator linked this record to Potential Fleet renewal');
  });

  it('role change of a link is recorded', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Rossi', assigned_user_id: '1' });
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(contact), attribute: 'influencer' });

    await postForm(admin, `/potentials/${potential}`, `${picker}/${contact}/attribute`, {
      attribute: 'economic_buyer',
    });

    const history = await historyOf(admin, `/contacts/${contact}`);
    expect(history[0]).toContain("Administrator changed this record's link to Potential Fleet renewal");
    expect(history[0]).toContain('Role: Influencer → Economic Buyer');
  });

  it('link entry is hidden when the other record is out of scope', async () => {
    const anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    await setSharing(admin, sharingWith('private'));
    const potential = await createPotential('Secret deal');
    const contact = await createRecord(testApp, 'contacts', {
      last_name: 'Rossi',
      assigned_user_id: String(anna),
    });
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(contact) });
    const annaAgent = await loginAgent(testApp.app, 'anna', PASSWORD);

    const history = await historyOf(annaAgent, `/contacts/${contact}`);

    expect(history.join(' ')).not.toContain('Secret deal');
    expect(history).toHaveLength(1);
  });

  it('board move and mass edit name their source', async () => {
    const id = await createPotential('Fleet renewal');

    const moved = await postForm(admin, '/pipeline', '/pipeline/move', {
      id: String(id),
      sales_stage: 'Qualification',
    });
    const mass = await postForm(admin, '/potentials', '/mass/potentials/edit', {
      field: 'sales_stage',
      sales_stage: 'Needs Analysis',
      ids: String(id),
    });

    expect(moved.status).toBe(303);
    expect(mass.status).toBe(303);
    const sources = (await changeRows('potentials', id)).map((row) => row.source);
    expect(sources).toContain('board');
    expect(sources).toContain('mass');
    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history[0]).toContain('Changed by Administrator (mass edit)');
    expect(history[1]).toContain('Changed by Administrator (pipeline board)');
    expect(history[1]).toContain('Sales Stage: Prospecting → Qualification');
  });

  it('import writes one imported entry a record', async () => {
    const csv = [
      'Potential Name,Expected Close Date,Sales Stage',
      'First,2027-05-31,Prospecting',
      'Second,2027-05-31,Prospecting',
    ].join('\n');

    const outcome = await importCsv(admin, 'potentials', csv);

    expect(outcome.counts.created).toBe(2);
    const entries = await testApp.dataSource.query<{ kind: string; source: string; fields: number }[]>(
      `SELECT c.kind, c.source, (SELECT COUNT(*) FROM record_change_fields f WHERE f.change_id = c.id) AS fields
         FROM record_changes c WHERE c.module = 'potentials'`,
    );
    expect(entries.map((entry) => [entry.kind, entry.source, Number(entry.fields)])).toEqual([
      ['imported', 'import', 0],
      ['imported', 'import', 0],
    ]);
    const id = Number(
      (
        await testApp.dataSource.query<{ id: number }[]>(
          "SELECT id FROM potentials WHERE potential_name = 'First'",
        )
      )[0].id,
    );
    expect((await historyOf(admin, `/potentials/${id}`))[0]).toContain('Imported by Administrator');
  });

  it('lead conversion names the records on both sides', async () => {
    const leadId = await createRecord(testApp, 'leads', {
      first_name: 'Ada',
      last_name: 'Byron',
      company: 'Analytical Engines',
      assigned_user_id: '1',
    });

    const response = await postForm(admin, `/leads/${leadId}/convert`, `/leads/${leadId}/convert`, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Analytical Engines',
      create_potentials: '1',
      'potentials.potential_name': 'Engines for 2027',
      'potentials.expected_close_date': '06/30/2027',
      'potentials.sales_stage': 'Prospecting',
      'potentials.amount': '12,500.00',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(303);
    const leadHistory = await historyOf(admin, `/leads/${leadId}`);
    expect(leadHistory[0]).toContain('Converted by Administrator');
    expect(leadHistory[0]).toContain('Account: Analytical Engines');
    expect(leadHistory[0]).toContain('Potential: Engines for 2027');
    const potentialId = Number(
      (await testApp.dataSource.query<{ id: number }[]>('SELECT id FROM potentials'))[0].id,
    );
    const potentialHistory = await historyOf(admin, `/potentials/${potentialId}`);
    expect(potentialHistory[potentialHistory.length - 1]).toContain(
      'Created by Administrator by converting lead Ada Byron',
    );
  });

  it('relations menu links to notes and history', async () => {
    const id = await createPotential('Fleet renewal');

    const page = unescapeHtml((await admin.get(`/potentials/${id}`)).text);
    const menu = page.slice(
      page.indexOf('aria-label="Related lists"'),
      page.indexOf('</nav>', page.indexOf('aria-label="Related lists"')),
    );

    expect(menu).toContain(`<a class="nav-link" href="/potentials/${id}?timeline=note#timeline">Notes</a>`);
    expect(menu).toContain(
      `<a class="nav-link" href="/potentials/${id}?timeline=change#timeline">History</a>`,
    );
  });

  it('binning and restoring are recorded', async () => {
    const id = await createPotential('Fleet renewal');

    await postForm(admin, `/potentials/${id}/delete`, `/potentials/${id}/delete`, {});
    await postForm(admin, '/recycle-bin', `/recycle-bin/potentials/${id}/restore`, {});

    const history = await historyOf(admin, `/potentials/${id}`);
    expect(history[0]).toContain('Restored from the recycle bin by Administrator');
    expect(history[1]).toContain('Moved to the recycle bin by Administrator');
    expect(history[2]).toContain('Created by Administrator');
  });

  it('purging removes the record history', async () => {
    const id = await createPotential('Fleet renewal');
    await editPotential(admin, id, { sales_stage: 'Qualification' });
    const purgePage = `/recycle-bin/potentials/${id}/delete`;

    await postForm(admin, `/potentials/${id}/delete`, `/potentials/${id}/delete`, {});
    expect((await changeRows('potentials', id)).length).toBeGreaterThan(0);
    const purged = await postForm(admin, purgePage, purgePage, {});

    expect(purged.status).toBe(303);
    expect(await changeRows('potentials', id)).toEqual([]);
    const fields = await testApp.dataSource.query<{ n: number }[]>(
      'SELECT COUNT(*) AS n FROM record_change_fields',
    );
    expect(Number(fields[0].n)).toBe(0);
  });
});
