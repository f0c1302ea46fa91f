import { EntitySchema } from 'typeorm';

/** The one row of company details. Unset values are empty strings rather than NULL. */
export interface CompanySettingsRow {
  /** Always 1: the table has a single row, which the migration inserts. */
  id: number;
  name: string;
  street: string;
  postalCode: string;
  city: string;
  province: string;
  country: string;
  vatNumber: string;
  taxCode: string;
  phone: string;
  email: string;
  website: string;
}

/** The company that uses Affari, as quotes and other printed documents show it. */
export const CompanySettingsEntity = new EntitySchema<CompanySettingsRow>({
  name: 'CompanySettings',
  tableName: 'company_settings',
  columns: {
    id: { type: 'integer', primary: true },
    name: { type: 'varchar', length: 200 },
    street: { type: 'text' },
    postalCode: { name: 'postal_code', type: 'varchar', length: 20 },
    city: { type: 'varchar', length: 100 },
    province: { type: 'varchar', length: 100 },
    country: { type: 'varchar', length: 100 },
    vatNumber: { name: 'vat_number', type: 'varchar', length: 30 },
    taxCode: { name: 'tax_code', type: 'varchar', length: 30 },
    phone: { type: 'varchar', length: 50 },
    email: { type: 'varchar', length: 255 },
    website: { type: 'varchar', length: 255 },
  },
});
