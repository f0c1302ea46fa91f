import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const PASSWORD = 'giulia-password';

describe.each(databaseKinds())('Italian interface on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  /** Creates the user Giulia in English, then switches her to Italian on the edit page, as an administrator does. */
  async function italianAgent() {
    const admin = await loginAgent(testApp.app);
    const created = await postForm(admin, '/admin/users/new', '/admin/users', {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: PASSWORD,
      isActive: 'on',
      locale: 'en',
    });
    expect(created.status).toBe(303);

    const rows = await testApp.dataSource.query<{ id: number | string }[]>(
      `SELECT id FROM users WHERE username = 'giulia'`,
    );
    const id = Number(rows[0].id);
    const edited = await postForm(admin, `/admin/users/${id}/edit`, `/admin/users/${id}`, {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: '',
      isActive: 'on',
      locale: 'it',
    });
    expect(edited.status).toBe(303);

    return loginAgent(testApp.app, 'giulia', PASSWORD);
  }

  async function amountCents(): Promise<string[]> {
    const rows = await testApp.dataSource.query<{ amount_cents: number | string }[]>(
      'SELECT amount_cents FROM potentials',
    );
    return rows.map((row) => String(row.amount_cents));
  }

  it('users page switches a user to Italian', async () => {
    const agent = await italianAgent();

    const list = await agent.get('/potentials');

    expect(list.status).toBe(200);
    expect(list.text).toContain('<html lang="it">');
    expect(list.text).toContain('<h1 class="h3 me-auto mb-0">Opportunità</h1>');
    expect(list.text).toContain('>Aziende</a>');
    expect(list.text).toContain('>Campagne</a>');
    expect(list.text).toContain('Crea Opportunità');
    expect(list.text).toContain('Fase di vendita');
    expect(list.text).toContain('Nessun record trovato.');
    expect(list.text).not.toContain('Potentials');
  });

  it('shows money and dates the Italian way', async () => {
    const agent = await italianAgent();

    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Rinnovo flotta',
      amount: '1.234,56',
      expected_close_date: '2027-06-30',
      sales_stage: 'Negotiation/Review',
    });

    expect(created.status).toBe(303);
    expect(await amountCents()).toEqual(['123456']);

    const detail = await agent.get(created.headers.location);
    expect(detail.text).toContain('Importo');
    expect(detail.text).toContain('€ 1.234,56');
    expect(detail.text).toContain('Data di chiusura prevista');
    expect(detail.text).toContain('30/06/2027');
    expect(detail.text).toContain('Importo ponderato');
    expect(detail.text).toContain('€ 987,65');
    expect(detail.text).not.toContain('06/30/2027');

    const list = await agent.get('/potentials');
    expect(list.text).toContain('€ 1.234,56');
    expect(list.text).toContain('30/06/2027');
    expect(list.text).toContain('1 record');
    expect(list.text).toContain('<strong>Importo ponderato:</strong> <span data-total="1">€ 987,65</span>');
  });

  it('keeps English formats for an English user', async () => {
    const agent = await italianAgent();
    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Rinnovo flotta',
      amount: '1.234,56',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });
    expect(created.status).toBe(303);

    const admin = await loginAgent(testApp.app);
    const detail = await admin.get(created.headers.location);

    expect(detail.status).toBe(200);
    expect(detail.text).toContain('<html lang="en">');
    expect(detail.text).toContain('€ 1,234.56');
    expect(detail.text).toContain('06/30/2027');
  });

  it('accepts a date typed as dd/mm/yyyy', async () => {
    const agent = await italianAgent();

    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Data digitata',
      amount: '500',
      expected_close_date: '05/07/2027',
      sales_stage: 'Prospecting',
    });

    expect(created.status).toBe(303);
    const rows = await testApp.dataSource.query<{ expected_close_date: string }[]>(
      'SELECT expected_close_date FROM potentials',
    );
    expect(String(rows[0].expected_close_date).slice(0, 10)).toBe('2027-07-05');
  });

  it('rejects an amount in English format', async () => {
    const agent = await italianAgent();

    const response = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Rinnovo flotta',
      amount: '1,234.56',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain(
      '<div class="invalid-feedback d-block" id="error-amount">Numero non valido. Usare le cifre e il separatore decimale previsto: in italiano la virgola, ad esempio 1.234,56.</div>',
    );
    expect(response.text).toContain('Prima di salvare il record è necessario correggere 1 campo:');
    expect(response.text).toContain('value="1,234.56"');
    expect(await amountCents()).toEqual([]);
  });

  it('edits an amount shown as 1.234,56', async () => {
    const agent = await italianAgent();
    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Rinnovo flotta',
      amount: '1.234,56',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });
    const id = String(created.headers.location).split('/').pop()!;

    const form = await agent.get(`/potentials/${id}/edit`);
    expect(form.text).toContain('Modifica Opportunità');
    expect(form.text).toContain('value="1.234,56"');

    const updated = await postForm(agent, `/potentials/${id}/edit`, `/potentials/${id}`, {
      potential_name: 'Rinnovo flotta',
      amount: '12.500,5',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });

    expect(updated.status).toBe(303);
    expect(await amountCents()).toEqual(['1250050']);
    const detail = await agent.get(`/potentials/${id}`);
    expect(detail.text).toContain('€ 12.500,50');
  });

  it('warns once about an invalid filter', async () => {
    const agent = await italianAgent();

    const list = await agent.get('/potentials?expected_close_date_from=31/02/2027');

    expect(list.status).toBe(200);
    const warning = /<div class="alert alert-warning" role="alert">([^<]*)<\/div>/.exec(list.text);
    expect(warning?.[1]).toBe(
      'Questi filtri sono stati ignorati perché il valore non è valido. Correggerli e filtrare di nuovo: Data di chiusura prevista (da)',
    );
  });
});
