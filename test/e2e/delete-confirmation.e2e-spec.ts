import { RecordsService } from '../../src/records/records.service.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import { ADMIN, ISO_FORMAT as FORMAT } from '../support/records.js';

describe.each(databaseKinds())('delete confirmation on %s', (kind) => {
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

  it('names the records that keep their link until the purge', async () => {
    const records = testApp.app.get(RecordsService);
    const account = await records.save(
      'accounts',
      ADMIN,
      null,
      { account_name: 'Rossi Costruzioni' },
      FORMAT,
    );
    if (!account.ok) throw new Error('account not saved');
    for (const name of ['First deal', 'Second deal']) {
      const input = {
        potential_name: name,
        expected_close_date: '2027-04-30',
        sales_stage: 'Prospecting',
        account_id: String(account.id),
      };
      if (!(await records.save('potentials', ADMIN, null, input, FORMAT)).ok)
        throw new Error('potential not saved');
    }
    const agent = await loginAgent(testApp.app);

    const page = (await agent.get(`/accounts/${account.id}/delete`)).text;
    const deleted = await postForm(
      agent,
      `/accounts/${account.id}/delete`,
      `/accounts/${account.id}/delete`,
      {},
    );

    expect(page).toContain('2 records of Potentials (Account Name)');
    expect(page).toContain('keep the link while it is in the recycle bin');
    expect(deleted.status).toBe(303);
    const linked = await testApp.dataSource.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM potentials WHERE account_id IS NOT NULL',
    );
    expect(Number(linked[0].n)).toBe(2);
  });

  it('explains a rejected form token apart from a refusal', async () => {
    const agent = await loginAgent(testApp.app);

    const response = await agent
      .post('/potentials')
      .type('form')
      .send({ _csrf: 'stale', potential_name: 'x' });

    expect(response.status).toBe(403);
    expect(response.text).toContain('The form had expired or came from elsewhere');
  });
});
