import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Keeps the quote whose total set a potential's amount, and the history of the amount: every change, with
 * its old and new cents and whether a user or a quote made it.
 */
export class PotentialsAmountHistory1765100060000 implements MigrationInterface {
  name = 'PotentialsAmountHistory1765100060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'potentials',
      new TableColumn({ name: 'amount_quote_id', type: 'integer', isNullable: true }),
    );
    await queryRunner.createIndex(
      'potentials',
      new TableIndex({ name: 'ix_potentials_amount_quote', columnNames: ['amount_quote_id'] }),
    );
    await queryRunner.createForeignKey(
      'potentials',
      new TableForeignKey({
        name: 'fk_potentials_amount_quote_id',
        columnNames: ['amount_quote_id'],
        referencedTableName: 'quotes',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'potential_amount_changes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'potential_id', type: 'integer' },
          { name: 'changed_at', type: 'datetime' },
          { name: 'old_cents', type: 'bigint', isNullable: true },
          { name: 'new_cents', type: 'bigint', isNullable: true },
          { name: 'cause', type: 'varchar', length: '10' },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'quote_id', type: 'integer', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ix_potential_amount_changes_potential',
            columnNames: ['potential_id', 'changed_at'],
          }),
          new TableIndex({ name: 'ix_potential_amount_changes_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_potential_amount_changes_quote', columnNames: ['quote_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_potential_amount_changes_potential_id',
            columnNames: ['potential_id'],
            referencedTableName: 'potentials',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_potential_amount_changes_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_potential_amount_changes_quote_id',
            columnNames: ['quote_id'],
            referencedTableName: 'quotes',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('potential_amount_changes');
    await queryRunner.dropForeignKey('potentials', 'fk_potentials_amount_quote_id');
    await queryRunner.dropIndex('potentials', 'ix_potentials_amount_quote');
    await queryRunner.dropColumn('potentials', 'amount_quote_id');
  }
}
