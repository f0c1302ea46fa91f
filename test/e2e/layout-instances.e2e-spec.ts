import { NestExpressApplication } from '@nestjs/platform-express';
import { LayoutService } from '../../src/layout/layout.service.js';
import { moveBlock, relabelField } from '../../src/layout/module-layout.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { ADMIN, Agent } from '../support/records.js';
import { databaseKinds, loginAgent, startAppOn, startTestApp, TestApp } from '../support/test-app.js';

describe.each(databaseKinds())('layouts shared by two instances on %s', (kind) => {
  let testApp: TestApp;
  let second: NestExpressApplication;
  let secondAdmin: Agent;

  const layouts = () => testApp.app.get(LayoutService);

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    second = await startAppOn(testApp.database);
    secondAdmin = await loginAgent(second);
  });
  afterAll(async () => {
    await second.close();
    await testApp.close();
  });

  it('relabels on the other instance', async () => {
    expect((await secondAdmin.get('/potentials/new')).text).not.toContain('Deal value');

    await layouts().change(ADMIN, 'potentials', (layout) => ({
      layout: relabelField(layout, 'amount', { en: 'Deal value' }),
      action: 'fieldRelabelled',
      details: {},
    }));

    expect((await secondAdmin.get('/potentials/new')).text).toContain('Deal value');
  });

  it('reorders blocks on the other instance', async () => {
    const secondRegistry = second.get(ModuleRegistry);
    await secondAdmin.get('/potentials');
    expect(secondRegistry.get('potentials').blocks[0].name).toBe('info');

    await layouts().change(ADMIN, 'potentials', (layout) => ({
      layout: moveBlock(layout, 'info', 'down'),
      action: 'blockMovedDown',
      details: {},
    }));
    await secondAdmin.get('/potentials');

    expect(secondRegistry.get('potentials').blocks.map((block) => block.name)).toEqual([
      'description',
      'info',
      'system',
    ]);
  });

  it('serves a change at once locally', async () => {
    await layouts().change(ADMIN, 'accounts', (layout) => ({
      layout: relabelField(layout, 'website', { en: 'Home page' }),
      action: 'fieldRelabelled',
      details: {},
    }));

    const label = testApp.app.get(ModuleRegistry).field('accounts', 'website')!.label;
    expect(label).toContain('Home page');
  });
});
