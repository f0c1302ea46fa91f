import { CustomFieldUids1764900110000 } from '../../src/database/migrations/1764900110000-custom-field-uids.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { CustomFieldsService } from '../../src/layout/custom-fields.service.js';
import { LayoutEdits } from '../../src/layout/layout-edits.js';
import { LayoutService } from '../../src/layout/layout.service.js';
import { LayoutFile } from '../../src/layout/layout-file.js';
import { PicklistEditorService } from '../../src/layout/picklist-editor.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { unescapeHtml } from '../support/csv-import.js';
import { ADMIN, Agent } from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

/** Lists the module's blocks and fields as pages show them in English: each block label with its field labels. */
function servedLayout(testApp: TestApp, moduleName = 'potentials'): [string, string[]][] {
  const manifest = testApp.app.get(ModuleRegistry).get(moduleName);
  return manifest.blocks.map((block) => [
    translate('en', block.label),
    manifest.fields
      .filter((field) => field.block === block.name)
      .map((field) => `${translate('en', field.label)}${field.required ? ' *' : ''}`),
  ]);
}

/** Counts the rows of a table, for checking that an import changed nothing. */
async function countRows(testApp: TestApp, table: string): Promise<number> {
  const rows: { count: number | string }[] = await testApp.dataSource.query(
    `SELECT COUNT(*) AS count FROM ${table}`,
  );
  return Number(rows[0].count);
}

/** Uploads a layout file to the import form, with the CSRF token in the form's body as the page's form has it. */
async function uploadLayout(
  agent: Agent,
  content: string,
  fileName = 'potentials-layout.json',
  module = 'potentials',
) {
  const page = await agent.get(`/admin/layout/${module}/import`);
  return agent
    .post(`/admin/layout/${module}/import`)
    .field('_csrf', csrfToken(page.text))
    .attach('file', Buffer.from(content, 'utf8'), fileName);
}

/** Posts the confirm form of a preview page as the browser would, with its hidden fields. */
function confirmPreview(agent: Agent, previewHtml: string, module = 'potentials') {
  const hidden = (name: string) =>
    unescapeHtml(new RegExp(`name="${name}" value="([^"]*)"`).exec(previewHtml)?.[1] ?? '');
  return agent
    .post(`/admin/layout/${module}/import/confirm`)
    .type('form')
    .send({ _csrf: hidden('_csrf'), fileName: hidden('fileName'), layout: hidden('layout') });
}

/** Returns the text of the preview's list with this id, one entry a line, without markup. */
function listItems(html: string, id: string): string[] {
  const list = new RegExp(`<ul id="${id}">([\\s\\S]*?)</ul>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => unescapeHtml(match[1]));
}

describe.each(databaseKinds())('layout transfer on %s', (kind) => {
  let source: TestApp;
  let target: TestApp;
  let sourceAdmin: Agent;
  let targetAdmin: Agent;
  let exported: string;
  let fleetSizeName: string;

  beforeAll(async () => {
    source = await startTestApp(kind);
    target = await startTestApp(kind);
    sourceAdmin = await loginAgent(source.app);
    targetAdmin = await loginAgent(target.app);

    // The target's own first custom field takes cf_1, so the imported fields need other local names.
    await target.app.get(CustomFieldsService).add(ADMIN, 'potentials', {
      label_en: 'Local note',
      type: 'text',
      block: 'description',
    });

    const customFields = source.app.get(CustomFieldsService);
    fleetSizeName = await customFields.add(ADMIN, 'potentials', {
      label_en: 'Fleet size',
      label_it: 'Dimensione flotta',
      type: 'integer',
      block: 'info',
    });
    await customFields.add(ADMIN, 'potentials', {
      label_en: 'Contract code',
      type: 'text',
      max_length: '12',
      block: 'info',
    });
    const region = await customFields.add(ADMIN, 'potentials', {
      label_en: 'Region',
      type: 'picklist',
      block: 'info',
    });

    const layouts = source.app.get(LayoutService);
    const registry = source.app.get(ModuleRegistry);
    const edits = () => new LayoutEdits(registry.base('potentials'));
    await layouts.change(
      ADMIN,
      'potentials',
      edits().addBlock({ label_en: 'Logistics', label_it: 'Logistica' }),
    );
    await layouts.change(ADMIN, 'potentials', edits().moveFieldToBlock(fleetSizeName, 'block_1'));
    await layouts.change(ADMIN, 'potentials', edits().moveFieldToBlock(region, 'block_1'));
    await layouts.change(ADMIN, 'potentials', edits().relabelField('amount', { label_en: 'Deal value' }));
    await layouts.change(ADMIN, 'potentials', edits().moveBlock('description', 'up'));
    await layouts.change(ADMIN, 'potentials', edits().setMandatory('next_step', true));

    const picklists = source.app.get(PicklistEditorService);
    for (const value of ['North', 'South']) await picklists.add('potentials', region, { value }, 'end');
    await picklists.add(
      'potentials',
      'sales_stage',
      { value: 'Budgeting', probability: '35', outcome: 'open' },
      'end',
    );

    const response = await sourceAdmin.get(`${EDITOR}/export`);
    exported = response.text;
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('export downloads the layout as a JSON file', async () => {
    const response = await sourceAdmin.get(`${EDITOR}/export`);
    const file = JSON.parse(response.text) as LayoutFile;
    const fleetSize = file.blocks
      .flatMap((block) => block.fields)
      .find((field) => field.name === fleetSizeName);
    const stages = file.picklists.find((picklist) => picklist.name === 'sales_stage');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="potentials-layout-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(file.format).toBe('affari-layout');
    expect(file.version).toBe(1);
    expect(file.module).toBe('potentials');
    expect(file.blocks.map((block) => block.name)).toEqual(['description', 'info', 'system', 'block_1']);
    expect(fleetSize?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(fleetSize?.labels).toEqual({ en: 'Fleet size', it: 'Dimensione flotta' });
    expect(file.customFields.find((field) => field.uid === fleetSize?.uid)?.type).toBe('integer');
    expect(file.customFields.find((field) => field.type === 'text')?.maxLength).toBe(12);
    expect(stages?.values.find((value) => value.value === 'Budgeting')).toEqual({
      value: 'Budgeting',
      probability: 35,
      outcome: 'open',
    });
  });

  it('editor page links to export and import', async () => {
    const page = (await sourceAdmin.get(EDITOR)).text;

    expect(page).toContain(`href="${EDITOR}/export"`);
    expect(page).toContain(`href="${EDITOR}/import"`);
  });

  it('preview lists the changes and changes nothing yet', async () => {
    const changesBefore = await countRows(target, 'layout_changes');

    const response = await uploadLayout(targetAdmin, exported);
    const changes = listItems(response.text, 'import-changes');

    expect(response.status).toBe(200);
    expect(changes).toContain('Add the block Logistics.');
    expect(changes).toContain('Relabel the field Amount to Deal value.');
    expect(changes).toContain('Make the field Next Step mandatory.');
    expect(changes).toContain(
      'Add the custom field Fleet size (Integer) to the block Logistics, with its column.',
    );
    expect(changes).toContain('Add the value North to the picklist Region.');
    expect(changes).toContain('Add the stage Budgeting (35 %, Open) to the picklist Sales Stage.');
    expect(response.text).toContain('Existing values are never removed or renamed');
    expect(await countRows(target, 'layout_changes')).toBe(changesBefore);
    expect(await countRows(target, 'custom_fields')).toBe(1);
  });

  it('import gives the target the same layout', async () => {
    const preview = await uploadLayout(targetAdmin, exported);
    const response = await confirmPreview(targetAdmin, preview.text);

    const sourceLayout = servedLayout(source);
    const targetLayout = servedLayout(target).map(([block, fields]): [string, string[]] => [
      block,
      fields.filter((field) => field !== 'Local note'),
    ]);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(EDITOR);
    expect(targetLayout).toEqual(sourceLayout);
  });

  it('import adds columns that hold values', async () => {
    const registry = target.app.get(ModuleRegistry);
    const fleetSize = registry
      .get('potentials')
      .fields.find((field) => translate('en', field.label) === 'Fleet size');

    const response = await postForm(targetAdmin, '/potentials/new', '/potentials', {
      potential_name: 'Fleet renewal',
      amount: '1000',
      expected_close_date: '06/30/2027',
      sales_stage: 'Budgeting',
      next_step: 'Call',
      [fleetSize!.name]: '42',
    });
    const rows: Record<string, unknown>[] = await target.dataSource.query(
      `SELECT ${fleetSize!.name} AS fleet FROM potentials_cf`,
    );

    expect(fleetSize?.name).not.toBe('cf_1');
    expect(response.status).toBe(303);
    expect(rows.map((row) => Number(row.fleet))).toEqual([42]);
  });

  it('import adds missing picklist values with their settings', async () => {
    const rows: { value: string; probability: number | null; outcome: string | null }[] =
      await target.dataSource.query(
        "SELECT value, probability, outcome FROM picklist_values WHERE module = 'potentials' AND field = 'sales_stage' AND value = 'Budgeting'",
      );
    const region = target.app
      .get(ModuleRegistry)
      .get('potentials')
      .fields.find((field) => translate('en', field.label) === 'Region');
    const values = await target.app.get(PicklistEditorService).values('potentials', region!.name);

    expect(rows.map((row) => ({ ...row, probability: Number(row.probability) }))).toEqual([
      { value: 'Budgeting', probability: 35, outcome: 'open' },
    ]);
    expect(values.map((value) => value.value)).toEqual(['North', 'South']);
  });

  it('import is recorded in the layout history', async () => {
    const page = unescapeHtml((await targetAdmin.get(EDITOR)).text);

    expect(page).toContain('Administrator: imported the layout file potentials-layout.json');
  });

  it('second import changes nothing', async () => {
    const counts = async () => ({
      changes: await countRows(target, 'layout_changes'),
      fields: await countRows(target, 'custom_fields'),
      values: await countRows(target, 'picklist_values'),
    });
    const before = await counts();
    const layoutBefore = servedLayout(target);

    const preview = await uploadLayout(targetAdmin, exported);
    const response = await confirmPreview(targetAdmin, preview.text);

    expect(preview.text).toContain('The layout already matches this file');
    expect(preview.text).not.toContain('Import the layout</button>');
    expect(response.status).toBe(303);
    expect(await counts()).toEqual(before);
    expect(servedLayout(target)).toEqual(layoutBefore);
  });

  it('preview names what it leaves out', async () => {
    const file = JSON.parse(exported) as LayoutFile;
    file.version = 2;
    file.blocks[1].fields.push({ name: 'warp_drive' });
    const uid = '00000000-0000-4000-8000-000000000001';
    file.blocks[1].fields.push({ name: 'cf_9', uid, labels: { en: 'Orbit' } });
    file.customFields.push({ uid, name: 'cf_9', type: 'hologram' });

    const response = await uploadLayout(targetAdmin, JSON.stringify(file));
    const ignored = listItems(response.text, 'import-ignored');

    expect(response.status).toBe(200);
    expect(ignored).toContain(
      'The file has format version 2, and this installation reads version 1: whatever it does not know is left out.',
    );
    expect(ignored).toContain('The field warp_drive: this installation does not have it.');
    expect(ignored).toContain(
      'The custom field Orbit: its type hologram is unknown here, so the field is not added.',
    );
  });

  it.each([
    ['not JSON', '{"format": "affari-layout",', 'The file is not valid JSON'],
    ['not a layout file', '{"columns": []}', 'The file is JSON but not an Affari layout file'],
    [
      'an invalid entry',
      JSON.stringify({
        format: 'affari-layout',
        version: 1,
        module: 'potentials',
        blocks: [{ name: 'Bad Name' }],
      }),
      'The layout file has an invalid entry at blocks[0].name',
    ],
  ])('upload rejects %s', async (_case, content, message) => {
    const changesBefore = await countRows(target, 'layout_changes');

    const response = await uploadLayout(targetAdmin, content);

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(message);
    expect(await countRows(target, 'layout_changes')).toBe(changesBefore);
  });

  it('upload rejects a file of another module', async () => {
    const accounts = (await sourceAdmin.get('/admin/layout/accounts/export')).text;

    const response = await uploadLayout(targetAdmin, accounts);

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain(
      'The file holds the layout of Accounts, not of this module.',
    );
  });

  it('upload without a file asks for one', async () => {
    const page = await targetAdmin.get(`${EDITOR}/import`);
    const response = await targetAdmin
      .post(`${EDITOR}/import`)
      .field('_csrf', csrfToken(page.text))
      .field('note', 'no file');

    expect(response.status).toBe(422);
    expect(response.text).toContain('No file was received.');
  });

  it('confirm rejects a changed file', async () => {
    const page = await targetAdmin.get(`${EDITOR}/import`);
    const response = await targetAdmin
      .post(`${EDITOR}/import/confirm`)
      .type('form')
      .send({ _csrf: csrfToken(page.text), fileName: 'x.json', layout: 'not json' });

    expect(response.status).toBe(422);
    expect(response.text).toContain('The file is not valid JSON');
  });

  it('migration gives existing custom fields a uid', async () => {
    const migration = new CustomFieldUids1764900110000();
    const runner = source.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }

    const rows: { uid: string | null }[] = await source.dataSource.query('SELECT uid FROM custom_fields');
    expect(rows).toHaveLength(3);
    for (const row of rows)
      expect(row.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(rows.map((row) => row.uid)).size).toBe(3);
  });

  it('upload without the CSRF token is rejected', async () => {
    const response = await targetAdmin
      .post(`${EDITOR}/import`)
      .attach('file', Buffer.from(exported, 'utf8'), 'potentials-layout.json');

    expect(response.status).toBe(403);
  });

  describe('properties and later field types', () => {
    let from: TestApp;
    let to: TestApp;

    beforeAll(async () => {
      from = await startTestApp(kind);
      to = await startTestApp(kind);
      const customFields = from.app.get(CustomFieldsService);
      await customFields.add(ADMIN, 'potentials', {
        label_en: 'Discount rate',
        type: 'decimal',
        decimal_places: '3',
        list_column: 'on',
        block: 'info',
      });
      const regions = await customFields.add(ADMIN, 'potentials', {
        label_en: 'Regions',
        type: 'multipicklist',
        block: 'info',
      });
      for (const value of ['North', 'South'])
        await from.app.get(PicklistEditorService).add('potentials', regions, { value }, 'end');
      const layouts = from.app.get(LayoutService);
      const edits = () => new LayoutEdits(from.app.get(ModuleRegistry).base('potentials'));
      await layouts.change(
        ADMIN,
        'potentials',
        edits().setHelpText('next_step', { help_en: 'Who acts next' }),
      );
      await layouts.change(ADMIN, 'potentials', edits().setQuickCreate('next_step', true));
      await layouts.change(ADMIN, 'potentials', edits().setDefaultValue('lead_source', 'Web Site', {}));

      const toAdmin = await loginAgent(to.app);
      const file = (await (await loginAgent(from.app)).get(`${EDITOR}/export`)).text;
      const preview = await uploadLayout(toAdmin, file);
      expect((await confirmPreview(toAdmin, preview.text)).status).toBe(303);
    });
    afterAll(async () => {
      await from?.close();
      await to?.close();
    });

    /** Returns the field of the target's potentials whose English label is given. */
    const targetField = (label: string) =>
      to.app
        .get(ModuleRegistry)
        .get('potentials')
        .fields.find((field) => translate('en', field.label) === label);

    it('adds a decimal field with its places', () => {
      const rate = targetField('Discount rate');

      expect(rate?.type).toBe('decimal');
      expect(rate?.decimalPlaces).toBe(3);
      expect(rate?.listColumn).toBe(true);
    });

    it('adds a multi-select field with its values', async () => {
      const regions = targetField('Regions');
      const rows: { value: string }[] = await to.dataSource.query(
        'SELECT value FROM picklist_values WHERE module = ? AND field = ? ORDER BY sort_order',
        ['potentials', regions?.name],
      );

      expect(regions?.type).toBe('multipicklist');
      expect(rows.map((row) => row.value)).toEqual(['North', 'South']);
    });

    it('carries help text, quick create and default value', () => {
      const nextStep = targetField('Next Step');

      expect(translate('en', nextStep?.helpText ?? '')).toBe('Who acts next');
      expect(nextStep?.quickCreate).toBe(true);
      expect(targetField('Lead Source')?.defaultValue).toBe('Web Site');
    });
  });
});
