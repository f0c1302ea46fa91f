import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Adds the lead conversion mapping an administrator saves: for each lead field, the account, contact and
 * potential field it fills. The table starts empty, and an empty table means the default mapping.
 */
export class LeadFieldMappings1765000020000 implements MigrationInterface {
  name = 'LeadFieldMappings1765000020000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'lead_field_mappings',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'lead_field', type: 'varchar', length: '100' },
          { name: 'accounts_field', type: 'varchar', length: '100', isNullable: true },
          { name: 'contacts_field', type: 'varchar', length: '100', isNullable: true },
          { name: 'potentials_field', type: 'varchar', length: '100', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_lead_field_mappings_lead_field',
            columnNames: ['lead_field'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lead_field_mappings');
  }
}
