import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists the Contact Name of every existing potential among its contacts, as saving the field does from now
 * on, so that a contact's page shows the potentials it was already the main contact of. No role is set.
 */
export class PotentialMainContacts1765300041000 implements MigrationInterface {
  name = 'PotentialMainContacts1765300041000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO record_relations (relation, module_a, id_a, module_b, id_b, attribute, created_at, created_by_id)
       SELECT 'potentials.contacts', 'potentials', p.id, 'contacts', p.contact_id, NULL, p.updated_at, NULL
       FROM potentials p
       WHERE p.contact_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM record_relations WHERE relation = 'potentials.contacts'`);
  }
}
