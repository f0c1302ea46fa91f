import { EntitySchema } from 'typeorm';

/** One uploaded file of a document. Version 1 is the first upload; the highest number is the current file. */
export interface DocumentVersionRow {
  id: number;
  documentId: number;
  version: number;
  /** The generated name under `<storage>/documents/`, never the name the user sent. */
  storedName: string;
  /** The name the browser sent, without folders, shown to users and sent back on download. */
  originalName: string;
  /** Bytes. */
  size: number;
  /** The content type the browser sent, shown only; downloads choose their own (see download-headers.ts). */
  contentType: string;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  uploadedById: number | null;
  /** UTC, YYYY-MM-DD HH:MM:SS. */
  uploadedAt: string;
}

export const DocumentVersionEntity = new EntitySchema<DocumentVersionRow>({
  name: 'DocumentVersion',
  tableName: 'document_versions',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    documentId: { name: 'document_id', type: 'int' },
    version: { type: 'int' },
    storedName: { name: 'stored_name', type: 'varchar', length: 100 },
    originalName: { name: 'original_name', type: 'varchar', length: 255 },
    size: { type: 'bigint' },
    contentType: { name: 'content_type', type: 'varchar', length: 255 },
    sha256: { type: 'varchar', length: 64 },
    uploadedById: { name: 'uploaded_by_id', type: 'int', nullable: true },
    uploadedAt: { name: 'uploaded_at', type: 'datetime' },
  },
  indices: [{ name: 'uq_document_versions_version', columns: ['documentId', 'version'], unique: true }],
});
