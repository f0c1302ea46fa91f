import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Adds the table of the many-to-many relations that manifests declare, such as the contacts of a potential
 * with their role. One table serves every relation, so a module gets its relations by declaring them.
 */
export class RecordRelations1765300040000 implements MigrationInterface {
  name = 'RecordRelations1765300040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'record_relations',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'relation', type: 'varchar', length: '120' },
          { name: 'module_a', type: 'varchar', length: '50' },
          { name: 'id_a', type: 'integer' },
          { name: 'module_b', type: 'varchar', length: '50' },
          { name: 'id_b', type: 'integer' },
          { name: 'attribute', type: 'varchar', length: '100', isNullable: true },
          { name: 'created_at', type: 'datetime' },
          { name: 'created_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'uq_record_relations_link',
            columnNames: ['relation', 'id_a', 'module_b', 'id_b'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_record_relations_a', columnNames: ['module_a', 'id_a'] }),
          new TableIndex({ name: 'ix_record_relations_b', columnNames: ['module_b', 'id_b'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_record_relations_created_by_id',
            columnNames: ['created_by_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('record_relations');
  }
}
