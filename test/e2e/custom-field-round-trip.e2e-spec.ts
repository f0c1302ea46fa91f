import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { detailValue, exportedRow, firstListRow } from '../support/record-pages.js';
import { addCustomField, addPicklistValues, Agent, POTENTIAL_FORM } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const EDITOR = '/admin/layout/potentials';

/**
 * The custom fields under test, added once through the editor as list columns. Contract code, Go-live date
 * and Region are there for the validation tests.
 */
const FIELDS = {
  notes: { label_en: 'Handover notes', type: 'textarea', list_column: 'on' },
  discount: { label_en: 'Agreed discount', type: 'percent', list_column: 'on' },
  contactEmail: { label_en: 'Contact email', type: 'email', list_column: 'on' },
  contactPhone: { label_en: 'Contact phone', type: 'phone', list_column: 'on' },
  website: { label_en: 'Fleet website', type: 'url', list_column: 'on' },
  contractCode: { label_en: 'Contract code', type: 'text', max_length: '10', list_column: 'on' },
  goLive: { label_en: 'Go-live date', type: 'date', list_column: 'on' },
  region: { label_en: 'Region', type: 'picklist', list_column: 'on' },
} as const;

type FieldKey = keyof typeof FIELDS;

describe.each(databaseKinds())('custom field round trip on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  const names = {} as Record<FieldKey, string>;

  /** Creates a potential through the form with the given custom values and returns the POST's response. */
  function createPotential(values: Partial<Record<FieldKey, string>>) {
    const fields: Record<string, string> = { ...POTENTIAL_FORM };
    for (const [key, value] of Object.entries(values)) fields[names[key as FieldKey]] = value;
    return postForm(admin, '/potentials/new', '/potentials', fields);
  }

  /** Returns one custom-field column of every potential, with numbers as text. */
  async function storedColumn(key: FieldKey): Promise<(string | null)[]> {
    const rows: Record<string, string | number | null>[] = await testApp.dataSource.query(
      `SELECT cf.${names[key]} AS value FROM potentials p LEFT JOIN potentials_cf cf ON cf.id = p.id`,
    );
    return rows.map((row) => (row.value === null ? null : String(row.value)));
  }

  async function potentialCount(): Promise<number> {
    const [row]: { count: number | string }[] = await testApp.dataSource.query(
      'SELECT COUNT(*) AS count FROM potentials',
    );
    return Number(row.count);
  }

  /** Returns the import result's table of rows not imported: line, column and reason of each. */
  function failures(html: string): string[][] {
    const text = unescapeHtml(html);
    const table = text.slice(text.indexOf('id="import-failures"'));
    const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'));
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].trim()),
    );
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    for (const key of Object.keys(FIELDS) as FieldKey[])
      names[key] = await addCustomField(admin, EDITOR, FIELDS[key]);
    await addPicklistValues(admin, EDITOR, names.region, ['North', 'South']);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  describe('end to end', () => {
    // Each type: the form's input, the detail page's and the list's text, the CSV cell, and the column after
    // importing the CSV.
    const cases: { key: FieldKey; input: string; displayed: string; csv: string; stored: string }[] = [
      {
        key: 'notes',
        input: 'Keys at the front desk.\r\nCall before 9:00 & ask for "Anna".',
        displayed: 'Keys at the front desk.\nCall before 9:00 & ask for "Anna".',
        csv: 'Keys at the front desk.\nCall before 9:00 & ask for "Anna".',
        stored: 'Keys at the front desk.\nCall before 9:00 & ask for "Anna".',
      },
      { key: 'discount', input: '35%', displayed: '35 %', csv: '35', stored: '35' },
      {
        key: 'contactEmail',
        input: 'anna.rossi@example.com',
        displayed: 'anna.rossi@example.com',
        csv: 'anna.rossi@example.com',
        stored: 'anna.rossi@example.com',
      },
      {
        key: 'contactPhone',
        input: '+39 02 1234 5678',
        displayed: '+39 02 1234 5678',
        // The export puts an apostrophe before a cell that a spreadsheet would run as a formula, and the
        // import removes it.
        csv: "'+39 02 1234 5678",
        stored: '+39 02 1234 5678',
      },
      {
        key: 'website',
        input: 'https://fleet.example.com/renewal?year=2027',
        displayed: 'https://fleet.example.com/renewal?year=2027',
        csv: 'https://fleet.example.com/renewal?year=2027',
        stored: 'https://fleet.example.com/renewal?year=2027',
      },
    ];

    it.each(cases)('$key goes from the form to CSV and back', async (type) => {
      const label = FIELDS[type.key].label_en;

      const created = await createPotential({ [type.key]: type.input });
      expect(created.status).toBe(303);

      expect(await detailValue(admin, created.headers.location, label)).toBe(type.displayed);
      expect((await firstListRow(admin, '/potentials'))[label]).toBe(type.displayed);

      const exported = await exportedRow(admin, 'potentials');
      expect(exported.cells[label]).toBe(type.csv);

      await resetRecords(testApp.dataSource);
      const imported = await importCsv(admin, 'potentials', exported.text, { upload: { dateFormat: 'iso' } });
      expect(imported.counts.created).toBe(1);
      expect(await storedColumn(type.key)).toEqual([type.stored]);
    });

    it('detail page links the email and the web address', async () => {
      const created = await createPotential({
        contactEmail: 'anna.rossi@example.com',
        website: 'https://fleet.example.com/renewal',
      });

      const html = (await admin.get(created.headers.location)).text;
      expect(html).toContain('<a href="mailto:anna.rossi@example.com">anna.rossi@example.com</a>');
      expect(html).toContain(
        '<a href="https://fleet.example.com/renewal" rel="noopener noreferrer nofollow" target="_blank">',
      );
    });
  });

  describe('validation', () => {
    // Each case: the field, the rejected text, the message on the form and in the import's failed rows, and
    // the date format of the import file.
    const cases: { name: string; key: FieldKey; value: string; message: string; dateFormat: string }[] = [
      {
        name: 'a text over its length',
        key: 'contractCode',
        value: 'FR-2027-0001',
        message: 'Too long: at most 10 characters.',
        dateFormat: 'iso',
      },
      {
        name: 'a percent of 101',
        key: 'discount',
        value: '101',
        message: 'Must be 100 or less.',
        dateFormat: 'iso',
      },
      {
        name: 'a malformed email',
        key: 'contactEmail',
        value: 'anna.rossi@example',
        message: 'Not a valid email address. Use the form name@example.com.',
        dateFormat: 'iso',
      },
      {
        name: 'an impossible date',
        key: 'goLive',
        value: '02/30/2027',
        message: 'This date does not exist. Check the day and the month.',
        dateFormat: 'mdy',
      },
      {
        name: 'a date in words',
        key: 'goLive',
        value: 'soon',
        message: 'Not a date. Use the date picker or the form of your language.',
        dateFormat: 'mdy',
      },
      {
        name: 'an unknown picklist value',
        key: 'region',
        value: 'East',
        message: '"East" is not one of the listed values. Choose one from the list.',
        dateFormat: 'iso',
      },
    ];

    it.each(cases)('form rejects $name', async (type) => {
      const response = await createPotential({ [type.key]: type.value });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain(type.message);
      expect(await potentialCount()).toBe(0);
    });

    it.each(cases)('import rejects $name', async (type) => {
      const label = FIELDS[type.key].label_en;
      // The file's own dates follow the format under test, so that only the custom field fails.
      const closeDate = type.dateFormat === 'mdy' ? '06/30/2027' : '2027-06-30';
      const csv = [
        `Potential Name,Amount,Expected Close Date,Sales Stage,${label}`,
        `Fleet renewal,1000,${closeDate},Prospecting,${type.value}`,
      ].join('\n');

      const imported = await importCsv(admin, 'potentials', csv, { upload: { dateFormat: type.dateFormat } });

      expect(imported.counts.created).toBe(0);
      expect(imported.counts.failed).toBe(1);
      expect(failures(imported.html)).toEqual([['2', label, type.message]]);
      expect(await potentialCount()).toBe(0);
    });
  });
});
