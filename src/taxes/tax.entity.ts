import { EntitySchema } from 'typeorm';

/** A tax as stored: the rate is a whole number of thousandths of a per cent (22 % is 22000). */
export interface TaxRow {
  id: number;
  name: string;
  /** The name trimmed, single-spaced and in lower case, so that two taxes never differ only by case. */
  nameKey: string;
  rateThousandths: number;
  isActive: boolean;
  sortOrder: number;
}

/**
 * The taxes that products name as their tax class and quotes apply. Rates are integers rather than DECIMAL
 * because SQLite keeps a DECIMAL column as a binary float. Thousandths of a per cent hold the 3 decimal places
 * a rate may have, exactly on both databases.
 */
export const TaxEntity = new EntitySchema<TaxRow>({
  name: 'Tax',
  tableName: 'taxes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 100 },
    nameKey: { name: 'name_key', type: 'varchar', length: 100 },
    rateThousandths: { name: 'rate_thousandths', type: 'int' },
    isActive: { name: 'is_active', type: 'boolean' },
    sortOrder: { name: 'sort_order', type: 'int' },
  },
  indices: [{ name: 'uq_taxes_name_key', columns: ['nameKey'], unique: true }],
});
