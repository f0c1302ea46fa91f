import { DataSource } from 'typeorm';
import { columnOf, customFieldTable, FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { valueTypeOf } from '../records/value-types.js';

/**
 * Counts the module's records, in every user's scope, whose value of the field is empty or filled. Forms
 * store an empty value as NULL, so NULL counts as empty, and so does an unticked checkbox when the count is
 * of records that leave a mandatory field unfilled. A filled value is any stored one.
 */
export async function countRecordsByValue(
  dataSource: DataSource,
  manifest: ModuleManifest,
  field: FieldDefinition,
  which: 'empty' | 'filled',
): Promise<number> {
  const query = dataSource.createQueryBuilder().from(manifest.table, 'r');
  // A record saved before the module's first custom field has no custom-field row: its value is empty.
  if (field.custom) query.leftJoin(customFieldTable(manifest), 'cf', 'cf.id = r.id');
  const column = `${field.custom ? 'cf' : 'r'}.${columnOf(field)}`;
  const row = await query
    .select('COUNT(*)', 'count')
    .where(
      which === 'empty'
        ? (valueTypeOf(field)?.blankCondition?.(column) ?? `${column} IS NULL`)
        : `${column} IS NOT NULL`,
    )
    .getRawOne<{ count: number | string }>();
  return Number(row?.count ?? 0);
}
