import { EntitySchema } from 'typeorm';

/** A note written on a record of any module: text, author and times. */
export interface RecordNote {
  id: number;
  /** The module of the record, such as 'potentials'. */
  module: string;
  recordId: number;
  body: string;
  /** Null once the author's user row is gone; the page then shows no author. */
  authorId: number | null;
  /** UTC, 'YYYY-MM-DD HH:MM:SS'. */
  createdAt: string;
  /** UTC time of the last edit, or null for a note never edited. */
  editedAt: string | null;
  /** Declared so that the foreign key exists. Never loaded. */
  author?: unknown;
}

export const RecordNoteEntity = new EntitySchema<RecordNote>({
  name: 'RecordNote',
  tableName: 'record_notes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    recordId: { name: 'record_id', type: 'int' },
    body: { type: 'text' },
    authorId: { name: 'author_id', type: 'int', nullable: true },
    createdAt: { name: 'created_at', type: 'datetime' },
    editedAt: { name: 'edited_at', type: 'datetime', nullable: true },
  },
  relations: {
    author: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'author_id', foreignKeyConstraintName: 'fk_record_notes_author_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [{ name: 'ix_record_notes_record', columns: ['module', 'recordId', 'createdAt'] }],
});
