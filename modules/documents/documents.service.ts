import { AccessScope } from '../../src/access/access-scope.service.js';
import { Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { inTransaction } from '../../src/database/transaction.js';
import { EventBus } from '../../src/events/event-bus.js';
import { CONVERSION_ORDER, LeadConvertedEvent } from '../../src/events/lead-converted.event.js';
import { RecordDeletedEvent, SaveRejectedError } from '../../src/events/record-changes.event.js';
import type { InputFormat } from '../../src/records/field-codec.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordRelationEntity } from '../../src/records/record-relation.entity.js';
import type { RecordHooks, SaveContext } from '../../src/records/record-hooks.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import { RecordsService } from '../../src/records/records.service.js';
import { utcNow } from '../../src/records/values.js';
import { DocumentFiles } from './document-files.js';
import { DocumentVersionEntity, DocumentVersionRow } from './document-version.entity.js';
import { documentScopeCondition } from './document-scope.js';
import { documentsManifest, DOCUMENT_KINDS } from './documents.manifest.js';
import { cleanFileName } from './download-headers.js';

/** A file Multer stored for an upload: its generated name and what the browser sent about it. */
export interface UploadedFile {
  filename: string;
  originalname: string;
  mimetype: string;
  size: number;
}

export type DocumentsSaveResult = { ok: true; ids: number[] } | { ok: false; errors: FieldErrors };

/** A stored file as a download sends it. */
export interface DocumentDownload {
  path: string;
  originalName: string;
  contentType: string;
}

/** Rolls the upload's transaction back with the errors of the record that failed. */
class UploadRejected extends Error {
  constructor(readonly errors: FieldErrors) {
    super(`Document upload rejected on ${Object.keys(errors).join(', ')}`);
  }
}

/** Returns the relation key of documents linked to records of a module: `documents.<module>`. */
export function relationKeyOf(moduleName: string): string {
  return `${documentsManifest.name}.${moduleName}`;
}

/**
 * Documents: uploads with their versions, link documents, the access check of downloads, and what other
 * modules' events mean for documents (a converted lead's documents, a purged document's files).
 */
@Injectable()
export class DocumentsService implements OnModuleInit, RecordHooks {
  private readonly logger = new Logger(DocumentsService.name);
  /** The files of documents deleted in a transaction, deleted from the disk once it commits. */
  private readonly filesOfDeleted = new WeakMap<RecordDeletedEvent, string[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly events: EventBus,
    private readonly files: DocumentFiles,
    private readonly scope: AccessScope,
  ) {}

  onModuleInit(): void {
    this.registry.registerHooks(documentsManifest.name, this);
    this.scope.addCondition(documentsManifest.name, documentScopeCondition(this.scope, this.registry));
    this.events.on(RecordDeletedEvent, (event) => this.forgetVersions(event), {
      order: 20,
      owner: 'documents',
    });
    this.events.afterCommit(RecordDeletedEvent, (event) => this.removeFilesOfDeleted(event), {
      order: 20,
      owner: 'documents',
    });
    this.events.on(LeadConvertedEvent, (event) => this.carryLeadDocuments(event), {
      order: CONVERSION_ORDER.related,
      owner: 'documents',
    });
  }

  /**
   * Applies the rules of a document's kind on every save. A link document needs its URL, and a file document
   * has none. A new record with a URL is a link document. An import cannot carry files, so each of its rows
   * must give a URL. A new record of the upload form without a URL is made a file document right after.
   */
  beforeSave(context: SaveContext): void {
    const { values, errors } = context;
    const url = values.link_url;
    const hasUrl = typeof url === 'string' && url !== '';
    if (values.kind === DOCUMENT_KINDS.file) {
      if (hasUrl && errors) errors.link_url = { code: 'documentFileHasLink' };
      return;
    }
    if (hasUrl) {
      values.kind = DOCUMENT_KINDS.link;
      return;
    }
    if ((values.kind === DOCUMENT_KINDS.link || context.source === 'import') && errors)
      errors.link_url = { code: 'documentLinkMissing' };
  }

  /**
   * Creates one document per file, or one link document when no file is given, from the form's values, all in
   * one transaction. An empty title takes the file's name. When any record is rejected, nothing is saved and
   * every stored file is deleted.
   */
  async create(
    user: CurrentUser,
    input: Record<string, unknown>,
    uploads: UploadedFile[],
    format: InputFormat,
  ): Promise<DocumentsSaveResult> {
    const hasUrl = typeof input.link_url === 'string' && input.link_url.trim() !== '';
    const problem = uploadProblem(uploads, hasUrl);
    if (problem) {
      await this.files.remove(uploads.map((upload) => upload.filename));
      return { ok: false, errors: problem };
    }

    try {
      const ids = await inTransaction(this.dataSource, async (manager) => {
        if (uploads.length === 0) return [await this.saveRecord(manager, user, input, format)];
        const created: number[] = [];
        for (const upload of uploads) {
          const title = typeof input.title === 'string' ? input.title.trim() : '';
          const fileInput = { ...input, title: title || cleanFileName(upload.originalname) };
          const id = await this.saveRecord(manager, user, fileInput, format);
          await this.addVersion(manager, user, id, upload, 1);
          created.push(id);
        }
        return created;
      });
      this.logger.log(`User ${user.id} added documents ${ids.join(', ')}`);
      return { ok: true, ids };
    } catch (error) {
      await this.files.remove(uploads.map((upload) => upload.filename));
      if (error instanceof UploadRejected) return { ok: false, errors: error.errors };
      if (error instanceof SaveRejectedError) return { ok: false, errors: { [error.field]: error.error } };
      throw error;
    }
  }

  private async saveRecord(
    manager: EntityManager,
    user: CurrentUser,
    input: Record<string, unknown>,
    format: InputFormat,
  ): Promise<number> {
    const result = await this.records.save(
      documentsManifest.name,
      user,
      null,
      input,
      format,
      'form',
      manager,
    );
    if (!result.ok) throw new UploadRejected(result.errors);
    return result.id;
  }

  /** Stores a file as a version of the document and makes it the document's current file. */
  private async addVersion(
    manager: EntityManager,
    user: CurrentUser,
    documentId: number,
    upload: UploadedFile,
    version: number,
  ): Promise<void> {
    const originalName = cleanFileName(upload.originalname);
    const contentType = upload.mimetype.slice(0, 255) || 'application/octet-stream';
    await manager.insert(DocumentVersionEntity, {
      documentId,
      version,
      storedName: upload.filename,
      originalName,
      size: upload.size,
      contentType,
      sha256: await this.files.sha256(upload.filename),
      uploadedById: user.id,
      uploadedAt: utcNow(),
    });
    await manager
      .createQueryBuilder()
      .update(documentsManifest.table)
      .set({
        kind: DOCUMENT_KINDS.file,
        file_name: originalName,
        file_size: upload.size,
        file_type: contentType,
        file_version: version,
      })
      .where('id = :id', { id: documentId })
      .execute();
  }

  /**
   * Adds a new version of a file document, which becomes its current file, and the earlier versions stay
   * downloadable. The user must be able to change the document. A link document takes no file.
   */
  async addNewVersion(user: CurrentUser, documentId: number, upload: UploadedFile): Promise<number> {
    try {
      const version = await inTransaction(this.dataSource, async (manager) => {
        const document = await this.records.findChangeable(
          documentsManifest.name,
          user,
          documentId,
          'write',
          manager,
        );
        if (document.values.kind !== DOCUMENT_KINDS.file) throw new NotFoundException();
        const next = (await this.latestVersion(manager, documentId)) + 1;
        await this.addVersion(manager, user, documentId, upload, next);
        await manager
          .createQueryBuilder()
          .update(documentsManifest.table)
          .set({ updated_at: utcNow(), modified_by_id: user.id })
          .where('id = :id', { id: documentId })
          .execute();
        return next;
      });
      this.logger.log(`User ${user.id} uploaded version ${version} of document ${documentId}`);
      return version;
    } catch (error) {
      await this.files.remove([upload.filename]);
      throw error;
    }
  }

  private async latestVersion(manager: EntityManager, documentId: number): Promise<number> {
    const row = await manager
      .createQueryBuilder()
      .select('MAX(version)', 'version')
      .from(DocumentVersionEntity, 'v')
      .where('v.document_id = :documentId', { documentId })
      .getRawOne<{ version: number | string | null }>();
    return Number(row?.version ?? 0);
  }

  /**
   * Finds a document the user may download, and throws NotFoundException otherwise. The access scope decides,
   * with the documents' condition: a document linked to records needs one of them in the user's scope.
   */
  async requireReadable(user: CurrentUser, documentId: number): Promise<void> {
    await this.permissions.require(user, documentsManifest.name, 'view');
    await this.records.findVisible(documentsManifest.name, user, documentId);
  }

  /** Lists a document's versions, newest first, after the same access check as a download. */
  async versions(user: CurrentUser, documentId: number): Promise<DocumentVersionRow[]> {
    await this.requireReadable(user, documentId);
    return this.versionRows(documentId);
  }

  /** Returns a version of a document to download (the current one when `version` is undefined). */
  async download(user: CurrentUser, documentId: number, version?: number): Promise<DocumentDownload> {
    await this.requireReadable(user, documentId);
    const [row] = await this.versionRows(documentId, version);
    if (!row) throw new NotFoundException();
    return {
      path: this.files.pathOf(row.storedName),
      originalName: row.originalName,
      contentType: row.contentType,
    };
  }

  /**
   * Reads versions of a document, newest first, as raw rows: TypeORM would turn the upload time into a Date
   * in the server's time zone, while both drivers return the stored UTC text here.
   */
  private async versionRows(documentId: number, version?: number): Promise<DocumentVersionRow[]> {
    const query = this.dataSource.manager
      .createQueryBuilder()
      .from(DocumentVersionEntity, 'v')
      .select('v.id', 'id')
      .addSelect('v.document_id', 'documentId')
      .addSelect('v.version', 'version')
      .addSelect('v.stored_name', 'storedName')
      .addSelect('v.original_name', 'originalName')
      .addSelect('v.size', 'size')
      .addSelect('v.content_type', 'contentType')
      .addSelect('v.sha256', 'sha256')
      .addSelect('v.uploaded_by_id', 'uploadedById')
      .addSelect('v.uploaded_at', 'uploadedAt')
      .where('v.document_id = :documentId', { documentId })
      .orderBy('v.version', 'DESC');
    if (version !== undefined) query.andWhere('v.version = :version', { version });
    const rows = await query.getRawMany<DocumentVersionRow>();
    return rows.map((row) => ({
      ...row,
      version: Number(row.version),
      size: Number(row.size),
      uploadedAt: String(row.uploadedAt).slice(0, 19),
    }));
  }

  /** Removes the version rows of a purged document, and keeps its files for deletion after the commit. */
  private async forgetVersions(event: RecordDeletedEvent): Promise<void> {
    if (event.moduleName !== documentsManifest.name) return;
    const rows = await event.manager.find(DocumentVersionEntity, { where: { documentId: event.id } });
    if (rows.length === 0) return;
    await event.manager.delete(DocumentVersionEntity, { documentId: event.id });
    this.filesOfDeleted.set(
      event,
      rows.map((row) => row.storedName),
    );
  }

  /**
   * Deletes the files of a purged document once its deletion committed.
   * NOTE: a crash between the commit and this observer leaves the files on disk without rows, and nothing
   * removes such files yet.
   */
  private async removeFilesOfDeleted(event: RecordDeletedEvent): Promise<void> {
    const names = this.filesOfDeleted.get(event);
    if (!names) return;
    this.filesOfDeleted.delete(event);
    await this.files.remove(names);
    this.logger.log(`Deleted ${names.length} files of document ${event.id}`);
  }

  /** Links the documents of a converted lead to the account, contact and potential made or chosen from it. */
  private async carryLeadDocuments(event: LeadConvertedEvent): Promise<void> {
    const links = await event.manager.find(RecordRelationEntity, {
      where: { relation: relationKeyOf('leads'), moduleB: 'leads', idB: event.leadId },
    });
    if (links.length === 0) return;
    const targets: [string, number | null][] = [
      ['accounts', event.accountId],
      ['contacts', event.contactId],
      ['potentials', event.potentialId],
    ];
    for (const [moduleName, id] of targets) {
      if (id === null) continue;
      const existing = await event.manager.find(RecordRelationEntity, {
        where: { relation: relationKeyOf(moduleName), moduleB: moduleName, idB: id },
      });
      const linked = new Set(existing.map((row) => row.idA));
      const missing = links.filter((link) => !linked.has(link.idA));
      if (missing.length === 0) continue;
      await event.manager.insert(
        RecordRelationEntity,
        missing.map((link) => ({
          relation: relationKeyOf(moduleName),
          moduleA: documentsManifest.name,
          idA: link.idA,
          moduleB: moduleName,
          idB: id,
          attribute: null,
          createdAt: utcNow(),
          createdById: event.user.id,
        })),
      );
    }
  }
}

/** Returns the errors of an upload form that has neither a file nor a link, or both, or an empty file. */
function uploadProblem(uploads: UploadedFile[], hasUrl: boolean): FieldErrors | undefined {
  if (uploads.length === 0 && !hasUrl) return { files: { code: 'documentFileOrLink' } };
  if (uploads.length > 0 && hasUrl) return { link_url: { code: 'documentFileHasLink' } };
  const empty = uploads.find((upload) => upload.size === 0);
  if (empty)
    return { files: { code: 'documentFileEmpty', params: { name: cleanFileName(empty.originalname) } } };
  return undefined;
}
