import { EntitySchema } from 'typeorm';

/**
 * One lead field of the mapping an administrator saved, with the field it fills in each target module
 * (null for none). No rows at all means that the default mapping applies.
 */
export interface LeadFieldMappingRow {
  id: number;
  leadField: string;
  accountsField: string | null;
  contactsField: string | null;
  potentialsField: string | null;
}

export const LeadFieldMappingEntity = new EntitySchema<LeadFieldMappingRow>({
  name: 'LeadFieldMapping',
  tableName: 'lead_field_mappings',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    leadField: { name: 'lead_field', type: 'varchar', length: 100 },
    accountsField: { name: 'accounts_field', type: 'varchar', length: 100, nullable: true },
    contactsField: { name: 'contacts_field', type: 'varchar', length: 100, nullable: true },
    potentialsField: { name: 'potentials_field', type: 'varchar', length: 100, nullable: true },
  },
  indices: [{ name: 'uq_lead_field_mappings_lead_field', columns: ['leadField'], unique: true }],
});
