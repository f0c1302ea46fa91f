/**
 * Measures the potentials list on a large pipeline: the first page, a deep page reached by keyset cursor,
 * the same deep page through OFFSET, and the filtered totals. Prints medians and ratios to the first page.
 *
 *   npm run bench:list                        # SQLite in a temporary folder, 100,000 potentials
 *   BENCH_ROWS=20000 npm run bench:list
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/affari_bench npm run bench:list   # an empty database
 */
import { encodeCursor } from '../src/records/keyset.js';
import { ModuleRegistry } from '../src/records/module-registry.js';
import { RecordsService } from '../src/records/records.service.js';
import {
  ADMIN,
  createSalesTeam,
  deleteSeededRecords,
  median,
  REPEAT,
  ROWS,
  seedPotentials,
  startBenchApp,
} from './bench-support.js';

async function main(): Promise<void> {
  const bench = await startBenchApp();
  const { app, dataSource } = bench;
  const records = app.get(RecordsService);

  try {
    // Twenty salespeople own the potentials; a sales manager sees all of them through the role tree.
    const { salespeople, manager } = await createSalesTeam(app);
    await dataSource.query(`INSERT INTO sharing_settings (module, level) VALUES ('potentials', 'private')`);
    await seedPotentials(
      bench,
      salespeople.map((user) => user.id),
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
    if (bench.config.databaseUrl) await deleteSeededRecords(bench);
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
