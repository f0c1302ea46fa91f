import { NestExpressApplication } from '@nestjs/platform-express';
import { UsersService } from '../../src/users/users.service.js';
import { mappingColumns, mappingFormValues, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import { Agent, createRecord, createUser, PASSWORD, SALESPERSON_ROLE } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetLayouts,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

/** Returns the page's text between two markers, so a test can tell which block contains a label. */
function sectionOf(html: string, start: string, end: string): string {
  const from = html.indexOf(start);
  if (from === -1) throw new Error(`No ${start} on the page`);
  const to = html.indexOf(end, from + start.length);
  return html.slice(from, to === -1 ? undefined : to);
}

/** Returns the block headings of a record form (legends) or detail page (card headers), in order. */
function blockHeadings(html: string): string[] {
  return [...html.matchAll(/<(legend|h2) class="card-header[^"]*">([^<]+)<\/(legend|h2)>/g)].map((match) =>
    unescapeHtml(match[2].trim()),
  );
}

describe.each(databaseKinds())('layout editor on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const edit = (action: string, fields: Record<string, string> = {}) =>
    postForm(admin, EDITOR, `${EDITOR}${action}`, fields);

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await resetLayouts(testApp);
  });

  describe('editor page', () => {
    it('lists blocks and fields in order', async () => {
      const page = unescapeHtml((await admin.get(EDITOR)).text);
      const info = sectionOf(page, 'id="block-info"', 'id="block-description"');

      const headings = [...page.matchAll(/id="block-[a-z_0-9]+-title">([^<]+)</g)].map((match) => match[1]);
      expect(headings).toEqual(['Potential information', 'Description', 'Record details']);
      expect(info.indexOf('Potential Name')).toBeLessThan(info.indexOf('Amount'));
      expect(info).toContain('Currency');
      expect(sectionOf(page, 'id="field-sales_stage"', '</tr>')).toContain('Yes');
      expect(sectionOf(page, 'id="field-next_step"', '</tr>')).toContain('Forms and detail page');
    });

    it('shows essential fields locked', async () => {
      const page = unescapeHtml((await admin.get(EDITOR)).text);

      expect(sectionOf(page, 'id="field-potential_name"', '</th>')).toContain('Names each record');
      expect(sectionOf(page, 'id="field-sales_stage"', '</th>')).toContain('pipeline board');
      expect(sectionOf(page, 'id="field-assigned_user_id"', '</th>')).toContain('Decides who sees');
      expect(sectionOf(page, 'id="field-amount"', '</th>')).not.toContain('Locked');
    });

    it('links to the picklist editor', async () => {
      const page = (await admin.get(EDITOR)).text;

      expect(page).toContain('href="/admin/layout/potentials/picklists"');
    });

    it('rejects a non-administrator', async () => {
      await createUser(testApp, 'sara', SALESPERSON_ROLE);
      const sara = await loginAgent(testApp.app, 'sara', PASSWORD);

      expect((await sara.get(EDITOR)).status).toBe(403);
    });

    it('rejects a change without CSRF token', async () => {
      const response = await admin.post(`${EDITOR}/blocks`).type('form').send({ label_en: 'Terms' });

      expect(response.status).toBe(403);
      expect(await testApp.dataSource.query('SELECT * FROM layout_blocks')).toEqual([]);
    });

    it('returns 404 for an unknown module', async () => {
      expect((await admin.get('/admin/layout/nothing')).status).toBe(404);
    });
  });

  describe('blocks', () => {
    it('adds a block to forms', async () => {
      expect((await edit('/blocks', { label_en: 'Terms', label_it: 'Condizioni' })).status).toBe(303);
      expect((await edit('/fields/next_step/block', { block: 'block_1' })).status).toBe(303);

      const form = (await admin.get('/potentials/new')).text;
      expect(blockHeadings(form)).toContain('Terms');
      expect(sectionOf(form, '>Terms<', '</fieldset>')).toContain('name="next_step"');
    });

    it('renames a block in each language', async () => {
      await edit('/blocks/info/label', { label_en: 'The deal', label_it: 'La trattativa' });
      const italian = await createUser(testApp, 'giulia', SALESPERSON_ROLE);
      await testApp.app.get(UsersService).save(italian, {
        fullName: 'giulia',
        username: 'giulia',
        roleId: SALESPERSON_ROLE,
        isActive: true,
        locale: 'it',
      });
      const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);

      expect(blockHeadings((await admin.get('/potentials/new')).text)[0]).toBe('The deal');
      expect(blockHeadings((await giulia.get('/potentials/new')).text)[0]).toBe('La trattativa');
    });

    it('rejects a block without label', async () => {
      const response = await edit('/blocks', { label_en: '  ', label_it: '' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('Enter a label in at least one language.');
    });

    it('keeps a too long label typed', async () => {
      const long = 'x'.repeat(101);
      const response = await edit('/blocks/info/label', { label_en: long, label_it: 'Breve' });

      expect(response.status).toBe(422);
      expect(response.text).toContain(`value="${long}"`);
      expect(response.text).toContain('value="Breve"');
      expect(unescapeHtml(response.text)).toContain('A label can have up to 100 characters.');
    });

    it('moves a block down', async () => {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Alpha',
        expected_close_date: '2027-05-31',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });
      expect((await edit('/blocks/info/move', { direction: 'down' })).status).toBe(303);

      expect(blockHeadings((await admin.get(`/potentials/${id}`)).text).slice(0, 2)).toEqual([
        'Description',
        'Potential information',
      ]);
    });

    it('rejects deleting a block with fields', async () => {
      const response = await edit('/blocks/description/delete');

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'The block still has 1 field. Move it to another block first.',
      );
      expect(response.text).toContain('href="#block-description"');
      expect(blockHeadings((await admin.get('/potentials/new')).text)).toContain('Description');
    });

    it('deletes an emptied block', async () => {
      await edit('/fields/description/block', { block: 'info' });
      expect((await edit('/blocks/description/delete')).status).toBe(303);

      const page = unescapeHtml((await admin.get(EDITOR)).text);
      expect(page).not.toContain('id="block-description"');
      expect(sectionOf(page, 'id="block-info"', 'id="block-system"')).toContain('id="field-description"');
    });
  });

  describe('fields', () => {
    it('moves a field up within its block', async () => {
      // The record number, between the two, is not on the form.
      await edit('/fields/amount/move', { direction: 'up' });
      await edit('/fields/amount/move', { direction: 'up' });

      const form = (await admin.get('/potentials/new')).text;
      expect(form.indexOf('name="amount"')).toBeLessThan(form.indexOf('name="potential_name"'));
    });

    it('moves a field to another block', async () => {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Alpha',
        next_step: 'Call the buyer',
        expected_close_date: '2027-05-31',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });
      await edit('/fields/next_step/block', { block: 'description' });

      const detail = unescapeHtml((await admin.get(`/potentials/${id}`)).text);
      expect(sectionOf(detail, '>Description<', '>Record details<')).toContain('Call the buyer');
    });

    it('relabels a field everywhere', async () => {
      await createRecord(testApp, 'potentials', {
        potential_name: 'Alpha',
        amount: '100.00',
        expected_close_date: '2027-05-31',
        sales_stage: 'Prospecting',
        assigned_user_id: '1',
      });
      expect((await edit('/fields/amount/label', { label_en: 'Deal value', label_it: '' })).status).toBe(303);

      expect((await admin.get('/potentials/new')).text).toContain('Deal value');
      expect((await admin.get('/potentials')).text).toContain('Deal value');
      expect((await admin.get('/export/potentials')).text.split('\n')[0]).toContain('Deal value');
    });

    it('maps old and new labels on import', async () => {
      await edit('/fields/amount/label', { label_en: 'Deal value', label_it: '' });

      for (const header of ['Amount', 'Deal value', 'Importo']) {
        const upload = await uploadCsv(admin, 'potentials', `Potential Name,${header}\nAlpha,100\n`);
        const mapping = await admin.get(upload.headers.location);
        const column = mappingColumns(mapping.text).get(header)!;

        expect([header, mappingFormValues(mapping.text)[`map_${column}`]]).toEqual([header, 'amount']);
      }
    });

    it('restores the standard label', async () => {
      await edit('/fields/amount/label', { label_en: 'Deal value' });
      await edit('/fields/amount/label', { label_en: '', label_it: '' });

      const form = (await admin.get('/potentials/new')).text;
      expect(form).not.toContain('Deal value');
      expect(form).toContain('Amount');
    });

    it('keeps the board after moving sales stage', async () => {
      await edit('/fields/sales_stage/block', { block: 'description' });

      expect((await admin.get('/pipeline')).status).toBe(200);
    });
  });

  describe('history', () => {
    it('records who changed what', async () => {
      await edit('/fields/amount/label', { label_en: 'Deal value' });
      await edit('/blocks/info/move', { direction: 'down' });

      const history = unescapeHtml(
        sectionOf((await admin.get(EDITOR)).text, 'layout-history-title', '</section>'),
      );
      expect(history).toContain('Administrator: moved the block Potential information down');
      expect(history).toContain('Administrator: relabelled the field Amount to Deal value');
      const rows = await testApp.dataSource.query<{ changed_by_id: number | string }[]>(
        'SELECT changed_by_id FROM layout_changes',
      );
      expect(rows.map((row) => Number(row.changed_by_id))).toEqual([1, 1]);
    });
  });

  describe('second instance', () => {
    let second: NestExpressApplication;
    let secondAdmin: Agent;

    beforeAll(async () => {
      second = await startAppOn(testApp.database);
      secondAdmin = await loginAgent(second);
    });
    afterAll(async () => {
      await second.close();
    });

    it('builds on the other instance change', async () => {
      await edit('/fields/amount/label', { label_en: 'Deal value' });
      const response = await postForm(secondAdmin, EDITOR, `${EDITOR}/blocks/info/move`, {
        direction: 'down',
      });
      expect(response.status).toBe(303);

      const form = (await admin.get('/potentials/new')).text;
      expect(blockHeadings(form)[0]).toBe('Description');
      expect(form).toContain('Deal value');
    });
  });
});
