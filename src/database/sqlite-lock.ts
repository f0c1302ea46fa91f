import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * Serialises database work on the embedded SQLite database.
 *
 * TypeORM's better-sqlite3 driver has one connection and one query runner for the whole process, so
 * two requests that each open a transaction would share it: the second BEGIN fails, or its statements
 * land inside the first request's transaction. This lock lets one transaction run at a time and makes
 * statements from outside it wait until it ends. Work inside a transaction runs straight through,
 * recognised by the async context the transaction started.
 *
 * A transaction started on the query runner directly (such as Repository.save with its default
 * options) carries no context, so while it runs other statements without a context are not held
 * back; only transactions started through DataSource.transaction are fully isolated.
 */
export function installSqliteLock(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;

  const context = new AsyncLocalStorage<symbol>();
  let holder: symbol | null = null;
  let tail: Promise<void> = Promise.resolve();

  /** Waits for the lock and returns the function that releases it. */
  async function acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  const DIRECT = Symbol('transaction started on the query runner');
  let directRelease: (() => void) | null = null;
  const endDirect = () => {
    holder = null;
    directRelease?.();
    directRelease = null;
  };
  const insideTransaction = () =>
    holder !== null &&
    (context.getStore() === holder || (holder === DIRECT && context.getStore() === undefined));

  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = async (...args: unknown[]) => {
    if (insideTransaction()) return transaction(...args);

    const release = await acquire();
    const token = Symbol('transaction');
    holder = token;
    try {
      return await context.run(token, () => transaction(...args));
    } finally {
      holder = null;
      release();
    }
  };

  const runner: QueryRunner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    if (insideTransaction()) return query(...args);

    const release = await acquire();
    try {
      return await query(...args);
    } finally {
      release();
    }
  }) as QueryRunner['query'];

  // A transaction started on the runner itself (Repository.save with its default options) holds the
  // lock until it ends. Its statements carry no transaction context, so while it runs, statements
  // without a context pass; transactions of other requests still wait for it.
  const startTransaction = runner.startTransaction.bind(runner);
  runner.startTransaction = async (isolationLevel) => {
    if (insideTransaction()) return startTransaction(isolationLevel);

    const release = await acquire();
    holder = DIRECT;
    directRelease = release;
    try {
      await startTransaction(isolationLevel);
    } catch (error) {
      endDirect();
      throw error;
    }
  };

  for (const method of ['commitTransaction', 'rollbackTransaction'] as const) {
    const original = runner[method].bind(runner);
    runner[method] = async () => {
      try {
        await original();
      } finally {
        if (holder === DIRECT && !runner.isTransactionActive) endDirect();
      }
    };
  }
}
