import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

describe.each(databaseKinds())('potentials pages on %s', (kind) => {
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

  it('creates a potential with number, stage probability and weighted amount', async () => {
    const agent = await loginAgent(testApp.app);

    const created = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Fleet renewal',
      amount: '1,234.56',
      expected_close_date: '2027-06-30',
      sales_stage: 'Negotiation/Review',
    });

    expect(created.status).toBe(303);
    const detail = await agent.get(created.headers.location);
    const reloaded = await agent.get(created.headers.location);
    expect(detail.text).toContain('<div class="alert alert-success" role="status">Saved.</div>');
    expect(reloaded.text).not.toContain('Saved.');
    expect(detail.text).toContain('POT1');
    expect(detail.text).toContain('€ 1,234.56');
    expect(detail.text).toContain('80 %');
    expect(detail.text).toContain('€ 987.65');
    expect(detail.text).toContain('06/30/2027');
  });

  it('keeps typed values and marks the field when a date is impossible', async () => {
    const agent = await loginAgent(testApp.app);

    const response = await postForm(agent, '/potentials/new', '/potentials', {
      potential_name: 'Kept <b>name</b>',
      amount: '10',
      expected_close_date: '2027-02-30',
      sales_stage: 'Prospecting',
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('value="Kept &lt;b&gt;name&lt;/b&gt;"');
    expect(response.text).toContain('id="error-expected_close_date"');
    const count = await testApp.dataSource.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM potentials',
    );
    expect(Number(count[0].n)).toBe(0);
  });
});
