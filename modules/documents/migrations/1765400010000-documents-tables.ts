import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import {
  recordTableForeignKeys,
  recordTableIndices,
  recordTableTrailingColumns,
} from '../../../src/records/record-table-migration.js';

/** Creates the documents and the versions of their files. */
export class DocumentsTables1765400010000 implements MigrationInterface {
  name = 'DocumentsTables1765400010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'documents',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'title', type: 'varchar', length: '255', isNullable: true },
          { name: 'document_no', type: 'varchar', length: '30', isNullable: true },
          { name: 'folder', type: 'varchar', length: '255', isNullable: true },
          { name: 'assigned_user_id', type: 'integer', isNullable: true },
          { name: 'assigned_group_id', type: 'integer', isNullable: true },
          { name: 'kind', type: 'varchar', length: '255', isNullable: true },
          { name: 'link_url', type: 'varchar', length: '255', isNullable: true },
          { name: 'file_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'file_size', type: 'integer', isNullable: true },
          { name: 'file_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'file_version', type: 'integer', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          ...recordTableTrailingColumns(),
        ],
        indices: [
          new TableIndex({ name: 'ix_documents_title', columnNames: ['title'] }),
          ...recordTableIndices('documents'),
        ],
        foreignKeys: recordTableForeignKeys('documents'),
      }),
    );

    // No foreign key to documents: a purged document's rows are removed by its record.deleted handler,
    // which also deletes the files after commit.
    await queryRunner.createTable(
      new Table({
        name: 'document_versions',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'document_id', type: 'integer' },
          { name: 'version', type: 'integer' },
          { name: 'stored_name', type: 'varchar', length: '100' },
          { name: 'original_name', type: 'varchar', length: '255' },
          { name: 'size', type: 'bigint' },
          { name: 'content_type', type: 'varchar', length: '255' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'uploaded_by_id', type: 'integer', isNullable: true },
          { name: 'uploaded_at', type: 'datetime' },
        ],
        indices: [
          new TableIndex({
            name: 'uq_document_versions_version',
            columnNames: ['document_id', 'version'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('document_versions');
    await queryRunner.dropTable('documents');
  }
}
