/**
 * Shared parts of the benchmark scripts: the application on a temporary SQLite file or on BENCH_DATABASE_URL,
 * the salespeople who own the potentials, the seeding of the potentials, and the timing of a call.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../config/configuration.js';
import { createApp } from '../src/app-factory.js';
import { utcNow } from '../src/records/values.js';
import { toCurrentUser, UsersService } from '../src/users/users.service.js';
import type { CurrentUser } from '../src/access/current-user.js';

export const ROWS = Number(process.env.BENCH_ROWS ?? 100000);
export const REPEAT = 7;
const BATCH = 500;
const STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
/** Role ids of a fresh install: Organisation 1, Sales Manager 2, Salesperson 3. */
export const SALES_MANAGER_ROLE = 2;
export const SALESPERSON_ROLE = 3;
/** The password of the administrator and of every user the benchmarks create. */
export const BENCH_PASSWORD = 'bench-password';
export const ADMIN: CurrentUser = {
  id: 1,
  username: 'admin',
  fullName: 'Administrator',
  isAdmin: true,
  locale: 'en',
};

export interface BenchApp {
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** The name of the database for the printed figures. */
  databaseName: string;
  /** Closes the application and removes the temporary folder. */
  close(): Promise<void>;
}

/** Starts the application on a temporary SQLite file, or on the empty database of BENCH_DATABASE_URL. */
export async function startBenchApp(): Promise<BenchApp> {
  const folder = mkdtempSync(join(tmpdir(), 'affari-bench-'));
  const env = {
    ADMIN_PASSWORD: BENCH_PASSWORD,
    LOG_LEVEL: 'quiet',
    SQLITE_PATH: join(folder, 'bench.sqlite'),
  };
  const config = loadConfig(
    process.env.BENCH_DATABASE_URL ? { ...env, DATABASE_URL: process.env.BENCH_DATABASE_URL } : env,
  );
  const app = await createApp(config);
  return {
    app,
    config,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    databaseName: config.databaseUrl ? 'MariaDB/MySQL' : 'SQLite',
    close: async () => {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Returns the median time of REPEAT calls, in milliseconds. */
export async function median(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return medianOf(times);
}

/** Returns the median of the times, the middle one of an odd count. */
export function medianOf(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Returns the 95th percentile of the times by the nearest-rank method: the maximum below 20 times. */
export function p95Of(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.95) - 1];
}

/** Creates a user in the given role with BENCH_PASSWORD. */
export async function createBenchUser(
  app: NestExpressApplication,
  username: string,
  roleId: number,
): Promise<CurrentUser> {
  const users = app.get(UsersService);
  const result = await users.save(null, {
    fullName: username,
    username,
    password: BENCH_PASSWORD,
    roleId,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return toCurrentUser((await users.findById(result.user.id))!);
}

/** Creates twenty salespeople and a sales manager above them, whose scope contains their records through the role tree. */
export async function createSalesTeam(
  app: NestExpressApplication,
): Promise<{ salespeople: CurrentUser[]; manager: CurrentUser }> {
  const createUser = (username: string, roleId: number) => createBenchUser(app, username, roleId);
  const salespeople: CurrentUser[] = [];
  for (let i = 1; i <= 20; i++) salespeople.push(await createUser(`seller${i}`, SALESPERSON_ROLE));
  return { salespeople, manager: await createUser('manager', SALES_MANAGER_ROLE) };
}

/**
 * Inserts ROWS potentials in multi-row INSERTs, owned in turn by the given users, and prints the time.
 * Close dates cover the twelve months of 2027, stages and probabilities repeat in cycles. `columnsOf`
 * returns the columns that replace or add to these for the i-th potential.
 */
export async function seedPotentials(
  bench: BenchApp,
  owners: number[],
  columnsOf: (i: number) => Record<string, string | number | null> = () => ({}),
): Promise<void> {
  const start = performance.now();
  const now = utcNow();
  for (let first = 0; first < ROWS; first += BATCH) {
    const rows: Record<string, string | number | null>[] = [];
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
        ...columnsOf(i),
      });
    }
    await bench.dataSource.transaction((manager) =>
      manager.createQueryBuilder().insert().into('potentials').values(rows).execute(),
    );
  }
  console.log(
    `Seeded ${ROWS} potentials in ${Math.round(performance.now() - start)} ms on ${bench.databaseName}`,
  );
}

/** Deletes what the seeding added, so that the benchmark's own database is left empty as it was found. */
export async function deleteSeededRecords(bench: BenchApp): Promise<void> {
  await bench.dataSource.query('DELETE FROM potentials');
  await bench.dataSource.query('DELETE FROM sharing_settings');
  await bench.dataSource.query(`DELETE FROM users WHERE username <> 'admin'`);
}
