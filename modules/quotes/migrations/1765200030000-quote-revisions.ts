import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Links a quote's revisions to the original quote: `base_quote_id` and `revision_no` on each revision, and
 * `revision_count` on the original, which numbers the next revision. The unique index keeps two revisions of
 * one original from sharing a number.
 */
export class QuoteRevisions1765200030000 implements MigrationInterface {
  name = 'QuoteRevisions1765200030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('quotes', [
      new TableColumn({ name: 'base_quote_id', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'revision_no', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'revision_count', type: 'integer', default: 0 }),
    ]);
    await queryRunner.createIndex(
      'quotes',
      new TableIndex({
        name: 'uq_quotes_revision',
        columnNames: ['base_quote_id', 'revision_no'],
        isUnique: true,
      }),
    );
    await queryRunner.createForeignKey(
      'quotes',
      new TableForeignKey({
        name: 'fk_quotes_base_quote_id',
        columnNames: ['base_quote_id'],
        referencedTableName: 'quotes',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('quotes', 'fk_quotes_base_quote_id');
    await queryRunner.dropIndex('quotes', 'uq_quotes_revision');
    await queryRunner.dropColumn('quotes', 'revision_count');
    await queryRunner.dropColumn('quotes', 'revision_no');
    await queryRunner.dropColumn('quotes', 'base_quote_id');
  }
}
