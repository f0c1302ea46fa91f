import { QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** Rows read at a time while the keys of existing values are checked. */
const BACKFILL_PAGE = 1000;

/**
 * Adds the `<field>_key` column of a duplicate check to a module's table, with its index, and fills it for
 * the records already saved. Each module with the check calls it from a migration of its own.
 */
export async function addKeyColumn(queryRunner: QueryRunner, table: string, field: string): Promise<void> {
  const column = `${field}_key`;
  await queryRunner.addColumn(
    table,
    new TableColumn({ name: column, type: 'varchar', length: '255', isNullable: true }),
  );
  await queryRunner.createIndex(
    table,
    new TableIndex({ name: `ix_${table}_${column}`, columnNames: [column] }),
  );

  // SQLite's LOWER changes ASCII letters only, so a second pass corrects the keys of other letters.
  await queryRunner.query(`UPDATE ${table} SET ${column} = LOWER(TRIM(${field})) WHERE ${field} IS NOT NULL`);
  let lastId = 0;
  for (;;) {
    const rows = (await queryRunner.query(
      `SELECT id, ${field} AS value, ${column} AS matchKey FROM ${table} WHERE id > ? AND ${field} IS NOT NULL ORDER BY id LIMIT ${BACKFILL_PAGE}`,
      [lastId],
    )) as { id: number; value: string; matchKey: string | null }[];
    if (rows.length === 0) return;
    for (const row of rows) {
      const key = keyOf(row.value);
      if (key !== row.matchKey)
        await queryRunner.query(`UPDATE ${table} SET ${column} = ? WHERE id = ?`, [key, row.id]);
    }
    lastId = Number(rows[rows.length - 1].id);
  }
}

export async function dropKeyColumn(queryRunner: QueryRunner, table: string, field: string): Promise<void> {
  await queryRunner.dropIndex(table, `ix_${table}_${field}_key`);
  await queryRunner.dropColumn(table, `${field}_key`);
}

/** Returns the key as the record engine wrote it when this migration was written: trimmed, single-spaced, lower case. */
function keyOf(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}
