import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Creates the products: what the company sells, with the prices and tax class that quotes start from. */
export class ProductsTable1765100000000 implements MigrationInterface {
  name = 'ProductsTable1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'product_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'product_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'part_number', type: 'varchar', length: '255', isNullable: true },
          { name: 'active', type: 'boolean', isNullable: true },
          { name: 'product_category', type: 'varchar', length: '255', isNullable: true },
          { name: 'product_line', type: 'varchar', length: '255', isNullable: true },
          { name: 'manufacturer', type: 'varchar', length: '255', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'unit_price_cents', type: 'bigint', isNullable: true },
          { name: 'unit_cost_cents', type: 'bigint', isNullable: true },
          { name: 'usage_unit', type: 'varchar', length: '255', isNullable: true },
          { name: 'tax_class', type: 'varchar', length: '255', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', isNullable: true },
          { name: 'updated_at', type: 'datetime', isNullable: true },
          { name: 'created_by_id', type: 'integer', isNullable: true },
          { name: 'modified_by_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_products_assigned_user', columnNames: ['assigned_user_id'] }),
          new TableIndex({ name: 'ix_products_assigned_group_id', columnNames: ['assigned_group_id'] }),
          new TableIndex({ name: 'ix_products_product_name', columnNames: ['product_name'] }),
          new TableIndex({ name: 'ix_products_created_by', columnNames: ['created_by_id'] }),
          new TableIndex({ name: 'ix_products_modified_by', columnNames: ['modified_by_id'] }),
        ],
        foreignKeys: [
          ...['assigned_user_id', 'created_by_id', 'modified_by_id'].map(
            (column) =>
              new TableForeignKey({
                name: `fk_products_${column}`,
                columnNames: [column],
                referencedTableName: 'users',
                referencedColumnNames: ['id'],
                onDelete: 'RESTRICT',
                onUpdate: 'NO ACTION',
              }),
          ),
          new TableForeignKey({
            name: 'fk_products_assigned_group_id',
            columnNames: ['assigned_group_id'],
            referencedTableName: 'user_groups',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('products');
  }
}
