import { importCsv, unescapeHtml } from '../support/csv-import.js';
import { detailValue } from '../support/record-pages.js';
import {
  addCustomField,
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  csrfToken,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import { jest } from '@jest/globals';
import { PicklistEditorService } from '../../src/layout/picklist-editor.service.js';
import { TaxesService } from '../../src/taxes/taxes.service.js';

const PRESET_NAMES = ['VAT 22 %', 'VAT 10 %', 'VAT 4 %'];

/** Returns the text of the list's count line, such as "3 records". */
function listCountOf(html: string): string {
  return /<p class="mb-2" id="list-count">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

/** Returns the record links of a list page's rows. */
function productLinks(html: string): string[] {
  return [...unescapeHtml(html).matchAll(/<a href="\/products\/\d+">([^<]*)<\/a>/g)].map((match) => match[1]);
}

/**
 * Posts a form as a browser encodes it: a ticked box sends its hidden "0" and then "1" under one name, which
 * an object body cannot express. `active` tells whether the product's Active box is ticked.
 */
async function postBrowserForm(
  agent: Agent,
  formPage: string,
  action: string,
  fields: Record<string, string>,
  active: 'ticked' | 'unticked',
) {
  const page = await agent.get(formPage);
  const body = new URLSearchParams([
    ['_csrf', csrfToken(page.text)],
    ...Object.entries(fields),
    ['active', '0'],
  ]);
  if (active === 'ticked') body.append('active', '1');
  return agent.post(action).type('form').send(body.toString());
}

describe.each(databaseKinds())('products on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);
  const product = (name: string, more: Record<string, string> = {}) =>
    createRecord(testApp, 'products', { product_name: name, ...more });

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

  describe('records', () => {
    it('menu lists products after potentials and activities', async () => {
      const html = (await admin.get('/products')).text;
      const links = [...html.matchAll(/class="nav-link[^"]*" href="\/(\w+)"/g)].map((match) => match[1]);

      expect(links.slice(links.indexOf('potentials'), links.indexOf('potentials') + 3)).toEqual([
        'potentials',
        'activities',
        'products',
      ]);
    });

    it('new product form ticks active', async () => {
      const html = (await admin.get('/products/new')).text;

      expect(html).toMatch(/id="field-active" name="active" type="checkbox" value="1" checked/);
    });

    it('form creates numbered products', async () => {
      const first = await postBrowserForm(
        admin,
        '/products/new',
        '/products',
        {
          product_name: 'Laser printer',
          part_number: 'LP-100',
          product_category: 'Hardware',
          assigned_user_id: '1',
        },
        'ticked',
      );
      const second = await postBrowserForm(
        admin,
        '/products/new',
        '/products',
        { product_name: 'Toner', assigned_user_id: '1' },
        'ticked',
      );
      const rows = await query<{ product_name: string; product_no: string; active: number | boolean }>(
        'SELECT product_name, product_no, active FROM products ORDER BY id',
      );

      expect(first.status).toBe(303);
      expect(second.status).toBe(303);
      expect(rows.map((row) => [row.product_name, row.product_no, Number(row.active)])).toEqual([
        ['Laser printer', 'PRO1', 1],
        ['Toner', 'PRO2', 1],
      ]);
      expect(await detailValue(admin, first.headers.location, 'Part Number')).toBe('LP-100');
    });

    it('form requires the product name', async () => {
      const rejected = await postForm(admin, '/products/new', '/products', {
        product_name: ' ',
        part_number: 'LP-100',
        assigned_user_id: '1',
      });

      expect(rejected.status).toBe(422);
      expect(rejected.text).toContain('href="#field-product_name"');
      expect(rejected.text).toContain('value="LP-100"');
      expect(await query('SELECT id FROM products')).toEqual([]);
    });

    it('unticked active box stores inactive', async () => {
      const fields = { product_name: 'Old scanner', assigned_user_id: '1' };
      const created = await postBrowserForm(admin, '/products/new', '/products', fields, 'unticked');
      const path = created.headers.location;
      const id = Number(/\/products\/(\d+)$/.exec(path)![1]);
      const before = await query<{ active: number | boolean }>('SELECT active FROM products');
      const shownBefore = await detailValue(admin, path, 'Active');
      await postBrowserForm(admin, `/products/${id}/edit`, `/products/${id}`, fields, 'ticked');
      const after = await query<{ active: number | boolean }>('SELECT active FROM products');

      expect(Number(before[0].active)).toBe(0);
      expect(shownBefore).toBe('No');
      expect(Number(after[0].active)).toBe(1);
      expect(await detailValue(admin, path, 'Active')).toBe('Yes');
    });

    it('service save defaults to active', async () => {
      await product('Cable');

      const rows = await query<{ active: number | boolean }>('SELECT active FROM products');

      expect(Number(rows[0].active)).toBe(1);
    });

    it('prices keep exact cents', async () => {
      const created = await postForm(admin, '/products/new', '/products', {
        product_name: 'Server rack',
        unit_price: '1,234.56',
        unit_cost: '0.01',
        assigned_user_id: '1',
      });
      const rows = await query<{ unit_price_cents: string | number; unit_cost_cents: string | number }>(
        'SELECT unit_price_cents, unit_cost_cents FROM products',
      );

      expect(created.status).toBe(303);
      expect(String(rows[0].unit_price_cents)).toBe('123456');
      expect(String(rows[0].unit_cost_cents)).toBe('1');
      expect(await detailValue(admin, created.headers.location, 'Unit Price')).toBe('€ 1,234.56');
      expect(await detailValue(admin, created.headers.location, 'Unit Cost')).toBe('€ 0.01');
    });

    it('rejects a price with three decimals', async () => {
      const rejected = await postForm(admin, '/products/new', '/products', {
        product_name: 'Server rack',
        unit_price: '10.005',
        assigned_user_id: '1',
      });

      expect(rejected.status).toBe(422);
      expect(rejected.text).toContain('id="error-unit_price"');
      expect(await query('SELECT id FROM products')).toEqual([]);
    });

    it('edit changes price and tax class', async () => {
      const id = await product('Consulting day', { unit_price: '500', tax_class: 'VAT 22 %' });

      const saved = await postForm(admin, `/products/${id}/edit`, `/products/${id}`, {
        product_name: 'Consulting day',
        unit_price: '650.50',
        tax_class: 'VAT 10 %',
        usage_unit: 'Hours',
        assigned_user_id: '1',
      });
      const rows = await query<{ unit_price_cents: string | number; tax_class: string; usage_unit: string }>(
        'SELECT unit_price_cents, tax_class, usage_unit FROM products',
      );

      expect(saved.status).toBe(303);
      expect(String(rows[0].unit_price_cents)).toBe('65050');
      expect(rows[0].tax_class).toBe('VAT 10 %');
      expect(rows[0].usage_unit).toBe('Hours');
    });

    it('list filters by category, active and search', async () => {
      await product('Laser printer', { product_category: 'Hardware', part_number: 'LP-100' });
      await product('Old scanner', { product_category: 'Hardware', active: 'no' });
      await product('Office suite', { product_category: 'Software' });

      const cases: [string, string, string[]][] = [
        ['', '3 records', ['Laser printer', 'Office suite', 'Old scanner']],
        ['product_category=Hardware', '2 records', ['Laser printer', 'Old scanner']],
        ['active=no', '1 record', ['Old scanner']],
        ['active=yes&product_category=Hardware', '1 record', ['Laser printer']],
        ['q=lp-1', '1 record', ['Laser printer']],
      ];
      for (const [filter, count, names] of cases) {
        const html = (await admin.get(`/products?${filter}`)).text;

        expect([filter, listCountOf(html)]).toEqual([filter, count]);
        expect([filter, productLinks(html)]).toEqual([filter, names]);
      }
    });

    it('exported products import back', async () => {
      await product('Server rack', {
        part_number: 'SR-42',
        active: 'no',
        product_category: 'Hardware',
        product_line: 'Premium',
        unit_price: '1234.56',
        unit_cost: '0.01',
        usage_unit: 'Each',
        tax_class: 'VAT 10 %',
        description: 'A 42U rack',
      });
      const columns =
        'product_name, product_no, part_number, active, product_category, product_line, unit_price_cents, unit_cost_cents, usage_unit, tax_class, description';
      const before = await query<Record<string, string | number | null>>(`SELECT ${columns} FROM products`);
      const exported = (await admin.get('/export/products').buffer(true)).text;
      await query('DELETE FROM products');

      const outcome = await importCsv(admin, 'products', exported.replace(/^\uFEFF/, ''));
      const after = await query<Record<string, string | number | null>>(`SELECT ${columns} FROM products`);

      expect(outcome.counts.created).toBe(1);
      // BIGINT comes back as a string from mysql2 and as a number from better-sqlite3.
      const comparable = (rows: Record<string, string | number | null>[]) =>
        rows.map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([name, value]) => [name, value === null ? null : String(value)]),
          ),
        );
      expect(comparable(before)[0]).toMatchObject({
        active: '0',
        unit_price_cents: '123456',
        unit_cost_cents: '1',
      });
      expect(comparable(after)).toEqual(comparable(before).map((row) => ({ ...row, product_no: 'PRO2' })));
    });

    it('profile without products view gets 403', async () => {
      const roleId = await createRole(testApp, admin, 'No products', SALESPERSON_ROLE);
      const every = ['view', 'create', 'edit', 'delete', 'import', 'export'];
      await createProfileFor(admin, roleId, 'No products', {
        leads: every,
        accounts: every,
        contacts: every,
        potentials: every,
        campaigns: every,
      });
      await createUser(testApp, 'nora', roleId);
      const id = await product('Laser printer');
      const nora = await loginAgent(testApp.app, 'nora', PASSWORD);

      expect((await nora.get('/products')).status).toBe(403);
      expect((await nora.get(`/products/${id}`)).status).toBe(403);
      expect((await nora.get('/export/products')).status).toBe(403);
      expect((await nora.get('/potentials')).status).toBe(200);
      expect((await nora.get('/potentials')).text).not.toContain('href="/products"');
    });

    it('Layout Editor adds a custom field', async () => {
      const editor = '/admin/layout/products';
      const name = await addCustomField(admin, editor, {
        label_en: 'Warranty months',
        label_it: 'Mesi di garanzia',
        type: 'integer',
      });

      const created = await postForm(admin, '/products/new', '/products', {
        product_name: 'Laser printer',
        [name]: '24',
        assigned_user_id: '1',
      });

      expect(created.status).toBe(303);
      expect(await detailValue(admin, created.headers.location, 'Warranty months')).toBe('24');
      const stored = await query<Record<string, unknown>>(`SELECT ${name} AS months FROM products_cf`);
      expect(Number(stored[0].months)).toBe(24);
    });
  });

  describe('taxes', () => {
    const taxNames = async () =>
      (await query<{ name: string }>('SELECT name FROM taxes ORDER BY sort_order, name')).map(
        (row) => row.name,
      );

    const taxClasses = async () =>
      (
        await query<{ value: string }>(
          "SELECT value FROM picklist_values WHERE module = 'products' AND field = 'tax_class' ORDER BY sort_order",
        )
      ).map((row) => row.value);

    beforeEach(async () => {
      await query(`DELETE FROM taxes WHERE name NOT IN (?, ?, ?)`, PRESET_NAMES);
      await query(
        `DELETE FROM picklist_values WHERE module = 'products' AND field = 'tax_class' AND value NOT IN (?, ?, ?)`,
        PRESET_NAMES,
      );
    });

    it('lists the presets', async () => {
      const html = unescapeHtml((await admin.get('/admin/taxes')).text);
      const rates = (await testApp.app.get(TaxesService).list()).map((tax) => [tax.name, tax.rate.toFixed()]);

      expect(rates).toEqual([
        ['VAT 22 %', '22'],
        ['VAT 10 %', '10'],
        ['VAT 4 %', '4'],
      ]);
      expect(html).toContain('>VAT 22 %</a>');
      expect(html).toMatch(/data-rate="\d+">22 %</);
    });

    it('links the page from the menu for administrators', async () => {
      expect((await admin.get('/products')).text).toContain('href="/admin/taxes"');
    });

    it('adds a 5.5 % tax', async () => {
      const saved = await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
        name: 'Reduced',
        rate: '5.5',
        active: ['0', '1'],
        sortOrder: '',
      });
      const rows = await query<{
        rate_thousandths: number | string;
        is_active: number | boolean;
        sort_order: number;
      }>("SELECT rate_thousandths, is_active, sort_order FROM taxes WHERE name = 'Reduced'");

      expect(saved.status).toBe(303);
      expect(Number(rows[0].rate_thousandths)).toBe(5500);
      expect(Number(rows[0].is_active)).toBe(1);
      expect(Number(rows[0].sort_order)).toBe(4);
      expect(unescapeHtml((await admin.get('/admin/taxes')).text)).toContain('Tax "Reduced" saved.');
    });

    it('new tax joins the tax class picklist', async () => {
      await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
        name: 'Reduced',
        rate: '5.5',
        active: '1',
      });

      expect(await taxClasses()).toEqual([...PRESET_NAMES, 'Reduced']);
      const form = unescapeHtml((await admin.get('/products/new')).text);
      expect(form).toContain('<option value="Reduced">Reduced</option>');
    });

    it('renamed tax renames its products', async () => {
      const paper = await product('Paper', { tax_class: 'VAT 4 %' });
      const [vat4] = (await testApp.app.get(TaxesService).list()).filter((tax) => tax.name === 'VAT 4 %');

      const saved = await postForm(admin, `/admin/taxes/${vat4.id}/edit`, `/admin/taxes/${vat4.id}`, {
        name: 'IVA 4 %',
        rate: '4',
        active: '1',
        sortOrder: '3',
      });

      expect(saved.status).toBe(303);
      expect(await taxClasses()).toEqual(['VAT 22 %', 'VAT 10 %', 'IVA 4 %']);
      const [row] = await query<{ tax_class: string }>('SELECT tax_class FROM products WHERE id = ?', [
        paper,
      ]);
      expect(row.tax_class).toBe('IVA 4 %');
      // The other tests expect the preset names back.
      await testApp.app
        .get(TaxesService)
        .save(ADMIN, vat4.id, { name: 'VAT 4 %', rate: '4', active: '1', sortOrder: '3' }, 'dot');
      expect(await taxClasses()).toEqual(PRESET_NAMES);
    });

    it('tax already listed is not added twice', async () => {
      await query(
        "INSERT INTO picklist_values (module, field, value, sort_order) VALUES ('products', 'tax_class', 'Exempt', 9)",
      );

      const saved = await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
        name: 'exempt',
        rate: '0',
        active: '1',
      });

      expect(saved.status).toBe(303);
      expect(await taxClasses()).toEqual([...PRESET_NAMES, 'Exempt']);
    });

    it('rejected picklist value saves no tax', async () => {
      const editor = testApp.app.get(PicklistEditorService);
      const add = jest.spyOn(editor, 'add').mockResolvedValueOnce({
        ok: false,
        errors: { value: { code: 'valueTakenByIndex' } },
      });

      const rejected = await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
        name: 'Reduced',
        rate: '5',
        active: '1',
      });
      add.mockRestore();

      expect(rejected.status).toBe(422);
      expect(rejected.text).toContain('id="error-name"');
      expect(await taxNames()).toEqual(PRESET_NAMES);
      expect(await taxClasses()).toEqual(PRESET_NAMES);
    });

    it('edits a tax and deactivates it', async () => {
      const [vat10] = (await testApp.app.get(TaxesService).list()).filter((tax) => tax.name === 'VAT 10 %');

      const saved = await postForm(admin, `/admin/taxes/${vat10.id}/edit`, `/admin/taxes/${vat10.id}`, {
        name: 'VAT 10 %',
        rate: '10.125',
        active: '0',
        sortOrder: '2',
      });
      const tax = await testApp.app.get(TaxesService).find(vat10.id);
      const active = await testApp.app.get(TaxesService).active();

      expect(saved.status).toBe(303);
      expect(tax!.rate.toFixed()).toBe('10.125');
      expect(tax!.active).toBe(false);
      expect(active.map((entry) => entry.name)).toEqual(['VAT 22 %', 'VAT 4 %']);
    });

    it('rejects rates that are not 0 to 100', async () => {
      const cases: [string, string][] = [
        ['101', '"101" is outside 0 to 100. Enter a percentage from 0 to 100, such as 22 or 5.5.'],
        ['-1', '"-1" is outside 0 to 100. Enter a percentage from 0 to 100, such as 22 or 5.5.'],
        ['abc', 'Not a number. Use digits, with the decimal separator of your language.'],
        ['5.1234', 'At most 3 decimal places.'],
        ['', 'This field is required. Enter a value.'],
      ];
      for (const [rate, message] of cases) {
        const rejected = await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
          name: 'Odd tax',
          rate,
          active: ['0', '1'],
        });
        const html = unescapeHtml(rejected.text);

        expect([rate, rejected.status]).toEqual([rate, 422]);
        expect([rate, html]).toEqual([rate, expect.stringContaining(`id="error-rate">${message}</div>`)]);
        expect([rate, html]).toEqual([rate, expect.stringContaining('href="#field-rate"')]);
        expect([rate, html]).toEqual([rate, expect.stringContaining('value="Odd tax"')]);
      }
      expect(await taxNames()).toEqual(PRESET_NAMES);
    });

    it('rejects a name already in use', async () => {
      const rejected = await postForm(admin, '/admin/taxes/new', '/admin/taxes', {
        name: 'vat  22 %',
        rate: '22',
      });

      expect(rejected.status).toBe(422);
      expect(rejected.text).toContain('id="error-name"');
      expect(await taxNames()).toEqual(PRESET_NAMES);
    });

    it('reads an Italian decimal comma', async () => {
      const result = await testApp.app
        .get(TaxesService)
        .save(ADMIN, null, { name: 'IVA agevolata', rate: '5,5', active: '1' }, 'comma');

      expect(result.ok).toBe(true);
      expect(result.ok ? result.tax.rate.toFixed() : undefined).toBe('5.5');
    });

    it('non-administrator gets 403', async () => {
      await createUser(testApp, 'anna', SALESPERSON_ROLE);
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const page = await anna.get('/admin/taxes/new');
      const token = /name="_csrf" value="([^"]+)"/.exec((await anna.get('/account')).text)![1];

      const posted = await anna
        .post('/admin/taxes')
        .type('form')
        .send({ _csrf: token, name: 'Sneaky', rate: '1' });

      expect((await anna.get('/admin/taxes')).status).toBe(403);
      expect(page.status).toBe(403);
      expect(posted.status).toBe(403);
      expect((await anna.get('/potentials')).text).not.toContain('href="/admin/taxes"');
      expect(await taxNames()).toEqual(PRESET_NAMES);
    });

    it('rejects a POST without a CSRF token', async () => {
      const posted = await admin.post('/admin/taxes').type('form').send({ name: 'No token', rate: '1' });

      expect(posted.status).toBe(403);
      expect(await taxNames()).toEqual(PRESET_NAMES);
    });

    it('TaxesService keeps rates exact', async () => {
      const taxes = testApp.app.get(TaxesService);
      for (const [name, rate] of [
        ['Smallest', '0.001'],
        ['Largest', '99.999'],
        ['Whole', '100'],
        ['Zero', '0'],
      ]) {
        const result = await taxes.save(ADMIN, null, { name, rate, active: '1' }, 'dot');
        expect([name, result.ok]).toEqual([name, true]);
      }

      const rates = Object.fromEntries((await taxes.list()).map((tax) => [tax.name, tax.rate.toFixed()]));
      const stored = await query<{ name: string; rate_thousandths: number | string }>(
        "SELECT name, rate_thousandths FROM taxes WHERE name IN ('Smallest', 'Largest', 'Whole', 'Zero')",
      );

      expect(rates).toMatchObject({ Smallest: '0.001', Largest: '99.999', Whole: '100', Zero: '0' });
      expect(Object.fromEntries(stored.map((row) => [row.name, Number(row.rate_thousandths)]))).toEqual({
        Smallest: 1,
        Largest: 99999,
        Whole: 100000,
        Zero: 0,
      });
      expect((await taxes.findByName('vat 22 %'))?.rate.toFixed()).toBe('22');
      expect(await taxes.find(999999)).toBeNull();
    });
  });
});
