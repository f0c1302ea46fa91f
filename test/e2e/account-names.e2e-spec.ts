import { RecordsService } from '../../src/records/records.service.js';
import { databaseKinds, resetRecords, startTestApp, TestApp } from '../support/test-app.js';
import { ADMIN, ISO_FORMAT as FORMAT } from '../support/records.js';

describe.each(databaseKinds())('account name uniqueness on %s', (kind) => {
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

  it('saves one of two simultaneous accounts with the same name', async () => {
    const records = testApp.app.get(RecordsService);

    const results = await Promise.all([
      records.save('accounts', ADMIN, null, { account_name: 'Rossi Srl' }, FORMAT),
      records.save('accounts', ADMIN, null, { account_name: ' rossi  SRL ' }, FORMAT),
    ]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const rejected = results.find((result) => !result.ok);
    expect(rejected).toBeDefined();
    expect(rejected?.ok === false ? rejected.errors.account_name.code : undefined).toBe('notUnique');
    const rows = await testApp.dataSource.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM accounts',
    );
    expect(Number(rows[0].n)).toBe(1);
  });
});
