import { EntitySchema } from 'typeorm';

/**
 * One link of a many-to-many relation that a manifest declares: record `idA` of `moduleA` (the declaring
 * module) to record `idB` of `moduleB`. `moduleB` is stored so that a relation whose other side may be any
 * module (a document linked to accounts and potentials) needs no other table.
 */
export interface RecordRelation {
  id: number;
  /** `<declaring module>.<relation name>`: 'potentials.contacts'. */
  relation: string;
  moduleA: string;
  idA: number;
  moduleB: string;
  idB: number;
  /** The value of the relation's attribute (a contact's role in a deal), or null when none was chosen. */
  attribute: string | null;
  createdAt: string;
  createdById: number | null;
  /** Declared so that the foreign key exists. Never loaded. */
  createdBy?: unknown;
}

export const RecordRelationEntity = new EntitySchema<RecordRelation>({
  name: 'RecordRelation',
  tableName: 'record_relations',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    relation: { type: 'varchar', length: 120 },
    moduleA: { name: 'module_a', type: 'varchar', length: 50 },
    idA: { name: 'id_a', type: 'int' },
    moduleB: { name: 'module_b', type: 'varchar', length: 50 },
    idB: { name: 'id_b', type: 'int' },
    attribute: { type: 'varchar', length: 100, nullable: true },
    createdAt: { name: 'created_at', type: 'datetime' },
    createdById: { name: 'created_by_id', type: 'int', nullable: true },
  },
  relations: {
    createdBy: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'created_by_id', foreignKeyConstraintName: 'fk_record_relations_created_by_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    { name: 'uq_record_relations_link', columns: ['relation', 'idA', 'moduleB', 'idB'], unique: true },
    { name: 'ix_record_relations_a', columns: ['moduleA', 'idA'] },
    { name: 'ix_record_relations_b', columns: ['moduleB', 'idB'] },
  ],
});
