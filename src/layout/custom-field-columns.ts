import { DataSource, EntityManager, QueryResult, QueryRunner, Table, TableColumn } from 'typeorm';
import { columnOptions } from '../records/entity-schema.js';
import { columnOf, customFieldTable, FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { checkCustomFieldName, checkTableName } from './custom-fields.js';

/**
 * Seconds a custom field's DDL waits for the metadata lock of the custom-field table on MariaDB/MySQL.
 * While an ALTER waits for that lock, every later query on the table queues behind it, so a long report
 * holding the table would stall the pipeline for as long as the ALTER waits. Past this limit the ALTER
 * fails and the administrator is asked to try again.
 */
const DDL_LOCK_WAIT_SECONDS = 5;

/** MariaDB/MySQL errors for an ALTER TABLE whose ALGORITHM the server cannot use for this change. */
const ALGORITHM_NOT_SUPPORTED = new Set([1845, 1846]);

/**
 * Returns the columns of the module's custom-field table, or none when the module has no custom field yet.
 */
export async function customFieldColumns(
  dataSource: DataSource,
  manifest: ModuleManifest,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const table = await runner.getTable(checkTableName(customFieldTable(manifest)));
    return table ? table.columns.map((column) => column.name) : [];
  } finally {
    await runner.release();
  }
}

/** Returns the name of the index on a custom field's column. */
export function customFieldIndexName(manifest: ModuleManifest, field: FieldDefinition): string {
  return `ix_${customFieldTable(manifest)}_${columnOf(field)}`;
}

/**
 * Adds the typed column of a custom field to the module's custom-field table, and its index when the field
 * is indexed, creating the table first for the module's first custom field. DDL commits on its own on
 * MariaDB, so this runs outside any transaction. On MariaDB neither step blocks reads or writes of the
 * table beyond a brief metadata lock: the column changes only the table's metadata (ALGORITHM=INSTANT), and
 * the index is built while the table stays in use (ALGORITHM=INPLACE, LOCK=NONE). On SQLite, ADD COLUMN
 * only rewrites the schema, but CREATE INDEX holds the database's write lock while it builds the index.
 */
export async function addCustomFieldColumn(
  dataSource: DataSource,
  manifest: ModuleManifest,
  field: FieldDefinition,
  indexed = false,
): Promise<void> {
  const tableName = checkTableName(customFieldTable(manifest));
  checkCustomFieldName(field.name);
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(tableName))) await createCustomFieldTable(runner, manifest);
    await withShortLockWait(runner, async () => {
      await addColumnOnline(runner, tableName, field);
      if (indexed) await addIndexOnline(runner, manifest, field);
    });
  } finally {
    await runner.release();
  }
}

/**
 * Drops the column of a custom field from the module's custom-field table, with the values in it. The table
 * stays, even without custom columns. A column that is already gone, as after an interrupted purge, is
 * left alone. DDL commits on its own on MariaDB, so this runs outside any transaction.
 * NOTE: on SQLite, TypeORM's dropColumn copies the whole custom-field table into a new one.
 */
export async function dropCustomFieldColumn(
  dataSource: DataSource,
  manifest: ModuleManifest,
  field: FieldDefinition,
): Promise<void> {
  const tableName = checkTableName(customFieldTable(manifest));
  checkCustomFieldName(field.name);
  const runner = dataSource.createQueryRunner();
  try {
    const table = await runner.getTable(tableName);
    if (table?.findColumnByName(columnOf(field))) await runner.dropColumn(table, columnOf(field));
  } finally {
    await runner.release();
  }
}

/** Records a backfill transaction covers, by id range. */
const BACKFILL_BATCH = 5000;

/**
 * Inserts the missing custom-field rows of a module's records, so that every record has one. List queries
 * sorted on a custom field rely on it to read the custom-field table first, in the order of its index.
 * Does nothing for a module without a custom-field table. Returns the number of rows inserted.
 */
export async function addMissingCustomRows(
  dataSource: DataSource,
  manifest: ModuleManifest,
): Promise<number> {
  const tableName = checkTableName(customFieldTable(manifest));
  const recordTable = checkTableName(manifest.table);
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(tableName))) return 0;
  } finally {
    await runner.release();
  }

  const [range] = await dataSource.query<{ first: number | null; last: number | null }[]>(
    `SELECT MIN(id) AS first, MAX(id) AS last FROM ${recordTable}`,
  );
  if (range.first === null || range.last === null) return 0;

  // The foreign key check of every inserted row locks its record in shared mode on MariaDB, and SQLite
  // locks the whole database for writes. Each batch is its own short transaction, so a record save waits
  // for one batch at most. READ COMMITTED reads the records without locking the rest.
  const isolation = dataSource.options.type === 'better-sqlite3' ? undefined : 'READ COMMITTED';
  const insert = `INSERT INTO ${tableName} (id) SELECT r.id FROM ${recordTable} r WHERE r.id BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM ${tableName} c WHERE c.id = r.id)`;
  let inserted = 0;
  for (let first = Number(range.first); first <= Number(range.last); first += BACKFILL_BATCH) {
    const run = (manager: EntityManager): Promise<QueryResult> =>
      manager.queryRunner!.query(insert, [first, first + BACKFILL_BATCH - 1], true);
    const result = isolation
      ? await dataSource.transaction(isolation, run)
      : await dataSource.transaction(run);
    inserted += result.affected ?? 0;
  }
  return inserted;
}

async function createCustomFieldTable(runner: QueryRunner, manifest: ModuleManifest): Promise<void> {
  const tableName = checkTableName(customFieldTable(manifest));
  await runner.createTable(
    new Table({
      name: tableName,
      columns: [{ name: 'id', type: 'integer', isPrimary: true }],
      foreignKeys: [
        {
          name: `fk_${tableName}_id`,
          columnNames: ['id'],
          referencedTableName: checkTableName(manifest.table),
          referencedColumnNames: ['id'],
          onDelete: 'CASCADE',
        },
      ],
    }),
  );
}

/**
 * Adds the column with one ALTER TABLE. TypeORM's addColumn is not used because on SQLite it copies the
 * whole table into a new one. On MariaDB it leaves the algorithm to the server, which copies the table
 * under a lock when it cannot add the column in place. With the algorithms named, that case fails instead.
 */
async function addColumnOnline(
  runner: QueryRunner,
  tableName: string,
  field: FieldDefinition,
): Promise<void> {
  const options = columnOptions(field);
  const column = new TableColumn({
    name: columnOf(field),
    type: String(options.type),
    length: options.length === undefined ? undefined : String(options.length),
    isNullable: true,
  });
  const driver = runner.dataSource.driver;
  const addColumn = `ALTER TABLE ${driver.escape(tableName)} ADD COLUMN ${driver.escape(column.name)} ${driver.createFullType(column)} NULL`;
  if (isSqlite(runner)) {
    await runner.query(addColumn);
    return;
  }

  // INSTANT changes only the table's metadata. A server or table format that cannot do that (MariaDB
  // before 10.3, MySQL before 8.0.12, or a table in the COMPRESSED row format) builds the table anew
  // in place, still without locking it.
  await alterWithFallback(runner, [
    `${addColumn}, ALGORITHM=INSTANT`,
    `${addColumn}, ALGORITHM=INPLACE, LOCK=NONE`,
  ]);
}

async function addIndexOnline(
  runner: QueryRunner,
  manifest: ModuleManifest,
  field: FieldDefinition,
): Promise<void> {
  const driver = runner.dataSource.driver;
  const tableName = checkTableName(customFieldTable(manifest));
  const indexName = checkTableName(customFieldIndexName(manifest, field));
  const column = driver.escape(columnOf(field));
  if (isSqlite(runner)) {
    await runner.query(`CREATE INDEX ${driver.escape(indexName)} ON ${driver.escape(tableName)} (${column})`);
    return;
  }
  await runner.query(
    `ALTER TABLE ${driver.escape(tableName)} ADD INDEX ${driver.escape(indexName)} (${column}), ALGORITHM=INPLACE, LOCK=NONE`,
  );
}

/** Runs the first statement the server accepts, trying the next one when it rejects the ALGORITHM only. */
async function alterWithFallback(runner: QueryRunner, statements: string[]): Promise<void> {
  for (const [index, statement] of statements.entries()) {
    try {
      await runner.query(statement);
      return;
    } catch (error) {
      const errno = (error as { driverError?: { errno?: number } }).driverError?.errno;
      if (index === statements.length - 1 || !ALGORITHM_NOT_SUPPORTED.has(errno ?? 0)) throw error;
    }
  }
}

/** Runs DDL with a short wait for metadata locks on MariaDB/MySQL, and restores the session's setting. */
async function withShortLockWait(runner: QueryRunner, work: () => Promise<void>): Promise<void> {
  if (isSqlite(runner)) return work();

  const [{ wait }] = (await runner.query('SELECT @@SESSION.lock_wait_timeout AS wait')) as { wait: number }[];
  await runner.query(`SET SESSION lock_wait_timeout = ${DDL_LOCK_WAIT_SECONDS}`);
  try {
    await work();
  } finally {
    await runner.query(`SET SESSION lock_wait_timeout = ${Math.trunc(Number(wait))}`);
  }
}

function isSqlite(runner: QueryRunner): boolean {
  return runner.dataSource.options.type === 'better-sqlite3';
}
