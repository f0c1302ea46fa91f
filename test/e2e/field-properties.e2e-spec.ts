import { unescapeHtml } from '../support/csv-import.js';
import { Agent, createRecord } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetLayouts,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

const DEAL = {
  expected_close_date: '2027-05-31',
  sales_stage: 'Prospecting',
  assigned_user_id: '1',
};

describe.each(databaseKinds())('field properties on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const setMandatory = (field: string, mandatory: 'on' | 'off', module = 'potentials') =>
    postForm(admin, `/admin/layout/${module}`, `/admin/layout/${module}/fields/${field}/mandatory`, {
      mandatory,
    });

  /** Follows the editor's redirect and returns the flash message of the page it leads to. */
  async function flashAfter(response: { status: number; headers: Record<string, string> }): Promise<string> {
    expect(response.status).toBe(303);
    const page = await admin.get(response.headers.location);
    return unescapeHtml(
      /<div class="alert alert-success" role="status">([^<]*)<\/div>/.exec(page.text)?.[1] ?? '',
    );
  }

  const storedProperties = async (field: string) =>
    (
      await testApp.dataSource.query<{ properties: string | null }[]>(
        `SELECT properties FROM layout_fields WHERE module = 'potentials' AND field = ?`,
        [field],
      )
    )[0]?.properties ?? null;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    // Records are created through the service, which does not pass the per-request reload.
    await resetLayouts(testApp, ['profile_field_permissions']);
  });

  describe('mandatory', () => {
    it('reports the records left empty', async () => {
      await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Alpha' });
      await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Beta' });
      await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Gamma', next_step: 'Call' });

      const flash = await flashAfter(await setMandatory('next_step', 'on'));

      expect(flash).toBe(
        'The field is now mandatory. 2 records have it empty: they keep working, and each asks for the field at its next edit.',
      );
      expect(JSON.parse((await storedProperties('next_step'))!)).toEqual({ mandatory: true });
    });

    it('reports no empty record', async () => {
      expect(await flashAfter(await setMandatory('next_step', 'on'))).toBe(
        'The field is now mandatory. No record has it empty.',
      );
    });

    it('asks for the field at the next edit', async () => {
      const id = await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Alpha' });
      await setMandatory('next_step', 'on');

      expect((await admin.get(`/potentials/${id}`)).status).toBe(200);
      const form = (await admin.get(`/potentials/${id}/edit`)).text;
      expect(form).toMatch(/name="next_step"[^>]*aria-required="true"/);

      const rejected = await postForm(admin, `/potentials/${id}/edit`, `/potentials/${id}`, {
        ...DEAL,
        potential_name: 'Alpha 2',
        next_step: '',
      });
      expect(rejected.status).toBe(422);
      expect(unescapeHtml(rejected.text)).toContain('This field is required. Enter a value.');
      const names = await testApp.dataSource.query<{ potential_name: string }[]>(
        'SELECT potential_name FROM potentials WHERE id = ?',
        [id],
      );
      expect(names[0].potential_name).toBe('Alpha');

      const saved = await postForm(admin, `/potentials/${id}/edit`, `/potentials/${id}`, {
        ...DEAL,
        potential_name: 'Alpha 2',
        next_step: 'Send the offer',
      });
      expect(saved.status).toBe(303);
    });

    it('moves and mass-edits a record left empty', async () => {
      const id = await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Alpha' });
      await setMandatory('next_step', 'on');

      const move = await postForm(admin, '/pipeline', '/pipeline/move', {
        id: String(id),
        sales_stage: 'Qualification',
      });
      const mass = await postFormAndFollow(admin, '/potentials', '/mass/potentials/edit', {
        field: 'expected_close_date',
        expected_close_date: '06/30/2027',
        ids: String(id),
      });

      expect(move.status).toBe(303);
      expect(mass.text).toContain('1 record changed.');
      const rows = await testApp.dataSource.query<{ sales_stage: string; next_step: string | null }[]>(
        'SELECT sales_stage, next_step FROM potentials WHERE id = ?',
        [id],
      );
      expect(rows[0]).toEqual({ sales_stage: 'Qualification', next_step: null });
    });

    it('asks for the field on a new record', async () => {
      await setMandatory('next_step', 'on');

      const response = await postForm(admin, '/potentials/new', '/potentials', {
        ...DEAL,
        potential_name: 'Alpha',
      });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('This field is required. Enter a value.');
    });

    it('makes a shipped mandatory field optional', async () => {
      await flashAfter(await setMandatory('expected_close_date', 'off'));

      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Alpha',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });
      expect(id).toBeGreaterThan(0);
    });

    it('records each change in the history', async () => {
      await setMandatory('next_step', 'on');
      await setMandatory('next_step', 'off');

      const page = unescapeHtml((await admin.get(EDITOR)).text);
      expect(page).toContain('made the field Next Step mandatory');
      expect(page).toContain('made the field Next Step optional');
      expect(JSON.parse((await storedProperties('next_step'))!)).toEqual({ mandatory: false });
    });

    it.each(['potential_name', 'sales_stage', 'assigned_user_id'])('keeps %s mandatory', async (field) => {
      const response = await setMandatory(field, 'off');

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'The module cannot work without this field, so it stays mandatory.',
      );
      expect(await storedProperties(field)).toBeNull();
    });

    it('offers no toggle for a locked field', async () => {
      const page = (await admin.get(EDITOR)).text;

      expect(page).not.toContain('/fields/potential_name/mandatory');
      expect(page).toContain('/fields/next_step/mandatory');
    });

    it('rejects a field that forms never write', async () => {
      const response = await setMandatory('effective_close_date', 'on');

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('Forms never set this field');
    });

    it('rejects a field a profile restricts', async () => {
      await testApp.dataSource.query(
        `INSERT INTO profile_field_permissions (profile_id, module, field, access) VALUES (2, 'potentials', 'next_step', 'hidden')`,
      );

      const response = await setMandatory('next_step', 'on');

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('1 profile hides this field or makes it read-only');
      expect(await storedProperties('next_step')).toBeNull();
    });

    it('rejects a value other than on or off', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/fields/next_step/mandatory`, {
        mandatory: 'yes',
      });

      expect(response.status).toBe(400);
    });

    it('counts records without a custom-field row as empty', async () => {
      await createRecord(testApp, 'accounts', { account_name: 'Acme', assigned_user_id: '1' });
      const added = await postForm(admin, '/admin/layout/accounts', '/admin/layout/accounts/custom-fields', {
        label_en: 'Rating',
        type: 'integer',
        block: 'info',
      });
      const field = /#field-(cf_\d+)$/.exec(added.headers.location)![1];

      const flash = await flashAfter(await setMandatory(field, 'on', 'accounts'));

      expect(flash).toContain('1 record has it empty');
    });
  });
});
