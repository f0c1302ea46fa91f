import { CurrentUser } from '../../src/access/current-user.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import { potentialsManifest } from '../../modules/potentials/potentials.manifest.js';
import { accountsManifest } from '../../modules/accounts/accounts.manifest.js';
import { campaignsManifest } from '../../modules/campaigns/campaigns.manifest.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

const ENGLISH_FORMAT = { numberFormat: 'dot', dateFormat: 'iso' } as const;
const SCRIPT_NAME = '<script>alert(1)</script>';
const ESCAPED_SCRIPT_NAME = '&lt;script&gt;alert(1)&lt;/script&gt;';
const TEMPLATE_NAME = '{{7*7}}';

/** Returns the text of the list's count line, such as "3 records". */
function listCountOf(html: string): string {
  return /<p class="mb-2" id="list-count">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

/** Returns the filters the list's warning names as ignored. */
function invalidFiltersOf(html: string): string[] {
  const text = /filter again: ([^<]*)<\/div>/.exec(html)?.[1] ?? '';
  return text.split(', ').map(unescapeHtml);
}

/** Returns the list's totals in page order: the amount, then the weighted amount for potentials. */
function listTotalsOf(html: string): string[] {
  return [...html.matchAll(/<span data-total="\d+">([^<]*)<\/span>/g)].map((match) => match[1]);
}

/** Returns the number of rows in the list's table body. */
function listRowCountOf(html: string): number {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>/g)].length;
}

describe.each(databaseKinds())('record pages on %s', (kind) => {
  let testApp: TestApp;
  let admin: CurrentUser;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    const row = await testApp.app.get(UsersService).findById(1);
    admin = { id: row!.id, username: row!.username, fullName: row!.fullName, isAdmin: true, locale: 'en' };
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
  });

  /** Saves a record through the records service, as a form would, and returns its id. */
  async function create(moduleName: string, input: Record<string, string>): Promise<number> {
    const result = await testApp.app.get(RecordsService).save(moduleName, admin, null, input, ENGLISH_FORMAT);
    if (!result.ok)
      throw new Error(`Creating a ${moduleName} record failed: ${JSON.stringify(result.errors)}`);
    return result.id;
  }

  function createPotential(input: Record<string, string>): Promise<number> {
    return create('potentials', {
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      ...input,
    });
  }

  async function createUser(username: string, fullName: string): Promise<number> {
    const result = await testApp.app.get(UsersService).save(null, {
      fullName,
      username,
      password: 'user-password-1',
      isActive: true,
      locale: 'en',
    });
    if (!result.ok) throw new Error(`Creating ${username} failed: ${JSON.stringify(result.errors)}`);
    return result.user.id;
  }

  /** Counts the rows of a module table that are not in the recycle bin. */
  async function countRows(table: string): Promise<number> {
    const rows = await testApp.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE deleted_at IS NULL`,
    );
    return Number(rows[0].n);
  }

  describe('unknown records', () => {
    it.each(['potentials', 'accounts', 'campaigns'])('gives the 404 page for %s', async (moduleName) => {
      const agent = await loginAgent(testApp.app);
      const page = await agent.get(`/${moduleName}/new`);
      const token = csrfToken(page.text);

      for (const id of ['9999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
        const detail = await agent.get(`/${moduleName}/${id}`);
        const edit = await agent.get(`/${moduleName}/${id}/edit`);
        const deletePage = await agent.get(`/${moduleName}/${id}/delete`);
        const update = await agent.post(`/${moduleName}/${id}`).type('form').send({ _csrf: token });
        const remove = await agent.post(`/${moduleName}/${id}/delete`).type('form').send({ _csrf: token });

        expect([id, 'detail', detail.status]).toEqual([id, 'detail', 404]);
        expect([id, 'edit', edit.status]).toEqual([id, 'edit', 404]);
        expect([id, 'delete page', deletePage.status]).toEqual([id, 'delete page', 404]);
        expect([id, 'update', update.status]).toEqual([id, 'update', 404]);
        expect([id, 'delete', remove.status]).toEqual([id, 'delete', 404]);
        expect(detail.text).toContain('This page or record does not exist');
      }
    });
  });

  describe('sorting', () => {
    it.each([potentialsManifest, accountsManifest, campaignsManifest])(
      'sorts every $name column both ways',
      async (manifest) => {
        const accountId = await create('accounts', {
          account_name: 'Acme Corp',
          website: 'https://acme.example',
        });
        const campaignId = await create('campaigns', {
          campaign_name: 'Spring fair',
          expected_revenue: '1500',
          expected_close_date: '2027-04-01',
        });
        await create('accounts', { account_name: 'Beta Srl' });
        await create('campaigns', { campaign_name: 'Autumn mailing' });
        await createPotential({
          potential_name: 'First deal',
          amount: '10',
          account_id: String(accountId),
          campaign_id: String(campaignId),
        });
        await createPotential({ potential_name: 'Second deal', amount: '20', sales_stage: 'Closed Won' });
        const agent = await loginAgent(testApp.app);

        for (const field of manifest.fields.filter((f) => f.listColumn)) {
          for (const direction of ['asc', 'desc']) {
            const response = await agent.get(`/${manifest.name}?sort=${field.name}&dir=${direction}`);

            expect([field.name, direction, response.status]).toEqual([field.name, direction, 200]);
            expect(listRowCountOf(response.text)).toBe(2);
          }
        }
      },
    );

    it('orders potentials by amount and weighted amount', async () => {
      await createPotential({ potential_name: 'Small', amount: '5', probability: '90' });
      await createPotential({ potential_name: 'Large', amount: '1000', probability: '1' });
      await createPotential({ potential_name: 'Middle', amount: '100', probability: '50' });
      const agent = await loginAgent(testApp.app);

      const names = async (query: string) => {
        const html = (await agent.get(`/potentials?${query}`)).text;
        return [...html.matchAll(/<a href="\/potentials\/\d+">([^<]*)<\/a>/g)].map((match) => match[1]);
      };

      expect(await names('sort=amount&dir=asc')).toEqual(['Small', 'Middle', 'Large']);
      expect(await names('sort=amount&dir=desc')).toEqual(['Large', 'Middle', 'Small']);
      expect(await names('sort=weighted_amount&dir=asc')).toEqual(['Small', 'Large', 'Middle']);
      expect(await names('sort=potential_name&dir=desc')).toEqual(['Small', 'Middle', 'Large']);
    });

    it('ignores a sort that is not a field', async () => {
      await createPotential({ potential_name: 'Only deal', amount: '5' });
      const agent = await loginAgent(testApp.app);

      for (const sort of ['amount_cents', 'password_hash', 'id; DROP TABLE potentials', 'description']) {
        const response = await agent.get(`/potentials?sort=${encodeURIComponent(sort)}&dir=desc`);

        expect([sort, response.status]).toEqual([sort, 200]);
        expect(response.text).toContain('Only deal');
      }
      expect(await countRows('potentials')).toBe(1);
    });
  });

  describe('search, filters and totals', () => {
    it('sums the exact decimal amounts of the filtered list', async () => {
      await createPotential({ potential_name: 'Dime', amount: '0.10', sales_stage: 'Prospecting' });
      await createPotential({ potential_name: 'Two dimes', amount: '0.20', sales_stage: 'Qualification' });
      await createPotential({
        potential_name: 'Big one',
        amount: '1,234.56',
        sales_stage: 'Negotiation/Review',
      });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get('/potentials');

      expect(listCountOf(response.text)).toBe('3 records');
      // 0.10 + 0.20 + 1234.56, and 0.10 × 10 % + 0.20 × 20 % + 1234.56 × 80 % = 987.698.
      expect(listTotalsOf(response.text)).toEqual(['€ 1,234.86', '€ 987.70']);
    });

    it('rounds the weighted total half up without float drift', async () => {
      // In binary floating point 1.45 × 50 / 100 is 0.72499999…, which rounds down to 0.72.
      await createPotential({ potential_name: 'Half cent', amount: '1.45', probability: '50' });
      await createPotential({ potential_name: 'Other deal', amount: '3.00', probability: '10' });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get('/potentials?q=half');

      expect(listCountOf(response.text)).toBe('1 record');
      expect(listTotalsOf(response.text)).toEqual(['€ 1.45', '€ 0.73']);
    });

    it('sums the whole filtered set, not only the first page', async () => {
      for (let index = 1; index <= 55; index++) {
        await createPotential({
          potential_name: `Bulk ${index}`,
          amount: '0.10',
          sales_stage: 'Prospecting',
        });
      }
      await createPotential({ potential_name: 'Outside', amount: '1000', sales_stage: 'Prospecting' });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get('/potentials?q=bulk');

      expect(listRowCountOf(response.text)).toBe(50);
      expect(listCountOf(response.text)).toBe('55 records');
      expect(listTotalsOf(response.text)).toEqual(['€ 5.50', '€ 0.55']);
      expect(response.text).toContain('Page 1 of 2');
    });

    it('narrows the list by search, stage, user and close date', async () => {
      const bruno = await createUser('bruno', 'Bruno Rossi');
      await createPotential({
        potential_name: 'Fleet renewal',
        amount: '100',
        sales_stage: 'Prospecting',
        expected_close_date: '2027-01-15',
      });
      await createPotential({
        potential_name: 'Fleet expansion',
        amount: '200',
        sales_stage: 'Qualification',
        expected_close_date: '2027-02-15',
        assigned_user_id: String(bruno),
      });
      await createPotential({
        potential_name: 'Office chairs',
        amount: '400',
        sales_stage: 'Qualification',
        expected_close_date: '2027-03-15',
        assigned_user_id: String(bruno),
      });
      await createPotential({
        potential_name: '100% match_test',
        amount: '800',
        sales_stage: 'Closed Won',
        expected_close_date: '2027-04-15',
      });
      const agent = await loginAgent(testApp.app);

      const cases: [string, string, string[]][] = [
        ['q=fleet', '2 records', ['€ 300.00']],
        ['q=FLEET%20exp', '1 record', ['€ 200.00']],
        ['q=100%25', '1 record', ['€ 800.00']],
        ['q=_', '1 record', ['€ 800.00']],
        ['sales_stage=Qualification', '2 records', ['€ 600.00']],
        [`assigned_user_id=${bruno}`, '2 records', ['€ 600.00']],
        [`assigned_user_id=${admin.id}`, '2 records', ['€ 900.00']],
        ['expected_close_date_from=2027-02-01&expected_close_date_to=2027-03-31', '2 records', ['€ 600.00']],
        ['expected_close_date_to=2027-02-15', '2 records', ['€ 300.00']],
        [`q=fleet&sales_stage=Qualification&assigned_user_id=${bruno}`, '1 record', ['€ 200.00']],
        ['sales_stage=Closed%20Lost', '0 records', ['€ 0.00']],
      ];
      for (const [query, count, [amountTotal]] of cases) {
        const response = await agent.get(`/potentials?${query}`);

        expect([query, response.status]).toEqual([query, 200]);
        expect([query, listCountOf(response.text)]).toEqual([query, count]);
        expect([query, listTotalsOf(response.text)[0]]).toEqual([query, amountTotal]);
      }
    });

    it('searches for backslashes and exclamation marks literally', async () => {
      await createPotential({ potential_name: 'Path C:\\temp!', amount: '1' });
      await createPotential({ potential_name: 'Path Ctemp', amount: '2' });
      const agent = await loginAgent(testApp.app);

      for (const search of ['C:\\temp', 'temp!', '!', '\\']) {
        const response = await agent.get(`/potentials?q=${encodeURIComponent(search)}`);

        expect([search, response.status]).toEqual([search, 200]);
        expect([search, listCountOf(response.text)]).toEqual([search, '1 record']);
      }
    });

    it('reports a filter with an invalid value', async () => {
      await createPotential({ potential_name: 'Fleet renewal', amount: '100' });
      const agent = await loginAgent(testApp.app);

      for (const [query, label] of [
        ['expected_close_date_from=not-a-date', 'Expected Close Date (from)'],
        ['expected_close_date_to=2027-02-30', 'Expected Close Date (to)'],
        ['assigned_user_id=abc', 'Assigned To'],
        ['amount_from=-5', 'Amount (from)'],
        ['probability=high', 'Probability %'],
      ]) {
        const response = await agent.get(`/potentials?${query}`);

        expect([query, response.status]).toEqual([query, 200]);
        expect(response.text).toContain('These filters were ignored because their value is not valid');
        expect([query, invalidFiltersOf(response.text)]).toEqual([query, [label]]);
        expect([query, listCountOf(response.text)]).toEqual([query, '1 record']);
      }
    });

    it('ignores a filter on a name that is not a field', async () => {
      await createPotential({ potential_name: 'Fleet renewal', amount: '100' });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get('/potentials?password_hash=x&amount_cents=1&1%3D1=1');

      expect(response.status).toBe(200);
      expect(listCountOf(response.text)).toBe('1 record');
    });
  });

  describe('accounts', () => {
    it('rejects a name that differs only in case and spaces', async () => {
      const agent = await loginAgent(testApp.app);
      const first = await postForm(agent, '/accounts/new', '/accounts', { account_name: 'ACME Corp' });

      const second = await postForm(agent, '/accounts/new', '/accounts', {
        account_name: ' acme  corp ',
        billing_city: 'Milano',
      });

      expect(first.status).toBe(303);
      expect(second.status).toBe(422);
      expect(second.text).toContain('id="error-account_name"');
      expect(second.text).toContain('is already in use');
      expect(second.text).toContain('value="Milano"');
      expect(await countRows('accounts')).toBe(1);
    });

    it('rejects a rename onto another account name', async () => {
      await create('accounts', { account_name: 'ACME Corp' });
      const betaId = await create('accounts', { account_name: 'Beta Srl' });
      const agent = await loginAgent(testApp.app);

      const response = await postForm(agent, `/accounts/${betaId}/edit`, `/accounts/${betaId}`, {
        account_name: 'acme corp',
      });
      const renamedInCase = await postForm(agent, `/accounts/${betaId}/edit`, `/accounts/${betaId}`, {
        account_name: 'BETA SRL',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-account_name"');
      expect(renamedInCase.status).toBe(303);
    });

    it('lists its potentials with their count and total', async () => {
      const accountId = await create('accounts', { account_name: 'Acme Corp' });
      const otherId = await create('accounts', { account_name: 'Beta Srl' });
      await createPotential({
        potential_name: 'Fleet renewal',
        amount: '0.10',
        account_id: String(accountId),
      });
      await createPotential({
        potential_name: 'Spare parts',
        amount: '1,234.56',
        account_id: String(accountId),
      });
      await createPotential({ potential_name: 'Not this one', amount: '50', account_id: String(otherId) });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get(`/accounts/${accountId}`);

      expect(response.status).toBe(200);
      expect(response.text).toContain('Fleet renewal');
      expect(response.text).toContain('Spare parts');
      expect(response.text).not.toContain('Not this one');
      expect(response.text).toContain('<span class="badge text-bg-secondary">2</span>');
      expect(response.text).toContain('<span data-total>€ 1,234.66</span>');
      expect(response.text).toContain(`href="/potentials?account_id&#x3D;${accountId}"`);
    });
  });

  describe('campaigns', () => {
    it('lists its potentials with their count and total', async () => {
      const campaignId = await create('campaigns', { campaign_name: 'Spring fair' });
      await createPotential({
        potential_name: 'Fair lead one',
        amount: '0.20',
        campaign_id: String(campaignId),
      });
      await createPotential({
        potential_name: 'Fair lead two',
        amount: '0.10',
        campaign_id: String(campaignId),
      });
      await createPotential({
        potential_name: 'Fair lead three',
        amount: '99.70',
        campaign_id: String(campaignId),
      });
      await createPotential({ potential_name: 'Unrelated', amount: '5' });
      const agent = await loginAgent(testApp.app);

      const response = await agent.get(`/campaigns/${campaignId}`);

      expect(response.status).toBe(200);
      expect(response.text).toContain('Fair lead three');
      expect(response.text).not.toContain('Unrelated');
      expect(response.text).toContain('<span class="badge text-bg-secondary">3</span>');
      expect(response.text).toContain('<span data-total>€ 100.00</span>');
    });
  });

  describe('delete', () => {
    it('asks for confirmation and bins only on the POST', async () => {
      const id = await createPotential({ potential_name: 'To be deleted', amount: '10' });
      const agent = await loginAgent(testApp.app);

      const confirm = await agent.get(`/potentials/${id}/delete`);

      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain(`action="/potentials/${id}/delete"`);
      expect(confirm.text).toContain('To be deleted');
      expect(await countRows('potentials')).toBe(1);

      const deleted = await agent
        .post(`/potentials/${id}/delete`)
        .type('form')
        .send({ _csrf: csrfToken(confirm.text) });

      expect(deleted.status).toBe(303);
      expect(deleted.headers.location).toBe('/potentials');
      const binned = await testApp.dataSource.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM potentials WHERE deleted_at IS NOT NULL',
      );
      expect(Number(binned[0].n)).toBe(1);
      expect((await agent.get(`/potentials/${id}`)).status).toBe(404);
    });

    it('keeps the record when the POST has no token', async () => {
      const id = await create('accounts', { account_name: 'Kept Ltd' });
      const agent = await loginAgent(testApp.app);

      const response = await agent.post(`/accounts/${id}/delete`).type('form').send({});

      expect(response.status).toBe(403);
      expect(await countRows('accounts')).toBe(1);
    });

    it('shows a binned account of a potential without a link', async () => {
      const accountId = await create('accounts', { account_name: 'Gone Ltd' });
      const potentialId = await createPotential({ potential_name: 'Orphan', account_id: String(accountId) });
      const agent = await loginAgent(testApp.app);

      const response = await postForm(
        agent,
        `/accounts/${accountId}/delete`,
        `/accounts/${accountId}/delete`,
        {},
      );

      expect(response.status).toBe(303);
      const detail = await agent.get(`/potentials/${potentialId}`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain('Gone Ltd');
      expect(detail.text).not.toContain(`href="/accounts/${accountId}"`);
    });
  });

  describe('escaping', () => {
    it('shows markup and template syntax in names literally', async () => {
      const accountId = await create('accounts', { account_name: TEMPLATE_NAME });
      const potentialId = await createPotential({
        potential_name: SCRIPT_NAME,
        amount: '10',
        account_id: String(accountId),
      });
      const templateId = await createPotential({ potential_name: `Deal ${TEMPLATE_NAME}`, amount: '20' });
      const agent = await loginAgent(testApp.app);

      const pages = {
        list: await agent.get('/potentials'),
        detail: await agent.get(`/potentials/${potentialId}`),
        templateDetail: await agent.get(`/potentials/${templateId}`),
        edit: await agent.get(`/potentials/${potentialId}/edit`),
        deletePage: await agent.get(`/potentials/${potentialId}/delete`),
        board: await agent.get('/pipeline'),
        account: await agent.get(`/accounts/${accountId}`),
        accountList: await agent.get('/accounts'),
      };

      for (const [name, page] of Object.entries(pages)) {
        expect([name, page.status]).toEqual([name, 200]);
        expect([name, page.text.includes(SCRIPT_NAME)]).toEqual([name, false]);
        expect([name, page.text.includes('&amp;lt;')]).toEqual([name, false]);
        expect([name, page.text.includes('>49<')]).toEqual([name, false]);
        expect([name, page.text.includes('Deal 49')]).toEqual([name, false]);
      }
      for (const name of ['list', 'detail', 'edit', 'deletePage', 'board', 'account'] as const) {
        expect([name, pages[name].text.includes(ESCAPED_SCRIPT_NAME)]).toEqual([name, true]);
      }
      for (const name of ['list', 'detail', 'board', 'account', 'accountList'] as const) {
        expect([name, pages[name].text.includes(TEMPLATE_NAME)]).toEqual([name, true]);
      }
      expect(pages.templateDetail.text).toContain(`Deal ${TEMPLATE_NAME}`);
    });

    it('never renders a javascript: website as a link', async () => {
      const agent = await loginAgent(testApp.app);

      const rejected = await postForm(agent, '/accounts/new', '/accounts', {
        account_name: 'Script Site Ltd',
        website: 'javascript:alert(document.cookie)',
      });

      expect(rejected.status).toBe(422);
      expect(rejected.text).toContain('id="error-website"');
      expect(await countRows('accounts')).toBe(0);

      // A value stored before the check, or by another path, must still not become a link.
      const id = await create('accounts', { account_name: 'Old Data Ltd' });
      await testApp.dataSource.query('UPDATE accounts SET website = ? WHERE id = ?', [
        'javascript:alert(1)',
        id,
      ]);
      const detail = await agent.get(`/accounts/${id}`);
      const list = await agent.get('/accounts');

      expect(detail.text).toContain('javascript:alert(1)');
      expect(detail.text).not.toMatch(/href="\s*javascript:/i);
      expect(list.text).not.toMatch(/href="\s*javascript:/i);
    });

    it('links an https website', async () => {
      const id = await create('accounts', {
        account_name: 'Web Ltd',
        website: 'https://web.example/a?b=1&c=2',
      });
      const agent = await loginAgent(testApp.app);

      const detail = await agent.get(`/accounts/${id}`);

      expect(detail.text).toContain('href="https://web.example/a?b&#x3D;1&amp;c&#x3D;2"');
      expect(detail.text).toContain('rel="noopener noreferrer nofollow"');
    });
  });

  describe('form errors', () => {
    it('keeps typed values and saves nothing when fields are invalid', async () => {
      const agent = await loginAgent(testApp.app);

      const response = await postForm(agent, '/potentials/new', '/potentials', {
        potential_name: 'Fleet renewal',
        amount: '-5',
        probability: '101',
        expected_close_date: '2027-02-30',
        sales_stage: 'Prospecting',
        next_step: 'Call <Anna>',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('id="error-amount"');
      expect(response.text).toContain('The amount cannot be negative.');
      expect(response.text).toContain('id="error-probability"');
      expect(response.text).toContain('Must be 100 or less.');
      expect(response.text).toContain('id="error-expected_close_date"');
      expect(response.text).toContain('This date does not exist.');
      expect(response.text).toContain('value="Fleet renewal"');
      expect(response.text).toContain('value="-5"');
      expect(response.text).toContain('value="101"');
      expect(response.text).toContain('value="2027-02-30"');
      expect(response.text).toContain('value="Call &lt;Anna&gt;"');
      expect(response.text).toContain('href="#field-amount"');
      expect(await countRows('potentials')).toBe(0);
    });

    it('keeps an over-long text whole and explains the limit', async () => {
      const agent = await loginAgent(testApp.app);
      const longName = 'A'.repeat(300);

      const form = await agent.get('/potentials/new');
      const response = await postForm(agent, '/potentials/new', '/potentials', {
        potential_name: longName,
        expected_close_date: '2027-02-28',
        sales_stage: 'Prospecting',
      });

      // A maxlength attribute would make the browser cut a pasted text short without a word.
      expect(form.text).toMatch(/id="field-potential_name"(?![^>]*maxlength)[^>]*>/);
      expect(response.status).toBe(422);
      expect(response.text).toContain('Too long: at most 255 characters.');
      expect(response.text).toContain(`value="${longName}"`);
      expect(await countRows('potentials')).toBe(0);
    });

    it('keeps the stored values when an edit is invalid', async () => {
      const id = await createPotential({ potential_name: 'Fleet renewal', amount: '10' });
      const agent = await loginAgent(testApp.app);

      const response = await postForm(agent, `/potentials/${id}/edit`, `/potentials/${id}`, {
        potential_name: 'Renamed',
        amount: '20',
        probability: '101',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
      });

      expect(response.status).toBe(422);
      const rows = await testApp.dataSource.query<
        { potential_name: string; amount_cents: string | number }[]
      >('SELECT potential_name, amount_cents FROM potentials WHERE id = ?', [id]);
      expect(rows[0].potential_name).toBe('Fleet renewal');
      expect(String(rows[0].amount_cents)).toBe('1000');
    });

    it.each([
      ['potential_no', 'POT999'],
      ['effective_close_date', '2020-01-01'],
      ['weighted_amount', '5'],
      ['created_by_id', '1'],
    ])('rejects the system field %s on create', async (field, value) => {
      const agent = await loginAgent(testApp.app);

      const response = await postForm(agent, '/potentials/new', '/potentials', {
        potential_name: 'Fleet renewal',
        amount: '10',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
        [field]: value,
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('This field is set by the system and cannot be changed.');
      expect(response.text).toContain('value="Fleet renewal"');
      expect(await countRows('potentials')).toBe(0);
    });

    it('rejects a system field on edit and keeps the stored value', async () => {
      const id = await createPotential({
        potential_name: 'Fleet renewal',
        amount: '10',
        sales_stage: 'Closed Won',
      });
      const before = await testApp.dataSource.query<{ potential_no: string; effective_close_date: string }[]>(
        'SELECT potential_no, effective_close_date FROM potentials WHERE id = ?',
        [id],
      );
      const agent = await loginAgent(testApp.app);

      const response = await postForm(agent, `/potentials/${id}/edit`, `/potentials/${id}`, {
        potential_name: 'Fleet renewal',
        amount: '10',
        expected_close_date: '2027-06-30',
        sales_stage: 'Closed Won',
        potential_no: 'POT999',
        effective_close_date: '2020-01-01',
      });

      expect(response.status).toBe(422);
      const after = await testApp.dataSource.query<{ potential_no: string; effective_close_date: string }[]>(
        'SELECT potential_no, effective_close_date FROM potentials WHERE id = ?',
        [id],
      );
      expect(after[0].potential_no).toBe(before[0].potential_no);
      expect(String(after[0].effective_close_date)).toBe(String(before[0].effective_close_date));
    });
  });
});
