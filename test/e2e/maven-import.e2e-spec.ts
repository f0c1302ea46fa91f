import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { formatMoney } from '../../src/records/values.js';
import { importCsv } from '../support/csv-import.js';
import { databaseKinds, loginAgent, startTestApp, TestApp } from '../support/test-app.js';
import { uploadUsers } from '../support/users-import.js';

/**
 * The Maven Analytics "CRM + Sales + Opportunities" sample (fictitious data), loaded through
 * the import pages as a new user would. The data lives beside the repository, not in it.
 */
const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'maven-crm-sales-opportunities');
const hasData = existsSync(join(DATA, 'sales_pipeline.csv'));
if (!hasData) console.warn(`Skipping the Maven sample import: ${DATA} not found.`);

const readRows = (name: string): Record<string, string>[] =>
  parse(readFileSync(join(DATA, name)), { columns: true, skip_empty_lines: true });

/** Reads the name and the closed won cell of each row of the Budget page's table body and footer. */
function closedWonByRow(html: string): Map<string, string> {
  const cells = new Map<string, string>();
  // The charts' figure tables name the same rows, so only the budget table is read.
  const table = /<table class="[^"]*budget-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const rows = table.matchAll(/<tr[^>]*>\s*<th scope="row">([^<]*)<\/th>([\s\S]*?)<\/tr>/g);
  for (const [, name, rest] of rows) {
    const figures = [...rest.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((match) => match[1]);
    // The figure columns are pipeline, best case, commit and closed won, in that order.
    cells.set(name, figures[3]);
  }
  return cells;
}

(hasData ? describe.each(databaseKinds()) : describe.skip.each(databaseKinds()))(
  'Maven sample import on %s',
  (kind) => {
    let testApp: TestApp;
    let teamOutcome: Awaited<ReturnType<typeof uploadUsers>>;
    let accountsOutcome: Awaited<ReturnType<typeof importCsv>>;
    let pipelineOutcome: Awaited<ReturnType<typeof importCsv>>;
    let agent: Awaited<ReturnType<typeof loginAgent>>;

    const query = <T>(sql: string) => testApp.dataSource.query<T[]>(sql);

    beforeAll(async () => {
      testApp = await startTestApp(kind);
      agent = await loginAgent(testApp.app);
      teamOutcome = await uploadUsers(agent, readFileSync(join(DATA, 'sales_teams.csv')));
      accountsOutcome = await importCsv(agent, 'accounts', readFileSync(join(DATA, 'accounts.csv')), {
        mapping: { account: 'account_name', office_location: 'billing_country' },
      });
      pipelineOutcome = await importCsv(agent, 'potentials', readFileSync(join(DATA, 'sales_pipeline.csv')), {
        upload: { dateFormat: 'iso', numberFormat: 'dot' },
        mapping: {
          opportunity_id: 'potential_name',
          sales_agent: 'assigned_user_id',
          account: 'account_id',
          deal_stage: 'sales_stage',
          close_date: 'expected_close_date',
          close_value: 'amount',
        },
        defaults: { close_date: '2017-12-31' },
        choices: { Won: 'Closed Won', Lost: 'Closed Lost', Engaging: 'Qualification' },
      });
    }, 120_000);
    afterAll(async () => {
      await testApp.close();
    });

    it('creates 35 agents by users import', async () => {
      const agents = readRows('sales_teams.csv').map((row) => row.sales_agent);
      const rows = await query<{ full_name: string }>('SELECT full_name FROM users WHERE is_admin = 0');

      expect(teamOutcome.status).toBe(200);
      expect(agents).toHaveLength(35);
      const names = new Set(rows.map((row) => row.full_name));
      expect(agents.filter((name) => !names.has(name))).toEqual([]);
    });

    it('imports 85 accounts', async () => {
      const count = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM accounts');

      expect(accountsOutcome.counts).toEqual({ read: 85, created: 85, failed: 0, skipped: 0 });
      expect(Number(count[0].n)).toBe(85);
    });

    it('imports 8,800 potentials', async () => {
      const count = await query<{ n: number | string }>('SELECT COUNT(*) AS n FROM potentials');

      expect(pipelineOutcome.counts).toEqual({ read: 8800, created: 8800, failed: 0, skipped: 0 });
      expect(Number(count[0].n)).toBe(8800);
    });

    it('assigns each potential to its agent', async () => {
      const expected = new Map(
        readRows('sales_pipeline.csv').map((row) => [row.opportunity_id, row.sales_agent]),
      );

      const rows = await query<{ potential_name: string; full_name: string }>(
        'SELECT p.potential_name, u.full_name FROM potentials p JOIN users u ON u.id = p.assigned_user_id',
      );

      expect(rows).toHaveLength(8800);
      const wrong = rows.filter((row) => expected.get(row.potential_name) !== row.full_name);
      expect(wrong).toEqual([]);
    });

    it('links each potential to its account', async () => {
      const expected = new Map(
        readRows('sales_pipeline.csv').map((row) => [row.opportunity_id, row.account]),
      );

      const rows = await query<{ potential_name: string; account_name: string | null }>(
        'SELECT p.potential_name, a.account_name FROM potentials p LEFT JOIN accounts a ON a.id = p.account_id',
      );

      const wrong = rows.filter((row) => (expected.get(row.potential_name) || null) !== row.account_name);
      expect(wrong).toEqual([]);
    });

    it('totals the won potentials exactly', async () => {
      const rows = await query<{ n: number | string; cents: number | string }>(
        `SELECT COUNT(*) AS n, SUM(amount_cents) AS cents FROM potentials WHERE sales_stage = 'Closed Won'`,
      );

      expect(Number(rows[0].n)).toBe(4238);
      expect(new Decimal(String(rows[0].cents)).dividedBy(100).toFixed(2)).toBe('10005534.00');
    });

    it('records closed deals on their close date', async () => {
      const expected = new Map(
        readRows('sales_pipeline.csv').map((row) => [row.opportunity_id, row.close_date]),
      );

      const rows = await query<{
        potential_name: string;
        to_stage: string;
        effective_close_date: string | null;
      }>(
        `SELECT p.potential_name, c.to_stage, c.effective_close_date
           FROM potential_stage_changes c JOIN potentials p ON p.id = c.potential_id`,
      );

      expect(rows).toHaveLength(8800);
      const closed = rows.filter((row) => row.to_stage === 'Closed Won' || row.to_stage === 'Closed Lost');
      expect(closed).toHaveLength(4238 + 2473);
      const wrong = closed.filter((row) => row.effective_close_date !== expected.get(row.potential_name));
      expect(wrong).toEqual([]);
    });

    it('shows the same won totals on the list', async () => {
      const list = await agent.get('/potentials?sales_stage=Closed%20Won');

      expect(list.status).toBe(200);
      expect(list.text).toContain('<p class="mb-2" id="list-count">4,238 records</p>');
      expect(list.text).toContain('<span data-total="0">€ 10,005,534.00</span>');
    });

    it('shows the same won totals on the board', async () => {
      const board = await agent.get('/pipeline');

      const column =
        /data-stage="Closed Won"[\s\S]*?<span data-count>([^<]*)<\/span> · <span data-total>([^<]*)</.exec(
          board.text,
        );
      expect(column?.[1]).toBe('4,238 potentials');
      expect(column?.[2]).toBe('€ 10,005,534.00');
    });

    it('shows agent closed won on 2017 budget', async () => {
      const wonCents = new Map<string, Decimal>();
      for (const row of readRows('sales_pipeline.csv')) {
        if (row.deal_stage !== 'Won' || !row.close_date.startsWith('2017-')) continue;
        const cents = new Decimal(row.close_value).times(100);
        wonCents.set(row.sales_agent, (wonCents.get(row.sales_agent) ?? new Decimal(0)).plus(cents));
      }

      const page = await agent.get('/budget?year=2017&period=year&groupBy=salesperson');

      expect(page.status).toBe(200);
      const cells = closedWonByRow(page.text);
      expect(wonCents.size).toBe(30);
      for (const [name, cents] of wonCents)
        expect([name, cells.get(name)]).toEqual([name, formatMoney(cents.dividedBy(100), 'en')]);
      const sum = [...wonCents.values()].reduce((total, cents) => total.plus(cents), new Decimal(0));
      expect(formatMoney(sum.dividedBy(100), 'en')).toBe('€ 10,005,534.00');
      expect(cells.get('Total')).toBe('€ 10,005,534.00');
    });
  },
);
