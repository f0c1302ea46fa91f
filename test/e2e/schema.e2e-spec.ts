import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { businessModules } from '../../modules/index.js';
import { databaseKinds, startTestApp, TestApp } from '../support/test-app.js';

describe.each(databaseKinds())('database schema on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('matches the entities after migrations', async () => {
    const pending = await testApp.dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('runs migrations again without error', async () => {
    const secondDataSource = new DataSource(dataSourceOptions(testApp.database.config, businessModules));
    await secondDataSource.initialize();
    try {
      const applied = await secondDataSource.runMigrations();

      expect(applied).toEqual([]);
      expect(await secondDataSource.showMigrations()).toBe(false);
    } finally {
      await secondDataSource.destroy();
    }
  });
});
