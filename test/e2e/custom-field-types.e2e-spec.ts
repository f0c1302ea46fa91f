import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { detailValue, exportedRow } from '../support/record-pages.js';
import {
  addCustomField,
  Agent,
  createRecord,
  createUser,
  PASSWORD,
  POTENTIAL_FORM,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

/** The custom fields of the types under test, added once through the editor, with their generated names. */
const FIELDS = {
  rate: { label_en: 'Discount rate', type: 'decimal', decimal_places: '3', list_column: 'on' },
  callTime: { label_en: 'Call time', type: 'time', list_column: 'on' },
  signed: { label_en: 'Contract signed', type: 'checkbox', list_column: 'on' },
  reviewer: { label_en: 'Reviewer', type: 'user', list_column: 'on' },
} as const;

type FieldKey = keyof typeof FIELDS;

describe.each(databaseKinds())('custom field types on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  const names = {} as Record<FieldKey, string>;
  const users = { bruno: 0, carla: 0 };

  /**
   * Posts a form as a browser encodes it, with repeated names for a checkbox and its hidden input, which
   * an object body cannot express.
   */
  async function postBrowserForm(agent: Agent, formPage: string, action: string, fields: [string, string][]) {
    const page = await agent.get(formPage);
    const body = new URLSearchParams([['_csrf', csrfToken(page.text)], ...fields]);
    return agent.post(action).type('form').send(body.toString());
  }

  /** Creates a potential through the form, the checkbox as a browser sends it, and returns the response. */
  function createPotential(values: Partial<Record<FieldKey, string>>, agent = admin) {
    const fields: [string, string][] = Object.entries(POTENTIAL_FORM);
    for (const [key, value] of Object.entries(values) as [FieldKey, string][]) {
      if (key === 'signed') {
        fields.push([names.signed, '0']);
        if (value === 'ticked') fields.push([names.signed, '1']);
      } else fields.push([names[key], value]);
    }
    return postBrowserForm(agent, '/potentials/new', '/potentials', fields);
  }

  /** Returns the stored custom-field columns of the potentials, by potential name, with numbers as text. */
  async function storedValues(): Promise<Record<string, Record<string, string | null>>> {
    const columns = Object.values(names)
      .map((name) => `cf.${name}`)
      .join(', ');
    const rows: Record<string, string | number | null>[] = await testApp.dataSource.query(
      `SELECT p.potential_name, ${columns} FROM potentials p LEFT JOIN potentials_cf cf ON cf.id = p.id`,
    );
    // BIGINT comes back as a string from mysql2 and as a number from better-sqlite3.
    return Object.fromEntries(
      rows.map((row) => [
        String(row.potential_name),
        Object.fromEntries(
          Object.values(names).map((name) => [name, row[name] === null ? null : String(row[name])]),
        ),
      ]),
    );
  }

  /** Returns the potential names of a list page, in order. */
  async function listed(query: string): Promise<string[]> {
    const html = (await admin.get(`/potentials${query}`)).text;
    return [...html.matchAll(/<a href="\/potentials\/\d+">([^<]+)<\/a>/g)].map((match) => match[1]);
  }

  async function deletePotentials(): Promise<void> {
    await testApp.dataSource.query('DELETE FROM potentials_cf');
    await testApp.dataSource.query('DELETE FROM potentials');
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    for (const key of Object.keys(FIELDS) as FieldKey[])
      names[key] = await addCustomField(admin, EDITOR, FIELDS[key]);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    users.bruno = await createUser(testApp, 'bruno', SALESPERSON_ROLE, 'Bruno Bianchi');
    users.carla = await createUser(testApp, 'carla', SALESPERSON_ROLE, 'Carla Conti');
  });

  describe('editor', () => {
    it('offers the new types by name', async () => {
      const html = (await admin.get(EDITOR)).text;

      expect(html).toContain('<option value="decimal">Decimal number</option>');
      expect(html).toContain('<option value="time">Time of day</option>');
      expect(html).toContain('<option value="checkbox">Checkbox</option>');
      expect(html).toContain('<option value="user">User</option>');
    });

    it('stores the decimal places and a column for each field', async () => {
      const runner = testApp.dataSource.createQueryRunner();
      const table = await runner.getTable('potentials_cf');
      await runner.release();
      const definitions: { name: string; decimal_places: number | null }[] = await testApp.dataSource.query(
        `SELECT name, decimal_places FROM custom_fields WHERE module = 'potentials' ORDER BY id`,
      );

      expect(table?.columns.map((column) => column.name)).toEqual(['id', ...Object.values(names)]);
      expect(definitions.map((row) => [row.name, row.decimal_places])).toEqual([
        [names.rate, 3],
        [names.callTime, null],
        [names.signed, null],
        [names.reviewer, null],
      ]);
    });

    it('shows the decimal places beside the type', async () => {
      const page = unescapeHtml((await admin.get(EDITOR)).text);
      const row = page.slice(page.indexOf(`id="field-${names.rate}"`));

      expect(row.slice(0, row.indexOf('</tr>'))).toContain('Decimal number, 3 decimal places');
    });

    it('rejects seven decimal places and keeps the label', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Precise rate',
        type: 'decimal',
        block: 'info',
        decimal_places: '7',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('Enter a number of decimal places from 0 to 6.');
      expect(response.text).toContain(
        'href="#new-field-places" class="alert-link">New custom field</a>: Enter a number of decimal places',
      );
      expect(response.text).toMatch(/id="new-field-places"[^>]*value="7"/);
      expect(response.text).toMatch(/id="new-field-en"[^>]*value="Precise rate"/);
    });
  });

  describe('end to end', () => {
    // Each type: the form's input, the detail page's text, the CSV cell, and the column after importing the CSV.
    const cases: {
      key: FieldKey;
      label: string;
      input: () => string;
      displayed: string;
      csv: string;
      stored: () => string;
    }[] = [
      {
        key: 'rate',
        label: 'Discount rate',
        input: () => '1,234.5',
        displayed: '1,234.500',
        csv: '1234.500',
        stored: () => '1234500',
      },
      {
        key: 'callTime',
        label: 'Call time',
        input: () => '9:05',
        displayed: '09:05',
        csv: '09:05',
        stored: () => '09:05',
      },
      {
        key: 'signed',
        label: 'Contract signed',
        input: () => 'ticked',
        displayed: 'Yes',
        csv: 'yes',
        stored: () => '1',
      },
      {
        key: 'reviewer',
        label: 'Reviewer',
        input: () => String(users.bruno),
        displayed: 'Bruno Bianchi',
        csv: 'Bruno Bianchi',
        stored: () => String(users.bruno),
      },
    ];

    it.each(cases)('$key goes from the form to CSV and back', async (type) => {
      const created = await createPotential({ [type.key]: type.input() });
      expect(created.status).toBe(303);

      expect(await detailValue(admin, created.headers.location, type.label)).toBe(type.displayed);
      const list = unescapeHtml((await admin.get('/potentials')).text);
      expect(list).toMatch(new RegExp(`<th[^>]*>\\s*<a[^>]*sort=${names[type.key]}[^>]*>${type.label}`));
      expect(list).toMatch(new RegExp(`<td[^>]*>\\s*${type.displayed}\\s*</td>`));

      const exported = await exportedRow(admin, 'potentials');
      expect(exported.cells[type.label]).toBe(type.csv);

      await deletePotentials();
      const imported = await importCsv(admin, 'potentials', exported.text, { upload: { dateFormat: 'iso' } });
      expect(imported.counts.created).toBe(1);
      expect((await storedValues())['Fleet renewal'][names[type.key]]).toBe(type.stored());
    });
  });

  describe('decimal', () => {
    it('rejects more places than the field has', async () => {
      const response = await createPotential({ rate: '1.2345' });

      expect(response.status).toBe(422);
      expect(response.text).toContain('At most 3 decimal places.');
      expect(response.text).toMatch(new RegExp(`id="field-${names.rate}"[^>]*value="1.2345"`));
    });

    it('reads the Italian number format', async () => {
      await createUser(testApp, 'giulia', SALESPERSON_ROLE);
      await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'giulia'`);
      const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);

      const created = await postBrowserForm(giulia, '/potentials/new', '/potentials', [
        ['potential_name', 'Rinnovo'],
        ['amount', '1000'],
        ['expected_close_date', '30/06/2027'],
        ['sales_stage', 'Prospecting'],
        [names.rate, '1.234,5'],
      ]);

      expect(created.status).toBe(303);
      expect((await storedValues()).Rinnovo[names.rate]).toBe('1234500');
      const detail = unescapeHtml((await giulia.get(created.headers.location)).text);
      expect(detail).toContain('1.234,500');
    });

    it('sorts as numbers and filters a range', async () => {
      for (const [name, rate] of [
        ['Alpha', '10.25'],
        ['Bravo', '9.5'],
        ['Charlie', '100'],
      ])
        await createRecord(testApp, 'potentials', {
          ...POTENTIAL_FORM,
          expected_close_date: '2027-06-30',
          potential_name: name,
          [names.rate]: rate,
        });

      expect(await listed(`?sort=${names.rate}&dir=asc`)).toEqual(['Bravo', 'Alpha', 'Charlie']);
      expect(await listed(`?${names.rate}_from=9.6&${names.rate}_to=100&sort=potential_name`)).toEqual([
        'Alpha',
        'Charlie',
      ]);
    });
  });

  describe('default values', () => {
    afterEach(async () => {
      for (const key of ['rate', 'callTime'] as const)
        await postForm(admin, `${EDITOR}/fields/${names[key]}`, `${EDITOR}/fields/${names[key]}/default`, {
          [names[key]]: '',
        });
    });

    it.each([
      ['rate', '2.5', '2.500'],
      ['callTime', '9:05', '09:05'],
    ] as const)('prefills the %s default', async (key, typed, shown) => {
      const page = `${EDITOR}/fields/${names[key]}`;

      const saved = await postForm(admin, page, `${page}/default`, { [names[key]]: typed });

      expect(saved.status).toBe(303);
      const form = (await admin.get('/potentials/new')).text;
      expect(form).toMatch(new RegExp(`name="${names[key]}"[^>]*value="${shown}"`));
    });
  });

  describe('time', () => {
    it('rejects 25:00 with a message', async () => {
      const response = await createPotential({ callTime: '25:00' });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(
        '"25:00" is not a time of day. Enter hours and minutes from 00:00 to 23:59, such as 09:05.',
      );
    });

    it('sorts by time of day and filters a range', async () => {
      for (const [name, time] of [
        ['Alpha', '14:00'],
        ['Bravo', '9:30'],
        ['Charlie', '10:15'],
      ])
        await createRecord(testApp, 'potentials', {
          ...POTENTIAL_FORM,
          expected_close_date: '2027-06-30',
          potential_name: name,
          [names.callTime]: time,
        });

      expect(await listed(`?sort=${names.callTime}&dir=asc`)).toEqual(['Bravo', 'Charlie', 'Alpha']);
      expect(await listed(`?${names.callTime}_from=10:00&sort=potential_name`)).toEqual(['Alpha', 'Charlie']);
    });
  });

  describe('checkbox', () => {
    it('edit form unticks the box', async () => {
      const created = await createPotential({ signed: 'ticked' });
      const path = created.headers.location;
      expect((await admin.get(`${path}/edit`)).text).toMatch(
        new RegExp(`id="field-${names.signed}"[^>]*value="1" checked`),
      );

      const saved = await saveEditForm(`${path}/edit`, path, [[names.signed, '0']]);

      expect(saved.status).toBe(303);
      expect((await storedValues())['Fleet renewal'][names.signed]).toBe('0');
      expect(await detailValue(admin, path, 'Contract signed')).toBe('No');
    });

    it('keeps the tick when another field fails', async () => {
      const response = await createPotential({ signed: 'ticked', callTime: '9h' });

      expect(response.status).toBe(422);
      expect(response.text).toMatch(new RegExp(`id="field-${names.signed}"[^>]*value="1" checked`));
    });

    it('import rejects "maybe" with a message', async () => {
      const csv = [
        'Potential Name,Amount,Expected Close Date,Sales Stage,Contract signed',
        'One,10,2027-06-30,Prospecting,maybe',
        'Two,10,2027-06-30,Prospecting,sì',
        'Three,10,2027-06-30,Prospecting,0',
      ].join('\n');

      const imported = await importCsv(admin, 'potentials', csv, { upload: { dateFormat: 'iso' } });

      expect(imported.counts.created).toBe(2);
      expect(imported.counts.failed).toBe(1);
      expect(unescapeHtml(imported.html)).toContain('"maybe" is not yes or no.');
      const stored = await storedValues();
      expect(stored.Two[names.signed]).toBe('1');
      expect(stored.Three[names.signed]).toBe('0');
    });

    it('filters on yes and no, a record without a value being no', async () => {
      await createRecord(testApp, 'potentials', {
        ...POTENTIAL_FORM,
        expected_close_date: '2027-06-30',
        potential_name: 'Alpha',
        [names.signed]: 'yes',
      });
      await createRecord(testApp, 'potentials', {
        ...POTENTIAL_FORM,
        expected_close_date: '2027-06-30',
        potential_name: 'Bravo',
      });
      // A record saved before the module's first custom field has no custom-field row.
      const charlie = await createRecord(testApp, 'potentials', {
        ...POTENTIAL_FORM,
        expected_close_date: '2027-06-30',
        potential_name: 'Charlie',
      });
      await testApp.dataSource.query(`DELETE FROM potentials_cf WHERE id = ${charlie}`);

      expect(await listed(`?${names.signed}=1&sort=potential_name`)).toEqual(['Alpha']);
      expect(await listed(`?${names.signed}=0&sort=potential_name`)).toEqual(['Bravo', 'Charlie']);
      expect((await listed(`?sort=${names.signed}&dir=desc`))[0]).toBe('Alpha');
      expect(await detailValue(admin, `/potentials/${charlie}`, 'Contract signed')).toBe('No');
    });

    it('filter bar offers yes and no', async () => {
      const html = (await admin.get('/potentials')).text;

      expect(html).toMatch(
        new RegExp(
          `name="${names.signed}">\\s*<option value=""[^>]*>Any</option><option value="1">Yes</option><option value="0">No</option>`,
        ),
      );
    });

    it('mandatory box must be ticked', async () => {
      const path = `/admin/layout/potentials/fields/${names.signed}/mandatory`;
      await postForm(admin, EDITOR, path, { mandatory: 'on' });
      try {
        const rejected = await createPotential({ signed: 'unticked' });
        const accepted = await createPotential({ signed: 'ticked' });

        expect(rejected.status).toBe(422);
        expect(rejected.text).toContain('This box must be ticked.');
        expect(accepted.status).toBe(303);
      } finally {
        await postForm(admin, EDITOR, path, { mandatory: 'off' });
      }
    });

    it('mass edit rejects unticking a mandatory box', async () => {
      const id = await createRecord(testApp, 'potentials', {
        ...POTENTIAL_FORM,
        expected_close_date: '2027-06-30',
        [names.signed]: 'yes',
      });
      const path = `/admin/layout/potentials/fields/${names.signed}/mandatory`;
      await postForm(admin, EDITOR, path, { mandatory: 'on' });
      try {
        const response = await postBrowserForm(admin, '/potentials', '/mass/potentials/edit', [
          ['field', names.signed],
          ['ids', String(id)],
          [names.signed, '0'],
        ]);

        expect(response.status).toBe(422);
        expect(response.text).toContain('This box must be ticked.');
        expect((await storedValues())['Fleet renewal'][names.signed]).toBe('1');
      } finally {
        await postForm(admin, EDITOR, path, { mandatory: 'off' });
      }
    });

    it('mass edit ticks the box of every selected record', async () => {
      const ids = [];
      for (const name of ['Alpha', 'Bravo'])
        ids.push(
          await createRecord(testApp, 'potentials', {
            ...POTENTIAL_FORM,
            expected_close_date: '2027-06-30',
            potential_name: name,
          }),
        );

      const response = await postBrowserForm(admin, '/potentials', '/mass/potentials/edit', [
        ['field', names.signed],
        ...ids.map((id): [string, string] => ['ids', String(id)]),
        [names.signed, '0'],
        [names.signed, '1'],
      ]);

      expect(response.status).toBe(303);
      const stored = await storedValues();
      expect([stored.Alpha[names.signed], stored.Bravo[names.signed]]).toEqual(['1', '1']);
    });
  });

  describe('user', () => {
    it('offers active users only', async () => {
      await testApp.dataSource.query(`UPDATE users SET is_active = 0 WHERE username = 'carla'`);

      const form = (await admin.get('/potentials/new')).text;
      const select = form.slice(form.indexOf(`id="field-${names.reviewer}"`));
      const options = select.slice(0, select.indexOf('</select>'));

      expect(options).toContain('Bruno Bianchi');
      expect(options).not.toContain('Carla Conti');
    });

    it('keeps showing a deactivated user', async () => {
      const created = await createPotential({ reviewer: String(users.carla) });
      const path = created.headers.location;
      await testApp.dataSource.query(`UPDATE users SET is_active = 0 WHERE username = 'carla'`);

      expect(await detailValue(admin, path, 'Reviewer')).toBe('Carla Conti');
      const form = (await admin.get(`${path}/edit`)).text;
      expect(form).toContain(`<option value="${users.carla}" selected>Carla Conti</option>`);
      const saved = await saveEditForm(`${path}/edit`, path, [[names.reviewer, String(users.carla)]]);
      expect(saved.status).toBe(303);
      expect((await storedValues())['Fleet renewal'][names.reviewer]).toBe(String(users.carla));
    });

    it('import rejects an unknown user name', async () => {
      const csv = [
        'Potential Name,Amount,Expected Close Date,Sales Stage,Reviewer',
        'One,10,2027-06-30,Prospecting,Nobody Known',
        'Two,10,2027-06-30,Prospecting,carla',
      ].join('\n');

      const imported = await importCsv(admin, 'potentials', csv, { upload: { dateFormat: 'iso' } });

      expect(imported.counts.created).toBe(1);
      expect(imported.counts.failed).toBe(1);
      expect(unescapeHtml(imported.html)).toContain('"Nobody Known" was not found.');
      expect((await storedValues()).Two[names.reviewer]).toBe(String(users.carla));
    });

    it('sorts by name and filters by user', async () => {
      for (const [name, reviewer] of [
        ['Alpha', String(users.carla)],
        ['Bravo', String(users.bruno)],
      ])
        await createRecord(testApp, 'potentials', {
          ...POTENTIAL_FORM,
          expected_close_date: '2027-06-30',
          potential_name: name,
          [names.reviewer]: reviewer,
        });

      expect(await listed(`?sort=${names.reviewer}&dir=asc`)).toEqual(['Bravo', 'Alpha']);
      expect(await listed(`?${names.reviewer}=${users.carla}`)).toEqual(['Alpha']);
      const html = (await admin.get('/potentials')).text;
      expect(html).toMatch(
        new RegExp(`name="${names.reviewer}">[\\s\\S]*?<option value="${users.bruno}">Bruno Bianchi`),
      );
    });
  });

  /** Saves the edit form with the standard fields and the given custom values. */
  function saveEditForm(formPage: string, action: string, fields: [string, string][]) {
    return postBrowserForm(admin, formPage, action, [...Object.entries(POTENTIAL_FORM), ...fields]);
  }
});
