import { jest } from '@jest/globals';
import { Clock } from '../../src/layout/clock.js';
import { ProfilesService } from '../../src/profiles/profiles.service.js';
import { CustomFieldDeletionService } from '../../src/layout/custom-field-deletion.service.js';
import { importCsv, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import {
  addCustomField,
  addPicklistValues,
  ADMIN,
  Agent,
  createRecord,
  createUser,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(databaseKinds())('custom field deletion on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  function addField(form: Record<string, string>): Promise<string> {
    return addCustomField(admin, EDITOR, form);
  }

  /** Adds a picklist field with the values North and South and returns its name. */
  async function addRegionField(): Promise<string> {
    const name = await addField({ label_en: 'Region', label_it: 'Regione', type: 'picklist' });
    await addPicklistValues(admin, EDITOR, name, ['North', 'South']);
    return name;
  }

  /** Creates a potential as the administrator with the given custom values, and returns its id. */
  function createPotential(name: string, values: Record<string, string> = {}): Promise<number> {
    return createRecord(testApp, 'potentials', {
      potential_name: name,
      amount: '100',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      ...values,
    });
  }

  function deleteField(name: string) {
    return postForm(admin, `${EDITOR}/fields/${name}/delete`, `${EDITOR}/fields/${name}/delete`, {});
  }

  function restoreField(name: string) {
    return postForm(admin, EDITOR, `${EDITOR}/deleted-fields/${name}/restore`, {});
  }

  async function columnsOf(table: string): Promise<string[]> {
    const runner = testApp.dataSource.createQueryRunner();
    try {
      return (await runner.getTable(table))?.columns.map((column) => column.name) ?? [];
    } finally {
      await runner.release();
    }
  }

  async function statusOf(name: string): Promise<string> {
    const rows: { status: string }[] = await testApp.dataSource.query(
      `SELECT status FROM custom_fields WHERE module = 'potentials' AND name = '${name}'`,
    );
    return rows[0].status;
  }

  /** Moves the service's clock the given number of days past the real time. */
  function moveClock(days: number) {
    const now = new Date(Date.now() + days * DAY_MS);
    return jest.spyOn(testApp.app.get(Clock), 'now').mockReturnValue(now);
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });
  // Each test starts without custom fields: the ones it added are deleted and purged.
  afterEach(async () => {
    jest.restoreAllMocks();
    const service = testApp.app.get(CustomFieldDeletionService);
    const active: { name: string }[] = await testApp.dataSource.query(
      "SELECT name FROM custom_fields WHERE module = 'potentials' AND status = 'active'",
    );
    for (const { name } of active) await service.delete(ADMIN, 'potentials', name);
    moveClock(1000);
    await service.purgeExpired();
    jest.restoreAllMocks();
  });

  it('confirmation counts values in every scope', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    const other = await createUser(testApp, 'marco', SALESPERSON_ROLE);
    await createPotential('Alpha', { [fleet]: '12' });
    await createPotential('Bravo', { [fleet]: '0', assigned_user_id: String(other) });
    await createPotential('Charlie');

    const page = unescapeHtml((await admin.get(`${EDITOR}/fields/${fleet}/delete`)).text);

    expect(page).toContain('Delete the field Fleet size');
    expect(page).toContain('2 records have a value in this field.');
    expect(page).toContain('Its values are kept out of sight for 30 days');
    expect(page).toMatch(new RegExp(`<form method="post" action="${EDITOR}/fields/${fleet}/delete">`));
  });

  it('editor offers deletion for custom fields', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });

    const editor = (await admin.get(EDITOR)).text;

    expect(editor).toContain(`href="${EDITOR}/fields/${fleet}/delete"`);
    expect(editor).not.toContain(`href="${EDITOR}/fields/amount/delete"`);
  });

  it('rejects deleting a standard field', async () => {
    expect((await admin.get(`${EDITOR}/fields/amount/delete`)).status).toBe(404);

    const response = await postForm(admin, EDITOR, `${EDITOR}/fields/amount/delete`, {});

    expect(response.status).toBe(404);
    expect(await columnsOf('potentials')).toContain('amount_cents');
    expect((await admin.get('/potentials/new')).text).toContain('name="amount"');
  });

  it('hides the field everywhere', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    const region = await addRegionField();
    const id = await createPotential('Alpha', { [fleet]: '4242', [region]: 'North' });
    await createPotential('Bravo', { [region]: 'South' });

    const deleted = await deleteField(region);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe(`${EDITOR}#deleted-fields`);
    await deleteField(fleet);

    const form = (await admin.get('/potentials/new')).text;
    expect(form).not.toContain(`name="${fleet}"`);
    expect(form).not.toContain(`name="${region}"`);
    const detail = (await admin.get(`/potentials/${id}`)).text;
    expect(detail).not.toContain('Fleet size');
    expect(detail).not.toContain('4242');
    const list = (await admin.get('/potentials')).text;
    expect(list).not.toContain('Fleet size');
    expect(list).not.toContain(`name="${region}"`);
    const filtered = (await admin.get(`/potentials?${region}=North`)).text;
    expect(filtered).toContain('Bravo');
    expect((await admin.get(`/potentials?sort=${fleet}&dir=desc`)).status).toBe(200);
    expect((await admin.get(`${EDITOR}/picklists/${region}`)).status).toBe(404);
    const exported = (await admin.get('/export/potentials').buffer(true)).text;
    expect(exported).not.toContain('Fleet size');
    expect(exported).not.toContain('4242');
    const uploaded = await uploadCsv(admin, 'potentials', 'Potential Name,Fleet size\nDelta,5\n');
    const mapping = (await admin.get(uploaded.headers.location)).text;
    expect(mapping).not.toContain(`value="${fleet}"`);
  });

  it('ignores a posted value', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    const id = await createPotential('Alpha', { [fleet]: '4242' });
    await deleteField(fleet);

    const saved = await postForm(admin, `/potentials/${id}/edit`, `/potentials/${id}`, {
      potential_name: 'Alpha',
      amount: '100',
      expected_close_date: '06/30/2027',
      sales_stage: 'Prospecting',
      [fleet]: '7',
    });

    expect(saved.status).toBe(303);
    expect(await testApp.dataSource.query(`SELECT ${fleet} AS fleet FROM potentials_cf`)).toEqual([
      { fleet: 4242 },
    ]);
  });

  it('ignores an import mapping to it', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    const uploaded = await uploadCsv(admin, 'potentials', 'Potential Name,Fleet size\nDelta,5\n');
    const mapping = (await admin.get(uploaded.headers.location)).text;
    expect(mapping).toContain(`value="${fleet}"`);
    await deleteField(fleet);

    const outcome = await importCsv(
      admin,
      'potentials',
      'Potential Name,Amount,Expected Close Date,Sales Stage,Fleet size\nDelta,5,06/30/2027,Prospecting,5\n',
      { mapping: { 'Fleet size': '' } },
    );

    expect(outcome.counts.created).toBe(1);
    expect(
      await testApp.dataSource.query(
        `SELECT ${fleet} AS fleet FROM potentials_cf WHERE ${fleet} IS NOT NULL`,
      ),
    ).toEqual([]);
  });

  it('lists the field and records history', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    await createPotential('Alpha', { [fleet]: '3' });

    const editor = unescapeHtml(
      (await postFormAndFollow(admin, EDITOR, `${EDITOR}/fields/${fleet}/delete`, {})).text,
    );
    const section = editor.slice(editor.indexOf('id="deleted-fields"'));
    const rowStart = section.slice(section.indexOf(`id="deleted-${fleet}"`));
    const row = rowStart.slice(0, rowStart.indexOf('</tr>'));

    expect(editor).toContain('The field was deleted. It can be restored with its values until');
    expect(row).toContain('Fleet size');
    expect(row).toContain('by Administrator');
    expect(row).toMatch(/<td>1<\/td>/);
    expect(row).toContain(`action="${EDITOR}/deleted-fields/${fleet}/restore"`);
    expect(editor).toContain('deleted the custom field Fleet size');
    expect(editor).not.toContain(`id="field-${fleet}"`);
  });

  it('restore brings everything back', async () => {
    const fleet = await addField({ label_en: 'Fleet size', label_it: 'Flotta', type: 'integer' });
    const region = await addRegionField();
    const fee = await addField({ label_en: 'Setup fee', type: 'currency' });
    await postForm(admin, EDITOR, `${EDITOR}/fields/${region}/mandatory`, { mandatory: 'on' });
    await postForm(admin, EDITOR, `${EDITOR}/fields/${region}/block`, { block: 'description' });
    const alpha = await createPotential('Alpha', { [fleet]: '12', [region]: 'North', [fee]: '1500.5' });
    const bravo = await createPotential('Bravo', { [region]: 'South' });
    const before: unknown[] = await testApp.dataSource.query(
      `SELECT id, ${fleet} AS fleet, ${region} AS region, ${fee}_cents AS fee FROM potentials_cf ORDER BY id`,
    );
    await deleteField(region);
    await deleteField(fleet);
    await deleteField(fee);

    for (const name of [region, fleet, fee]) expect((await restoreField(name)).status).toBe(303);

    expect(
      await testApp.dataSource.query(
        `SELECT id, ${fleet} AS fleet, ${region} AS region, ${fee}_cents AS fee FROM potentials_cf ORDER BY id`,
      ),
    ).toEqual(before);
    const detail = unescapeHtml((await admin.get(`/potentials/${alpha}`)).text);
    expect(detail).toContain('Fleet size');
    expect(detail).toContain('€ 1,500.50');
    const [placement]: { block: string; properties: string }[] = await testApp.dataSource.query(
      `SELECT block, properties FROM layout_fields WHERE module = 'potentials' AND field = '${region}'`,
    );
    expect(placement.block).toBe('description');
    expect(JSON.parse(placement.properties)).toEqual({ mandatory: true });
    const edit = (await admin.get(`/potentials/${bravo}/edit`)).text;
    expect(edit).toMatch(new RegExp(`<option value="North"`));
    expect(edit).toMatch(new RegExp(`<option value="South" selected`));
    expect(await statusOf(fleet)).toBe('active');
    expect(unescapeHtml((await admin.get(EDITOR)).text)).toContain('restored the custom field Region');
  });

  it('restore falls back to first block', async () => {
    await postForm(admin, EDITOR, `${EDITOR}/blocks`, { label_en: 'Fleet data' });
    const [{ block }]: { block: string }[] = await testApp.dataSource.query(
      "SELECT name AS block FROM layout_blocks WHERE module = 'potentials' ORDER BY position DESC LIMIT 1",
    );
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer', block });
    await deleteField(fleet);
    expect((await postForm(admin, EDITOR, `${EDITOR}/blocks/${block}/delete`, {})).status).toBe(303);

    expect((await restoreField(fleet)).status).toBe(303);

    const [first]: { name: string }[] = await testApp.dataSource.query(
      "SELECT name FROM layout_blocks WHERE module = 'potentials' ORDER BY position LIMIT 1",
    );
    const [placement]: { block: string; labels: string }[] = await testApp.dataSource.query(
      `SELECT block, labels FROM layout_fields WHERE module = 'potentials' AND field = '${fleet}'`,
    );
    expect(placement.block).toBe(first.name);
    expect(JSON.parse(placement.labels)).toEqual({ en: 'Fleet size' });
    expect(await testApp.dataSource.query(`SELECT name FROM layout_blocks WHERE name = '${block}'`)).toEqual(
      [],
    );
  });

  it('saving a profile keeps its permission', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    await testApp.dataSource.query(
      `INSERT INTO profile_field_permissions (profile_id, module, field, access) VALUES (1, 'potentials', '${fleet}', 'readOnly')`,
    );
    await deleteField(fleet);
    const profiles = testApp.app.get(ProfilesService);

    expect((await profiles.saveGrid(1, await profiles.grid(1))).ok).toBe(true);

    expect(
      await testApp.dataSource.query(`SELECT access FROM profile_field_permissions WHERE field = '${fleet}'`),
    ).toEqual([{ access: 'readOnly' }]);
  });

  it('purge keeps recent deletions', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    await deleteField(fleet);
    moveClock(29);

    expect(await testApp.app.get(CustomFieldDeletionService).purgeExpired()).toBe(0);

    expect(await columnsOf('potentials_cf')).toContain(fleet);
    expect(await statusOf(fleet)).toBe('deleted');
  });

  it('purge drops column and references', async () => {
    const region = await addRegionField();
    await createPotential('Alpha', { [region]: 'North' });
    await testApp.dataSource.query(
      `INSERT INTO profile_field_permissions (profile_id, module, field, access) VALUES (1, 'potentials', '${region}', 'hidden')`,
    );
    await deleteField(region);
    moveClock(31);

    expect(await testApp.app.get(CustomFieldDeletionService).purgeExpired()).toBe(1);

    expect(await columnsOf('potentials_cf')).not.toContain(region);
    // SQLite drops a column by copying the table, which must keep the cascade to the records.
    await testApp.dataSource.query('DELETE FROM potentials');
    expect(await testApp.dataSource.query('SELECT id FROM potentials_cf')).toEqual([]);
    expect(await statusOf(region)).toBe('purged');
    for (const table of ['layout_fields', 'picklist_values', 'picklists', 'profile_field_permissions'])
      expect(await testApp.dataSource.query(`SELECT field FROM ${table} WHERE field = '${region}'`)).toEqual(
        [],
      );

    const restored = await restoreField(region);
    expect(restored.status).toBe(422);
    expect(unescapeHtml(restored.text)).toContain(
      'This field was deleted more than 30 days ago, so its values were deleted for good and it cannot be restored.',
    );
    expect(unescapeHtml(restored.text)).not.toContain(`id="deleted-${region}"`);

    const next = await addField({ label_en: 'Region 2', type: 'text' });
    expect(Number(next.slice(3))).toBeGreaterThan(Number(region.slice(3)));
  });

  it('purge drops an indexed column', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer', indexed: 'on' });
    await createPotential('Alpha', { [fleet]: '12' });
    await deleteField(fleet);
    moveClock(31);

    expect(await testApp.app.get(CustomFieldDeletionService).purgeExpired()).toBe(1);

    expect(await columnsOf('potentials_cf')).not.toContain(fleet);
    expect(await statusOf(fleet)).toBe('purged');
  });

  it('rejects restore after 30 days', async () => {
    const fleet = await addField({ label_en: 'Fleet size', type: 'integer' });
    await deleteField(fleet);
    moveClock(31);

    const restored = await restoreField(fleet);

    expect(restored.status).toBe(422);
    expect(await statusOf(fleet)).toBe('deleted');
  });

  it('purge runs once a day across instances', async () => {
    const first = await addField({ label_en: 'First', type: 'integer' });
    const second = await addField({ label_en: 'Second', type: 'integer' });
    await deleteField(first);
    moveClock(100);
    expect(await testApp.app.get(CustomFieldDeletionService).purgeIfDue()).toBe(1);
    await deleteField(second);
    await testApp.dataSource.query(
      `UPDATE custom_fields SET deleted_at = '2000-01-01 00:00:00' WHERE name = '${second}'`,
    );

    // Another instance on the same database, at the same time, finds that today's purge already ran.
    const other = await startAppOn(testApp.database);
    try {
      jest.spyOn(other.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 100 * DAY_MS));
      expect(await other.get(CustomFieldDeletionService).purgeIfDue()).toBe(0);
      expect(await statusOf(second)).toBe('deleted');

      jest.spyOn(other.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 101 * DAY_MS));
      expect(await other.get(CustomFieldDeletionService).purgeIfDue()).toBe(1);
      expect(await statusOf(second)).toBe('purged');
    } finally {
      await other.close();
    }
  });
});
