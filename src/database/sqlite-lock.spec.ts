import { DataSource, EntitySchema } from 'typeorm';
import { installSqliteLock } from './sqlite-lock.js';

const NoteEntity = new EntitySchema<{ id: number; text: string }>({
  name: 'Note',
  tableName: 'saved_notes',
  columns: { id: { type: 'integer', primary: true, generated: 'increment' }, text: { type: 'varchar' } },
});

async function openDatabase(): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [NoteEntity],
    synchronize: true,
  });
  await dataSource.initialize();
  installSqliteLock(dataSource);
  await dataSource.query('CREATE TABLE notes (text VARCHAR(20))');
  return dataSource;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('installSqliteLock', () => {
  it('keeps a rolled-back transaction apart from a concurrent one', async () => {
    const dataSource = await openDatabase();

    const failing = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO notes (text) VALUES ('rolled back')`);
      await pause();
      throw new Error('handler failed');
    });
    const succeeding = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO notes (text) VALUES ('committed')`);
      await pause();
    });
    const results = await Promise.allSettled([failing, succeeding]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    const rows = await dataSource.query<{ text: string }[]>('SELECT text FROM notes');
    expect(rows.map((row) => row.text)).toEqual(['committed']);
    await dataSource.destroy();
  });

  it('does not let a statement outside a transaction see its uncommitted rows', async () => {
    const dataSource = await openDatabase();
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));

    const transaction = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO notes (text) VALUES ('pending')`);
      inside();
      await pause();
      throw new Error('undo');
    });
    await started;
    const seen = await dataSource.query<{ text: string }[]>('SELECT text FROM notes');
    await transaction.catch(() => undefined);

    expect(seen).toEqual([]);
    await dataSource.destroy();
  });

  it('runs a nested transaction inside the outer one', async () => {
    const dataSource = await openDatabase();

    await dataSource.transaction(async (outer) => {
      await outer.query(`INSERT INTO notes (text) VALUES ('outer')`);
      await dataSource.transaction((inner) => inner.query(`INSERT INTO notes (text) VALUES ('inner')`));
    });

    const rows = await dataSource.query<{ text: string }[]>('SELECT text FROM notes ORDER BY text');
    expect(rows.map((row) => row.text)).toEqual(['inner', 'outer']);
    await dataSource.destroy();
  });

  it('runs a Repository.save transaction beside a DataSource transaction', async () => {
    const dataSource = await openDatabase();

    await Promise.all([
      dataSource.transaction(async (manager) => {
        await manager.insert(NoteEntity, { text: 'in a transaction' });
        await pause();
      }),
      dataSource.getRepository(NoteEntity).save({ text: 'saved' }),
    ]);

    const rows = await dataSource.getRepository(NoteEntity).find({ order: { text: 'ASC' } });
    expect(rows.map((row) => row.text)).toEqual(['in a transaction', 'saved']);
    await dataSource.destroy();
  });
});
