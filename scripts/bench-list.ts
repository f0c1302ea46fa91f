/**
 * Measures the potentials list on a large pipeline: the first page, a deep page reached by keyset cursor,
 * the same deep page through OFFSET, and the filtered totals. Prints medians and ratios to the first page.
 *
 *   npm run bench:list                        # SQLite in a temporary folder, 100,000 potentials
 *   BENCH_ROWS=20000 npm run bench:list
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/affari_bench npm run bench:list   # an empty database
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/configuration.js';
import { createApp } from '../src/app-factory.js';
import { encodeCursor } from '../src/records/keyset.js';
import { ModuleRegistry } from '../src/records/module-registry.js';
import { RecordsService } from '../src/records/records.service.js';
import { utcNow } from '../src/records/values.js';
import { toCurrentUser, UsersService } from '../src/users/users.service.js';
import type { CurrentUser } from '../src/access/current-user.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100000);
const BATCH = 500;
const REPEAT = 7;
const STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
/** Role ids of a fresh install: Organisation 1, Sales Manager 2, Salesperson 3. */
const SALES_MANAGER_ROLE = 2;
const SALESPERSON_ROLE = 3;
const ADMIN = { id: 1, username: 'admin', fullName: 'Administrator', isAdmin: true, locale: 'en' as const };

async function median(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function seed(dataSource: DataSource, owners: number[]): Promise<void> {
  const now = utcNow();
  for (let first = 0; first < ROWS; first += BATCH) {
    const rows: Record<string, string | number>[] = [];
    for (let i = first; i < Math.min(first + BATCH, ROWS); i++) {
      const month = String((i % 12) + 1).padStart(2, '0');
      const day = String((i % 28) + 1).padStart(2, '0');
      rows.push({
        potential_name: `Bench deal ${i}`,
        potential_no: `POT${i + 1}`,
        amount_cents: String(((i * 7919) % 5000000) + 100),
        expected_close_date: `2027-${month}-${day}`,
        sales_stage: STAGES[i % STAGES.length],
        probability: (i % 10) * 10,
        assigned_user_id: owners[i % owners.length],
        created_at: now,
        updated_at: now,
        created_by_id: 1,
        modified_by_id: 1,
      });
    }
    await dataSource.transaction((manager) =>
      manager.createQueryBuilder().insert().into('potentials').values(rows).execute(),
    );
  }
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'affari-bench-'));
  const env = {
    ADMIN_PASSWORD: 'bench-password',
    LOG_LEVEL: 'quiet',
    SQLITE_PATH: join(folder, 'bench.sqlite'),
  };
  const config = loadConfig(
    process.env.BENCH_DATABASE_URL ? { ...env, DATABASE_URL: process.env.BENCH_DATABASE_URL } : env,
  );
  const app = await createApp(config);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const records = app.get(RecordsService);

  try {
    // Twenty salespeople own the potentials; a sales manager sees all of them through the role tree.
    const users = app.get(UsersService);
    const createUser = async (username: string, roleId: number) => {
      const result = await users.save(null, {
        fullName: username,
        username,
        password: 'bench-password',
        roleId,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return toCurrentUser((await users.findById(result.user.id))!);
    };
    const salespeople: CurrentUser[] = [];
    for (let i = 1; i <= 20; i++) salespeople.push(await createUser(`seller${i}`, SALESPERSON_ROLE));
    const manager = await createUser('manager', SALES_MANAGER_ROLE);
    await dataSource.query(`INSERT INTO sharing_settings (module, level) VALUES ('potentials', 'private')`);

    const seedStart = performance.now();
    await seed(
      dataSource,
      salespeople.map((user) => user.id),
    );
    console.log(
      `Seeded ${ROWS} potentials in ${Math.round(performance.now() - seedStart)} ms on ${config.databaseUrl ? 'MariaDB/MySQL' : 'SQLite'}`,
    );

    const pageSize = 50;
    const deepPage = Math.floor((ROWS - pageSize) / pageSize);
    const [boundary] = await dataSource.query<{ expected_close_date: string; id: number }[]>(
      `SELECT expected_close_date, id FROM potentials ORDER BY expected_close_date, id LIMIT 1 OFFSET ${deepPage * pageSize - 1}`,
    );
    const cursor = encodeCursor({
      value: String(boundary.expected_close_date).slice(0, 10),
      id: Number(boundary.id),
    });
    const request = { filters: {}, sort: 'expected_close_date', direction: 'asc' as const, pageSize };

    const firstPage = await median(() => records.list('potentials', ADMIN, request));
    const keysetPage = await median(() =>
      records.list('potentials', ADMIN, { ...request, after: cursor, page: deepPage + 1 }),
    );
    const offsetPage = await median(() =>
      records.list('potentials', ADMIN, { ...request, page: deepPage + 1 }),
    );
    const filteredTotals = await median(() =>
      records.list('potentials', ADMIN, {
        ...request,
        filters: { sales_stage: 'Closed Won', assigned_user_id: String(salespeople[0].id) },
      }),
    );

    const managerPage = await median(() => records.list('potentials', manager, request));
    const sellerPage = await median(() => records.list('potentials', salespeople[0], request));

    const manifest = app.get(ModuleRegistry).get('potentials');
    const totalsAlone = await median(() =>
      records.summarise(manifest, records.filteredQuery('potentials', ADMIN, { filters: {} })),
    );

    const ratio = (ms: number) => (ms / firstPage).toFixed(2);
    console.log(`median of ${REPEAT} runs, page of ${pageSize}, totals included in every list call`);
    console.log(`first page                      ${firstPage.toFixed(1)} ms`);
    console.log(
      `page ${deepPage + 1} by keyset cursor     ${keysetPage.toFixed(1)} ms  (${ratio(keysetPage)}× first page)`,
    );
    console.log(
      `page ${deepPage + 1} by OFFSET            ${offsetPage.toFixed(1)} ms  (${ratio(offsetPage)}× first page)`,
    );
    console.log(
      `count and totals alone          ${totalsAlone.toFixed(1)} ms  (${ratio(totalsAlone)}× first page)`,
    );
    console.log(
      `first page, stage+user filter   ${filteredTotals.toFixed(1)} ms  (${ratio(filteredTotals)}× first page)`,
    );
    console.log('under Private sharing, the same first page through the access scope:');
    console.log(
      `sales manager (sees every row)  ${managerPage.toFixed(1)} ms  (${ratio(managerPage)}× unscoped)`,
    );
    console.log(
      `salesperson (sees 1 row in 20)  ${sellerPage.toFixed(1)} ms  (${ratio(sellerPage)}× unscoped)`,
    );
  } finally {
    if (config.databaseUrl) {
      // The benchmark's own database is left as it found it: empty of records, users and settings.
      await dataSource.query('DELETE FROM potentials');
      await dataSource.query('DELETE FROM sharing_settings');
      await dataSource.query(`DELETE FROM users WHERE username <> 'admin'`);
    }
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
