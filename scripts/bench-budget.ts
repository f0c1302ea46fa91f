/**
 * Measures the Budget page for one year on a large pipeline. It times the full GET /budget request for
 * each grouping, as the administrator and as a salesperson under Private sharing. The baseline is the
 * potentials list's first page with its totals in the same run. Prints the median and the 95th percentile.
 *
 *   npm run bench:budget                        # SQLite in a temporary folder, 100,000 potentials
 *   BENCH_ROWS=20000 npm run bench:budget
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/affari_bench npm run bench:budget   # an empty database
 */
import { performance } from 'node:perf_hooks';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { BUDGET_GROUPINGS } from '../modules/budget/budget-figures.js';
import { SALES_STAGES } from '../modules/potentials/potentials.manifest.js';
import { RolesService } from '../src/roles/roles.service.js';
import { PRODUCT_LINES } from '../src/records/shared-picklists.js';
import type { CurrentUser } from '../src/access/current-user.js';
import {
  BENCH_PASSWORD,
  createBenchUser,
  deleteSeededRecords,
  medianOf,
  p95Of,
  ROWS,
  SALES_MANAGER_ROLE,
  seedPotentials,
  startBenchApp,
} from './bench-support.js';

const RUNS = 20;
const YEARS = [2024, 2025, 2026, 2027, 2028];
const MEASURED_YEAR = 2026;
const TEAMS = ['Central', 'East', 'West'];
const SALESPEOPLE = 35;

type Agent = InstanceType<typeof request.agent>;

/** Creates a team role under the sales manager for each of TEAMS and spreads the salespeople over them. */
async function createTeams(app: NestExpressApplication): Promise<CurrentUser[]> {
  const roles = app.get(RolesService);
  const teamRoles: number[] = [];
  for (const team of TEAMS) {
    const result = await roles.create(team, SALES_MANAGER_ROLE);
    if (!result.ok || !result.role) throw new Error(`Creating the role ${team} failed`);
    teamRoles.push(result.role.id);
  }

  const salespeople: CurrentUser[] = [];
  for (let i = 0; i < SALESPEOPLE; i++)
    salespeople.push(await createBenchUser(app, `seller${i + 1}`, teamRoles[i % teamRoles.length]));
  return salespeople;
}

/**
 * Returns the columns of the i-th potential: a close date spread over YEARS, a stage with its own
 * probability, an effective close date on the closed ones, and a product line.
 */
function spreadColumns(i: number): Record<string, string | number | null> {
  const year = YEARS[Math.floor(i / 7) % YEARS.length];
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  const closeDate = `${year}-${month}-${day}`;
  const stage = SALES_STAGES[i % SALES_STAGES.length];
  return {
    expected_close_date: closeDate,
    sales_stage: stage.value,
    probability: stage.probability,
    effective_close_date: stage.outcome === 'open' ? null : closeDate,
    product_line: PRODUCT_LINES[i % PRODUCT_LINES.length],
  };
}

/** Logs in through the login form and returns an agent that keeps the session cookie. */
async function login(app: NestExpressApplication, username: string): Promise<Agent> {
  const agent = request.agent(app.getHttpServer());
  const page = await agent.get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error('The login page has no CSRF token');
  const response = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: token, username, password: BENCH_PASSWORD });
  if (response.status !== 303) throw new Error(`Login as ${username} failed with status ${response.status}`);
  return agent;
}

/** Requests the page RUNS times after one warm-up request and returns the times in milliseconds. */
async function timeGet(agent: Agent, path: string): Promise<number[]> {
  const warmUp = await agent.get(path);
  if (warmUp.status !== 200) throw new Error(`GET ${path} returned ${warmUp.status}`);

  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    await agent.get(path);
    times.push(performance.now() - start);
  }
  return times;
}

async function main(): Promise<void> {
  const bench = await startBenchApp();
  const { app, dataSource } = bench;

  try {
    const salespeople = await createTeams(app);
    await dataSource.query(`INSERT INTO sharing_settings (module, level) VALUES ('potentials', 'private')`);
    await seedPotentials(
      bench,
      salespeople.map((user) => user.id),
      spreadColumns,
    );

    const viewers = [
      { label: 'administrator', agent: await login(app, 'admin') },
      { label: `salesperson (1 in ${SALESPEOPLE})`, agent: await login(app, salespeople[0].username) },
    ];
    const baseline = await timeGet(viewers[0].agent, '/potentials');
    const baselineMedian = medianOf(baseline);

    console.log(`${RUNS} runs a request after one warm-up, ${ROWS} potentials over ${YEARS.join(', ')}`);
    console.log(`${'request'.padEnd(52)}  median     p95   median ÷ list page`);
    const line = (label: string, times: number[]) =>
      console.log(
        `${label.padEnd(52)} ${medianOf(times).toFixed(1).padStart(7)} ${p95Of(times).toFixed(1).padStart(7)}` +
          `   ${(medianOf(times) / baselineMedian).toFixed(2)}×`,
      );
    line('potentials list, page 1 with totals', baseline);
    for (const { label, agent } of viewers) {
      for (const grouping of BUDGET_GROUPINGS) {
        const path = `/budget?year=${MEASURED_YEAR}&period=year&groupBy=${grouping}`;
        line(`budget ${MEASURED_YEAR} by ${grouping}, ${label}`, await timeGet(agent, path));
      }
    }
  } finally {
    if (bench.config.databaseUrl) {
      await deleteSeededRecords(bench);
      const teams = TEAMS.map(() => '?').join(', ');
      await dataSource.query(
        `DELETE FROM role_profiles WHERE role_id IN (SELECT id FROM roles WHERE name IN (${teams}))`,
        TEAMS,
      );
      await dataSource.query(`DELETE FROM roles WHERE name IN (${teams})`, TEAMS);
    }
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
