import { unescapeHtml } from '../support/csv-import.js';
import {
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetLayouts,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';
const CHOOSER = '/potentials/columns';
const ACTIONS = ['view', 'create', 'edit', 'delete', 'import', 'export'];

/** The default columns of potentials as shipped, in order. */
const SHIPPED_COLUMNS = [
  'Potential Name',
  'Amount',
  'Weighted amount',
  'Account Name',
  'Expected Close Date',
  'Sales Stage',
  'Probability %',
  'Assigned To',
];

const DEAL = { expected_close_date: '2027-06-30', sales_stage: 'Prospecting', assigned_user_id: '1' };

/** Returns the labels of a list page's column headings, without the selection column. */
function columnLabels(html: string): string[] {
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  return [...head.matchAll(/<th scope="col"[^>]*>([\s\S]*?)<\/th>/g)]
    .slice(1)
    .map((match) => unescapeHtml(match[1].replace(/<[^>]+>/g, '').replace(/[▲▼]/g, '')).trim());
}

/** Returns the field names a chooser page offers, shown or not, in the order of its rows. */
function offeredFields(html: string): string[] {
  return [...html.matchAll(/name="order" value="([^"]+)"/g)].map((match) => match[1]);
}

describe.each(databaseKinds())('list columns on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let anna: Agent;
  let bruno: Agent;

  /** Sends the chooser form as the user, with the given columns ticked in the given order. */
  async function chooseColumns(agent: Agent, columns: string[], extra: Record<string, string> = {}) {
    const page = await agent.get(CHOOSER);
    const order = [...columns, ...offeredFields(page.text).filter((name) => !columns.includes(name))];
    return agent
      .post(CHOOSER)
      .type('form')
      .send({ _csrf: csrfToken(page.text), order, columns, list_query: '', ...extra });
  }

  const listColumns = async (agent: Agent, query = '') =>
    columnLabels((await agent.get(`/potentials${query}`)).text);

  const setListColumn = (field: string, listColumn: 'on' | 'off') =>
    postForm(admin, EDITOR, `${EDITOR}/fields/${field}/list-column`, { list_column: listColumn });

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await resetLayouts(testApp, ['list_column_choices']);

    await createUser(testApp, 'anna', SALESPERSON_ROLE);
    await createUser(testApp, 'bruno', SALESPERSON_ROLE);
    anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    bruno = await loginAgent(testApp.app, 'bruno', PASSWORD);
  });

  describe('default columns', () => {
    it('follow the layout property', async () => {
      expect(await listColumns(anna)).toEqual(SHIPPED_COLUMNS);

      expect((await setListColumn('weighted_amount', 'off')).status).toBe(303);
      expect((await setListColumn('next_step', 'on')).status).toBe(303);

      const columns = await listColumns(anna);
      expect(columns).not.toContain('Weighted amount');
      expect(columns).toContain('Next Step');
    });

    it('are recorded in the layout history', async () => {
      await setListColumn('next_step', 'on');
      await setListColumn('amount', 'off');

      const editor = unescapeHtml((await admin.get(EDITOR)).text);
      expect(editor).toContain('made the field Next Step a default list column');
      expect(editor).toContain('removed the field Amount from the default list columns');
    });

    it('keep the name field', async () => {
      const response = await setListColumn('potential_name', 'off');

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        'The list links each row to its record through this field, so it is always a column.',
      );
      expect(await listColumns(anna)).toContain('Potential Name');
    });

    it('leave out an unticked custom field', async () => {
      const added = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Fleet size',
        type: 'integer',
        block: 'info',
        max_length: '',
      });
      const field = /#field-(cf_\d+)$/.exec(added.headers.location)![1];

      expect(await listColumns(anna)).toEqual(SHIPPED_COLUMNS);
      const chooser = await anna.get(CHOOSER);
      expect(offeredFields(chooser.text)).toContain(field);
      expect(chooser.text).toContain(`id="column-${field}-show" name="columns" value="${field}">`);

      await setListColumn(field, 'on');
      expect(await listColumns(anna)).toEqual([...SHIPPED_COLUMNS, 'Fleet size']);
    });

    it('include a custom field ticked when added', async () => {
      await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Region code',
        type: 'text',
        block: 'info',
        max_length: '',
        list_column: 'on',
      });

      expect(await listColumns(anna)).toEqual([...SHIPPED_COLUMNS, 'Region code']);
    });
  });

  describe('chooser', () => {
    it('keeps a user choice and order', async () => {
      const saved = await chooseColumns(anna, ['sales_stage', 'potential_name', 'created_at']);

      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe('/potentials');
      expect(await listColumns(anna)).toEqual(['Sales Stage', 'Potential Name', 'Created']);
      expect(await listColumns(bruno)).toEqual(SHIPPED_COLUMNS);
      expect(await listColumns(admin)).toEqual(SHIPPED_COLUMNS);
    });

    it('links each row from the name field', async () => {
      const id = await createRecord(testApp, 'potentials', { ...DEAL, potential_name: 'Fleet renewal' });
      await chooseColumns(anna, ['sales_stage', 'potential_name']);

      const html = (await anna.get('/potentials')).text;
      expect(html).toMatch(
        new RegExp(`<td>Prospecting\\s*</td><td><a href="/potentials/${id}">Fleet renewal</a>`),
      );
    });

    it('moves a column', async () => {
      await chooseColumns(anna, ['potential_name', 'amount', 'sales_stage']);

      const moved = await chooseColumns(anna, ['potential_name', 'amount', 'sales_stage'], {
        move: 'down:potential_name',
        list_query: 'q=fleet',
      });

      expect(moved.status).toBe(303);
      expect(moved.headers.location).toBe(`${CHOOSER}?q=fleet#column-potential_name`);
      expect(await listColumns(anna)).toEqual(['Amount', 'Potential Name', 'Sales Stage']);
    });

    it('returns to the list with its filters', async () => {
      const query = '?sales_stage=Prospecting&sort=amount&dir=desc';
      const list = unescapeHtml((await anna.get(`/potentials${query}`)).text);
      expect(list).toContain(`href="${CHOOSER}${query}"`);

      const chooser = await anna.get(`${CHOOSER}${query}`);
      expect(unescapeHtml(chooser.text)).toContain(`name="list_query" value="${query.slice(1)}"`);
      const saved = await chooseColumns(anna, ['potential_name'], { list_query: query.slice(1) });

      expect(saved.headers.location).toBe(`/potentials${query}`);
    });

    it('stays on the list for a foreign return', async () => {
      const saved = await chooseColumns(anna, ['potential_name'], { list_query: '//example.com/x' });

      expect(saved.headers.location).toBe('/potentials?%2F%2Fexample.com%2Fx=');
    });

    it('resets to the default columns', async () => {
      await chooseColumns(anna, ['potential_name', 'next_step']);
      const page = await anna.get(CHOOSER);
      const reset = await anna
        .post(CHOOSER)
        .type('form')
        .send({ _csrf: csrfToken(page.text), action: 'reset', list_query: '' });
      const rows = await testApp.dataSource.query<unknown[]>('SELECT * FROM list_column_choices');

      const list = await anna.get(reset.headers.location);

      expect(reset.status).toBe(303);
      expect(rows).toEqual([]);
      expect(list.text).toContain('The list shows the default columns again.');
      expect(columnLabels(list.text)).toEqual(SHIPPED_COLUMNS);
    });

    it('keeps a choice over new defaults', async () => {
      await chooseColumns(anna, ['potential_name', 'amount']);
      await setListColumn('next_step', 'on');

      expect(await listColumns(anna)).toEqual(['Potential Name', 'Amount']);
      expect(await listColumns(bruno)).toContain('Next Step');
    });

    it('ignores unknown field names', async () => {
      await testApp.dataSource.query(
        `INSERT INTO list_column_choices (user_id, module, fields, updated_at) VALUES (1, 'potentials', ?, '2026-12-01 10:00:00')`,
        [JSON.stringify(['cf_99', 'amount', 'no_such_field'])],
      );

      expect(await listColumns(admin)).toEqual(['Potential Name', 'Amount']);
    });

    it('sorts and totals on a chosen column', async () => {
      for (const [name, probability] of [
        ['Alpha', '30'],
        ['Bravo', '60'],
        ['Charlie', '10'],
      ])
        await createRecord(testApp, 'potentials', {
          ...DEAL,
          potential_name: name,
          amount: '100',
          probability,
        });
      await chooseColumns(anna, ['potential_name', 'probability']);

      const html = unescapeHtml((await anna.get('/potentials?sort=probability&dir=desc')).text);
      const names = [...html.matchAll(/<a href="\/potentials\/\d+">([^<]+)<\/a>/g)].map((match) => match[1]);

      expect(columnLabels(html)).toEqual(['Potential Name', 'Probability %']);
      expect(html).toMatch(/aria-sort="descending"[^>]*><a href="[^"]*sort=probability&dir=asc/);
      expect(names).toEqual(['Bravo', 'Alpha', 'Charlie']);
      expect(html).toMatch(/<strong>Amount:<\/strong> <span data-total="0">€ 300\.00/);
    });

    it('escapes a field label', async () => {
      await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: '<img src=x onerror=alert(1)>',
        type: 'text',
        block: 'info',
        max_length: '',
      });

      const chooser = (await anna.get(CHOOSER)).text;
      expect(chooser).not.toContain('<img src=x');
      expect(chooser).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    });

    it('opens on every module', async () => {
      for (const [module, nameLabel] of [
        ['accounts', 'Account Name'],
        ['campaigns', 'Campaign Name'],
      ]) {
        const page = await anna.get(`/${module}/columns`);

        expect(page.status).toBe(200);
        expect(unescapeHtml(page.text)).toContain(nameLabel);
      }
    });
  });

  describe('profile', () => {
    it('hides a hidden field', async () => {
      const juniorRole = await createRole(testApp, admin, 'Junior', SALESPERSON_ROLE);
      await createUser(testApp, 'carla', juniorRole);
      const carla = await loginAgent(testApp.app, 'carla', PASSWORD);
      await chooseColumns(carla, ['potential_name', 'amount', 'sales_stage']);

      const profileId = await createProfileFor(admin, juniorRole, 'No amounts', { potentials: ACTIONS });
      const grid: Record<string, string> = { 'field:potentials:amount': 'hidden' };
      for (const action of ACTIONS) grid[`action:potentials:${action}`] = '1';
      const hidden = await postForm(
        admin,
        `/admin/profiles/${profileId}`,
        `/admin/profiles/${profileId}/permissions`,
        grid,
      );
      expect(hidden.status).toBe(303);

      expect(await listColumns(carla)).toEqual(['Potential Name', 'Sales Stage']);
      const chooser = await carla.get(CHOOSER);
      expect(offeredFields(chooser.text)).not.toContain('amount');
      expect(offeredFields(chooser.text)).not.toContain('weighted_amount');

      await chooseColumns(carla, ['potential_name', 'amount']);
      const rows = await testApp.dataSource.query<{ fields: string }[]>(
        `SELECT c.fields FROM list_column_choices c JOIN users u ON u.id = c.user_id WHERE u.username = 'carla'`,
      );
      expect(JSON.parse(rows[0].fields)).toEqual(['potential_name']);
    });
  });
});
