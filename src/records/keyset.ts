import { Brackets, ObjectLiteral, SelectQueryBuilder, WhereExpressionBuilder } from 'typeorm';

/**
 * Keyset paging: a page starts after (or ends before) the sort value and id of a row, so page 1,000 costs
 * what page 1 costs instead of scanning every row before it as OFFSET does.
 *
 * Both MariaDB and SQLite sort NULL first in ascending order and last in descending order; the
 * conditions below follow that order.
 */

export type SortValue = string | number | null;

export interface Cursor {
  value: SortValue;
  id: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

/** Reads a cursor from a URL; anything malformed gives undefined, so the list starts from its first page. */
export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (!text || text.length > 1000) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [value, id] = parsed as unknown[];
    const valueOk = value === null || typeof value === 'string' || typeof value === 'number';
    if (!valueOk || typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
    return { value: value, id };
  } catch {
    return undefined;
  }
}

/**
 * Adds the condition "comes after the cursor" for rows ordered by (`expression`, `idColumn`) in the
 * given direction.
 */
export function applyAfterCursor(
  query: SelectQueryBuilder<ObjectLiteral>,
  expression: string,
  idColumn: string,
  direction: 'asc' | 'desc',
  cursor: Cursor,
): void {
  const params = { cursorValue: cursor.value, cursorId: cursor.id };
  const later = direction === 'asc' ? '>' : '<';

  query.andWhere(
    new Brackets((where: WhereExpressionBuilder) => {
      if (cursor.value === null) {
        where.where(`(${expression} IS NULL AND ${idColumn} ${later} :cursorId)`, params);
        // In ascending order every non-null value follows the nulls.
        if (direction === 'asc') where.orWhere(`${expression} IS NOT NULL`);
        return;
      }
      where.where(`${expression} ${later} :cursorValue`, params);
      where.orWhere(`(${expression} = :cursorValue AND ${idColumn} ${later} :cursorId)`, params);
      // In descending order the nulls follow every non-null value.
      if (direction === 'desc') where.orWhere(`${expression} IS NULL`);
    }),
  );
}
