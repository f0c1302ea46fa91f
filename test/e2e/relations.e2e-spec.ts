import { unescapeHtml } from '../support/csv-import.js';
import { PotentialMainContacts1765300041000 } from '../../modules/potentials/migrations/1765300041000-potential-main-contacts.js';
import { RecordsService } from '../../src/records/records.service.js';
import {
  ADMIN,
  Agent,
  createRecord,
  createUser,
  ISO_FORMAT,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
  sharingWith,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

interface RelationRow {
  id_a: number;
  id_b: number;
  attribute: string | null;
}

describe.each(databaseKinds())('relations menu on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const relationRows = async (): Promise<RelationRow[]> =>
    (
      await testApp.dataSource.query<RelationRow[]>(
        `SELECT id_a, id_b, attribute FROM record_relations WHERE relation = 'potentials.contacts' ORDER BY id_a, id_b`,
      )
    ).map((row) => ({ id_a: Number(row.id_a), id_b: Number(row.id_b), attribute: row.attribute }));

  const accountOf = async (potentialId: number): Promise<number | null> => {
    const rows = await testApp.dataSource.query<{ account_id: number | null }[]>(
      'SELECT account_id FROM potentials WHERE id = ?',
      [potentialId],
    );
    return rows[0].account_id === null ? null : Number(rows[0].account_id);
  };

  const createPotential = (name: string, extra: Record<string, string> = {}) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
      ...extra,
    });

  const createContact = (lastName: string, assignedUserId = '1') =>
    createRecord(testApp, 'contacts', { last_name: lastName, assigned_user_id: assignedUserId });

  const createAccount = (name: string, assignedUserId = '1') =>
    createRecord(testApp, 'accounts', { account_name: name, assigned_user_id: assignedUserId });

  /** Returns the text of a page without its tags, entities decoded and spaces collapsed. */
  const textOf = (html: string) =>
    unescapeHtml(html.replace(/<[^>]+>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    await setSharing(admin, {
      leads: 'private',
      contacts: 'private',
      documents: 'public_read_write_delete',
      potentials: 'private',
      campaigns: 'private',
      accounts: 'private',
      products: 'private',
      quotes: 'private',
    });
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  it('select existing potential sets its Account Name', async () => {
    const account = await createAccount('Rossi Srl');
    const potential = await createPotential('Fleet renewal');
    const picker = `/relations/accounts/${account}/potentials.account_id`;

    const page = await admin.get(picker);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Fleet renewal');
    const response = await postForm(admin, picker, picker, { related_id: String(potential) });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/accounts/${account}#relation-potentials-account_id`);
    expect(await accountOf(potential)).toBe(account);
    const detail = await admin.get(`/accounts/${account}`);
    expect(detail.text).toContain('href="#relation-potentials-account_id"');
    expect(textOf(detail.text)).toContain('Fleet renewal');
  });

  it('unlink clears the link field', async () => {
    const account = await createAccount('Rossi Srl');
    const potential = await createPotential('Fleet renewal', { account_id: String(account) });
    const unlink = `/relations/accounts/${account}/potentials.account_id/${potential}/unlink`;

    const detail = await admin.get(`/accounts/${account}`);
    expect(detail.text).toContain(`href="${unlink}"`);
    const response = await postForm(admin, unlink, unlink, {});

    expect(response.status).toBe(303);
    expect(await accountOf(potential)).toBeNull();
  });

  it('unlink of a mandatory link is refused', async () => {
    const account = await createAccount('Rossi Srl');
    const quote = await createRecord(testApp, 'quotes', {
      subject: 'Fleet quote',
      account_id: String(account),
      assigned_user_id: '1',
    });
    const unlink = `/relations/accounts/${account}/quotes.account_id/${quote}/unlink`;

    const detail = await admin.get(`/accounts/${account}`);
    expect(detail.text).not.toContain(`href="${unlink}"`);
    const page = await admin.get(unlink);
    expect(page.status).toBe(422);
    expect(textOf(page.text)).toContain('This link is mandatory and cannot be removed');
    const detailToken = csrfToken(detail.text);
    const response = await admin.post(unlink).type('form').send({ _csrf: detailToken });

    expect(response.status).toBe(422);
    const rows = await testApp.dataSource.query<{ account_id: number }[]>(
      'SELECT account_id FROM quotes WHERE id = ?',
      [quote],
    );
    expect(Number(rows[0].account_id)).toBe(account);
  });

  it('contact with a role is shown on both sides', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/potentials/${potential}/potentials.contacts`;

    const response = await postForm(admin, picker, picker, {
      related_id: String(contact),
      attribute: 'decision_maker',
    });

    expect(response.status).toBe(303);
    expect(await relationRows()).toEqual([{ id_a: potential, id_b: contact, attribute: 'decision_maker' }]);
    const potentialPage = textOf((await admin.get(`/potentials/${potential}`)).text);
    expect(potentialPage).toContain('Bianchi');
    const contactPage = await admin.get(`/contacts/${contact}`);
    expect(contactPage.text).toContain('id="relation-potentials-contacts"');
    expect(textOf(contactPage.text)).toContain('Fleet renewal');
    expect(contactPage.text).toMatch(/<option value="decision_maker" selected>Decision Maker<\/option>/);
  });

  it('contact linked from its own page joins the potential', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/contacts/${contact}/potentials.contacts`;

    const page = await admin.get(picker);
    expect(textOf(page.text)).toContain('Fleet renewal');
    const response = await postForm(admin, picker, picker, { related_id: String(potential) });

    expect(response.status).toBe(303);
    expect(await relationRows()).toEqual([{ id_a: potential, id_b: contact, attribute: null }]);
  });

  it('change role updates the link', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    await postForm(
      admin,
      `/potentials/${potential}`,
      `/relations/potentials/${potential}/potentials.contacts`,
      {
        related_id: String(contact),
        attribute: 'influencer',
      },
    );
    const action = `/relations/potentials/${potential}/potentials.contacts/${contact}/attribute`;

    const response = await postForm(admin, `/potentials/${potential}`, action, {
      attribute: 'economic_buyer',
    });
    const forged = await postForm(admin, `/potentials/${potential}`, action, { attribute: 'boss' });

    expect(response.status).toBe(303);
    expect(forged.status).toBe(400);
    expect((await relationRows())[0].attribute).toBe('economic_buyer');
  });

  it('unlink removes the contact from the potential', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(contact) });
    const unlink = `${picker}/${contact}/unlink`;

    const response = await postForm(admin, unlink, unlink, {});

    expect(response.status).toBe(303);
    expect(await relationRows()).toEqual([]);
  });

  it('Contact Name is the main contact and stays linked', async () => {
    const contact = await createContact('Bianchi');
    const potential = await createPotential('Fleet renewal', { contact_id: String(contact) });
    const unlink = `/relations/potentials/${potential}/potentials.contacts/${contact}/unlink`;

    expect(await relationRows()).toEqual([{ id_a: potential, id_b: contact, attribute: null }]);
    const page = await admin.get(`/potentials/${potential}`);
    expect(page.text).not.toContain(`href="${unlink}"`);
    const response = await admin
      .post(unlink)
      .type('form')
      .send({ _csrf: csrfToken(page.text) });

    expect(response.status).toBe(422);
    expect(textOf(response.text)).toContain('This is the main record of the relation');
    expect(await relationRows()).toHaveLength(1);
  });

  it('Contact Name keeps an existing role', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(contact), attribute: 'economic_buyer' });

    const saved = await testApp.app
      .get(RecordsService)
      .save('potentials', ADMIN, potential, { contact_id: String(contact) }, ISO_FORMAT);

    expect(saved.ok).toBe(true);
    expect(await relationRows()).toEqual([{ id_a: potential, id_b: contact, attribute: 'economic_buyer' }]);
  });

  it('migration lists existing Contact Names', async () => {
    const contact = await createContact('Bianchi');
    const potential = await createPotential('Fleet renewal', { contact_id: String(contact) });
    await testApp.dataSource.query('DELETE FROM record_relations');

    const runner = testApp.dataSource.createQueryRunner();
    try {
      await new PotentialMainContacts1765300041000().up(runner);
    } finally {
      await runner.release();
    }

    expect(await relationRows()).toEqual([{ id_a: potential, id_b: contact, attribute: null }]);
  });

  it('purging a contact removes its links', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(admin, picker, picker, { related_id: String(contact) });
    expect(await relationRows()).toHaveLength(1);

    const response = await postForm(admin, `/contacts/${contact}/delete`, `/contacts/${contact}/delete`, {});
    const linksInBin = await relationRows();
    const purge = `/recycle-bin/contacts/${contact}/delete`;
    const purged = await postForm(admin, purge, purge, {});

    expect(response.status).toBe(303);
    expect(linksInBin).toHaveLength(1);
    expect(purged.status).toBe(303);
    expect(await relationRows()).toEqual([]);
  });

  it('picker excludes linked and out-of-scope records', async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const saraId = Number(
      (await testApp.dataSource.query<{ id: number }[]>(`SELECT id FROM users WHERE username = 'sara'`))[0]
        .id,
    );
    const potential = await createPotential('Fleet renewal', { assigned_user_id: String(saraId) });
    const linked = await createContact('Linked Bianchi', String(saraId));
    await createContact('Free Bianchi', String(saraId));
    const hidden = await createContact('Hidden Bianchi');
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(sara, picker, picker, { related_id: String(linked) });

    const page = textOf((await sara.get(`${picker}?q=Bianchi`)).text);
    const forged = await postForm(sara, picker, picker, { related_id: String(hidden) });

    expect(page).toContain('Free Bianchi');
    expect(page).not.toContain('Linked Bianchi');
    expect(page).not.toContain('Hidden Bianchi');
    expect(page).toContain('1 record found.');
    expect(forged.status).toBe(404);
    expect(await relationRows()).toEqual([{ id_a: potential, id_b: linked, attribute: null }]);
  });

  it('picker offers only potentials the user may change', async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const saraId = String(
      (await testApp.dataSource.query<{ id: number }[]>(`SELECT id FROM users WHERE username = 'sara'`))[0]
        .id,
    );
    await createPotential('Own deal', { assigned_user_id: saraId });
    await createPotential('Read-only deal');
    const contact = await createContact('Bianchi', saraId);
    const picker = `/relations/contacts/${contact}/potentials.contacts`;

    await setSharing(admin, { ...sharingWith('private'), potentials: 'public_read' });
    try {
      const page = textOf((await sara.get(picker)).text);

      expect(page).toContain('Own deal');
      expect(page).not.toContain('Read-only deal');
      expect(textOf((await sara.get('/potentials')).text)).toContain('Read-only deal');
    } finally {
      await setSharing(admin, { ...sharingWith('private'), documents: 'public_read_write_delete' });
    }
  });

  it('forged record ids are not found', async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const hiddenPotential = await createPotential('Secret deal');
    const contact = await createContact('Bianchi');
    const picker = `/relations/potentials/${hiddenPotential}/potentials.contacts`;

    expect((await sara.get(picker)).status).toBe(404);
    const home = await sara.get('/potentials');
    const response = await sara
      .post(picker)
      .type('form')
      .send({ _csrf: csrfToken(home.text), related_id: String(contact) });
    expect(response.status).toBe(404);
    expect((await admin.get('/relations/potentials/999999/potentials.contacts')).status).toBe(404);
    expect((await admin.get(`/relations/potentials/${hiddenPotential}/potentials.nothing`)).status).toBe(404);
    expect(await relationRows()).toEqual([]);
  });

  it('link without a CSRF token is rejected', async () => {
    const potential = await createPotential('Fleet renewal');
    const contact = await createContact('Bianchi');

    const response = await admin
      .post(`/relations/potentials/${potential}/potentials.contacts`)
      .type('form')
      .send({ related_id: String(contact) });

    expect(response.status).toBe(403);
    expect(await relationRows()).toEqual([]);
  });

  it('add new contact returns to the potential linked', async () => {
    const potential = await createPotential('Fleet renewal');
    const detail = await admin.get(`/potentials/${potential}`);
    const addHref = unescapeHtml(/href="(\/contacts\/new\?[^"]+)"/.exec(detail.text)![1]);
    const form = await admin.get(addHref);
    expect(form.text).toContain(`name="_relation" value="potentials:${potential}:potentials.contacts"`);
    expect(form.text).toContain(`href="/potentials/${potential}"`);

    const response = await admin
      .post('/contacts')
      .type('form')
      .send({
        _csrf: csrfToken(form.text),
        _relation: `potentials:${potential}:potentials.contacts`,
        last_name: 'Verdi',
        assigned_user_id: '1',
      });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/potentials/${potential}#relation-potentials-contacts`);
    const rows = await relationRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].id_a).toBe(potential);
  });

  it('add new to a hidden potential saves nothing', async () => {
    await createUser(testApp, 'sara', SALESPERSON_ROLE);
    const sara = await loginAgent(testApp.app, 'sara', PASSWORD);
    const hiddenPotential = await createPotential('Secret deal');
    const form = await sara.get('/contacts/new');

    const response = await sara
      .post('/contacts')
      .type('form')
      .send({
        _csrf: csrfToken(form.text),
        _relation: `potentials:${hiddenPotential}:potentials.contacts`,
        last_name: 'Verdi',
      });

    expect(response.status).toBe(404);
    const contacts = await testApp.dataSource.query<{ id: number }[]>('SELECT id FROM contacts');
    expect(contacts).toEqual([]);
    expect(await relationRows()).toEqual([]);
  });

  it('add new potential returns to the account linked', async () => {
    const account = await createAccount('Rossi Srl');
    const detail = await admin.get(`/accounts/${account}`);
    const addHref = unescapeHtml(/href="(\/potentials\/new\?[^"]+)"/.exec(detail.text)![1]);
    const form = await admin.get(addHref);

    const response = await admin
      .post('/potentials')
      .type('form')
      .send({
        _csrf: csrfToken(form.text),
        _relation: `accounts:${account}:potentials.account_id`,
        potential_name: 'Fleet renewal',
        account_id: String(account),
        expected_close_date: '06/30/2027',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/accounts/${account}#relation-potentials-account_id`);
    const rows = await testApp.dataSource.query<{ account_id: number }[]>(
      'SELECT account_id FROM potentials',
    );
    expect(Number(rows[0].account_id)).toBe(account);
  });

  it('relations menu is in Italian', async () => {
    await createUser(testApp, 'giulia', SALESPERSON_ROLE);
    await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'giulia'`);
    const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);
    const giuliaId = Number(
      (await testApp.dataSource.query<{ id: number }[]>(`SELECT id FROM users WHERE username = 'giulia'`))[0]
        .id,
    );
    const potential = await createPotential('Rinnovo flotta', { assigned_user_id: String(giuliaId) });
    const contact = await createContact('Bianchi', String(giuliaId));
    const picker = `/relations/potentials/${potential}/potentials.contacts`;
    await postForm(giulia, picker, picker, { related_id: String(contact), attribute: 'decision_maker' });

    const html = (await giulia.get(`/potentials/${potential}`)).text;
    const page = textOf(html);
    const pickerPage = textOf((await giulia.get(picker)).text);

    expect(html).toContain('aria-label="Elenchi collegati"');
    expect(page).toContain('Seleziona esistente');
    expect(page).toContain('Decisore');
    expect(pickerPage).toContain('Collega');
  });
});
