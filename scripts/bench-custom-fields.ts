/**
 * Measures custom fields on a large pipeline. It times the addition of a custom field while a second
 * connection reads and writes the pipeline. Then it times the potentials list sorted and filtered on an
 * indexed custom field and on a standard field, and prints the medians and the ratio between them.
 *
 *   npm run bench:custom-fields                        # SQLite in a temporary folder, 100,000 potentials
 *   BENCH_ROWS=20000 npm run bench:custom-fields
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/affari_bench npm run bench:custom-fields   # an empty database
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DataSource, ObjectLiteral } from 'typeorm';
import { CustomFieldsService } from '../src/layout/custom-fields.service.js';
import { encodeCursor } from '../src/records/keyset.js';
import { ListQuery, RecordsService } from '../src/records/records.service.js';
import {
  ADMIN,
  BenchApp,
  createSalesTeam,
  deleteSeededRecords,
  medianOf,
  REPEAT,
  ROWS,
  seedPotentials,
  startBenchApp,
} from './bench-support.js';

/** The database of the pipeline worker: the application's SQLite file or MariaDB/MySQL URL. */
interface PipelineTarget {
  sqlitePath?: string;
  databaseUrl?: string;
  /** The board's query joins the custom-field table once it exists. */
  joinCustomTable: boolean;
}

/** Times of the pipeline worker's rounds while a custom field was added. */
interface PipelineTimes {
  rounds: number;
  /** The maximum round time, in milliseconds, and the median one. */
  maximum: number;
  median: number;
}

/**
 * One round of the pipeline's work: the board's totals per stage, read through the custom-field table, and
 * a change of one potential's probability. A round that waits for a lock of the DDL shows as a long round.
 */
const BOARD_QUERY =
  'SELECT p.sales_stage, COUNT(*) AS n, SUM(p.amount_cents) AS total FROM potentials p WHERE p.assigned_user_id = ? GROUP BY p.sales_stage';
/** The same totals read through the custom-field table; MAX(c.id) keeps MariaDB from leaving the join out. */
const BOARD_QUERY_WITH_CUSTOM_TABLE =
  'SELECT p.sales_stage, COUNT(*) AS n, SUM(p.amount_cents) AS total, MAX(c.id) AS last_id FROM potentials p LEFT JOIN potentials_cf c ON c.id = p.id WHERE p.assigned_user_id = ? GROUP BY p.sales_stage';
const UPDATE_QUERY = 'UPDATE potentials SET probability = ? WHERE id = ?';

/** Runs pipeline rounds on its own connection until the main thread posts 'stop', then posts the times. */
async function runPipelineWorker(target: PipelineTarget): Promise<void> {
  const times: number[] = [];
  let stopping = false;
  parentPort!.on('message', () => (stopping = true));

  const connection = new DataSource(
    target.sqlitePath
      ? { type: 'better-sqlite3', database: target.sqlitePath, timeout: 30000 }
      : { type: 'mariadb', url: target.databaseUrl!.replace(/^mariadb:/, 'mysql:') },
  );
  await connection.initialize();
  parentPort!.postMessage('ready');
  for (let round = 0; !stopping; round++) {
    const start = performance.now();
    const owner = 2 + (round % 20);
    const id = 1 + ((round * 7919) % ROWS);
    await connection.query(target.joinCustomTable ? BOARD_QUERY_WITH_CUSTOM_TABLE : BOARD_QUERY, [owner]);
    await connection.query(UPDATE_QUERY, [round % 100, id]);
    times.push(performance.now() - start);
    // Yields to the message that stops the loop, which SQLite's synchronous calls would otherwise keep out.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await connection.destroy();

  const result: PipelineTimes = {
    rounds: times.length,
    maximum: Math.max(0, ...times),
    median: times.length > 0 ? medianOf(times) : 0,
  };
  parentPort!.postMessage(result);
}

/**
 * Adds a custom field through the Layout Editor's service while a worker thread runs pipeline rounds on
 * its own connection, and returns the time of the addition with the worker's round times.
 */
async function timeAddition(
  bench: BenchApp,
  label: string,
  form: Record<string, string>,
): Promise<{ name: string; ms: number; pipeline: PipelineTimes }> {
  const joinCustomTable =
    (
      await bench.dataSource.query<unknown[]>(
        bench.config.databaseUrl
          ? `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'potentials_cf'`
          : `SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'potentials_cf'`,
      )
    ).length > 0;
  const target: PipelineTarget = bench.config.databaseUrl
    ? { databaseUrl: bench.config.databaseUrl, joinCustomTable }
    : { sqlitePath: bench.config.sqlitePath, joinCustomTable };
  const worker = new Worker(new URL(import.meta.url), { workerData: target });
  await new Promise((resolve) => worker.once('message', resolve));
  // Rounds before the addition set the worker's usual time.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const start = performance.now();
  const name = await bench.app
    .get(CustomFieldsService)
    .add(ADMIN, 'potentials', { label_en: label, block: 'info', ...form });
  const ms = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 500));

  const finished = new Promise<PipelineTimes>((resolve) => worker.once('message', resolve));
  worker.postMessage('stop');
  const pipeline = await finished;
  await worker.terminate();
  return { name, ms, pipeline };
}

async function main(): Promise<void> {
  const bench = await startBenchApp();
  const { app, dataSource } = bench;
  const records = app.get(RecordsService);

  try {
    const { salespeople } = await createSalesTeam(app);
    await seedPotentials(
      bench,
      salespeople.map((user) => user.id),
    );

    // The first custom field creates the custom-field table and gives every potential its row.
    const first = await timeAddition(bench, 'Fleet size', { type: 'integer' });
    // The second adds a column and its index to a custom-field table that has a row per potential.
    const second = await timeAddition(bench, 'Go-live date', { type: 'date', indexed: 'on' });
    const goLive = second.name;
    // The custom date takes the close date's values, so both lists sort and filter the same data.
    await dataSource.query(
      `UPDATE potentials_cf SET ${goLive} = (SELECT p.expected_close_date FROM potentials p WHERE p.id = potentials_cf.id)`,
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

    /**
     * Times the same list request on the standard close date and on the custom go-live date. The two
     * alternate, after one call of each that is not timed, so that other work on the machine slows both alike.
     */
    const pair = async (request: (field: string) => ListQuery) => {
      const standardCall = () => records.list('potentials', ADMIN, request('expected_close_date'));
      const customCall = () => records.list('potentials', ADMIN, request(goLive));
      await standardCall();
      await customCall();
      const times = { standard: [] as number[], custom: [] as number[] };
      for (let i = 0; i < REPEAT; i++) {
        times.standard.push(await timeOnce(standardCall));
        times.custom.push(await timeOnce(customCall));
      }
      return { standard: medianOf(times.standard), custom: medianOf(times.custom) };
    };
    const sorted = (field: string, direction: 'asc' | 'desc') => ({
      filters: {},
      sort: field,
      direction,
      pageSize,
    });
    const measurements: [string, { standard: number; custom: number }][] = [
      ['first page, sorted ascending', await pair((field) => sorted(field, 'asc'))],
      ['first page, sorted descending', await pair((field) => sorted(field, 'desc'))],
      [
        `page ${deepPage + 1} by keyset cursor`,
        await pair((field) => ({ ...sorted(field, 'asc'), after: cursor, page: deepPage + 1 })),
      ],
      [
        'one month, filtered and sorted',
        await pair((field) => ({
          ...sorted(field, 'asc'),
          filters: { [`${field}_from`]: '2027-03-01', [`${field}_to`]: '2027-03-31' },
        })),
      ],
      [
        'one day, filtered, sorted by name',
        await pair((field) => ({
          ...sorted('potential_name', 'asc'),
          filters: { [field]: '2027-03-03' },
        })),
      ],
    ];

    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`adding a custom field while the pipeline is read and written (${bench.databaseName}):`);
    for (const [what, result] of [
      ['first field (creates the table, one row per potential)', first],
      ['second field, indexed', second],
    ] as const)
      console.log(
        `${what}: ${seconds(result.ms)}; pipeline rounds ${result.pipeline.rounds}, median ${result.pipeline.median.toFixed(1)} ms, maximum ${result.pipeline.maximum.toFixed(1)} ms`,
      );

    console.log(`list, median of ${REPEAT} runs, page of ${pageSize}, totals included in every list call:`);
    console.log('measurement                         close date   indexed custom date   ratio');
    for (const [what, { standard, custom }] of measurements)
      console.log(
        `${what.padEnd(36)}${`${standard.toFixed(1)} ms`.padStart(10)}${`${custom.toFixed(1)} ms`.padStart(22)}   ${(custom / standard).toFixed(2)}×`,
      );

    for (const field of ['expected_close_date', goLive]) {
      console.log(`plan of the first page sorted on ${field}:`);
      const plan = await pageQueryPlan(bench, () => records.list('potentials', ADMIN, sorted(field, 'asc')));
      for (const line of plan) console.log(`  ${line}`);
      console.log(`plan of the first page filtered on one day of ${field}, sorted by name:`);
      const filteredPlan = await pageQueryPlan(bench, () =>
        records.list('potentials', ADMIN, {
          ...sorted('potential_name', 'asc'),
          filters: { [field]: '2027-03-03' },
        }),
      );
      for (const line of filteredPlan) console.log(`  ${line}`);
    }
  } finally {
    if (bench.config.databaseUrl) await deleteCustomFields(bench);
    if (bench.config.databaseUrl) await deleteSeededRecords(bench);
    await bench.close();
  }
}

/**
 * Returns the database's plan for the page query of a list call: the query is taken from TypeORM's logger
 * while the call runs, then explained (EXPLAIN on MariaDB/MySQL, EXPLAIN QUERY PLAN on SQLite).
 */
async function pageQueryPlan(bench: BenchApp, listCall: () => Promise<unknown>): Promise<string[]> {
  const logger = bench.dataSource.logger;
  const logQuery = logger.logQuery.bind(logger);
  let pageQuery: { query: string; parameters: unknown[] | ObjectLiteral } | undefined;
  logger.logQuery = (query, parameters, runner) => {
    if (query.includes('ORDER BY')) pageQuery = { query, parameters: parameters ?? [] };
    logQuery(query, parameters, runner);
  };
  try {
    await listCall();
  } finally {
    logger.logQuery = logQuery;
  }
  if (!pageQuery) return ['(no page query was logged)'];

  const explain = bench.config.databaseUrl ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN';
  const rows = await bench.dataSource.query<Record<string, string | number | null>[]>(
    `${explain} ${pageQuery.query}`,
    pageQuery.parameters,
  );
  return rows.map((row) =>
    bench.config.databaseUrl
      ? `${String(row.table)}: ${String(row.type)} on ${String(row.key)}, ${String(row.rows)} rows, ${row.Extra ?? ''}`
      : String(row.detail),
  );
}

/** Returns the time of one call, in milliseconds. */
async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Removes the custom fields the benchmark added, with their table and layout, from its own database. */
async function deleteCustomFields(bench: BenchApp): Promise<void> {
  await bench.dataSource.query('DROP TABLE IF EXISTS potentials_cf');
  for (const table of ['custom_fields', 'layout_fields', 'layout_blocks', 'layout_changes'])
    await bench.dataSource.query(`DELETE FROM ${table} WHERE module = 'potentials'`);
}

if (isMainThread)
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
else
  runPipelineWorker(workerData as PipelineTarget).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
