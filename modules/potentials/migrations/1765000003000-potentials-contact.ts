import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/** Links a potential to its contact, which a lead conversion sets. */
export class PotentialsContact1765000003000 implements MigrationInterface {
  name = 'PotentialsContact1765000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'potentials',
      new TableColumn({ name: 'contact_id', type: 'integer', isNullable: true }),
    );
    await queryRunner.createIndex(
      'potentials',
      new TableIndex({ name: 'ix_potentials_contact', columnNames: ['contact_id'] }),
    );
    await queryRunner.createForeignKey(
      'potentials',
      new TableForeignKey({
        name: 'fk_potentials_contact_id',
        columnNames: ['contact_id'],
        referencedTableName: 'contacts',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('potentials', 'fk_potentials_contact_id');
    await queryRunner.dropIndex('potentials', 'ix_potentials_contact');
    await queryRunner.dropColumn('potentials', 'contact_id');
  }
}
