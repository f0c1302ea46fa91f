import { Body, Controller, Get, Param, ParseIntPipe, Post, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordIdPipe } from '../../src/records/record-id.pipe.js';
import {
  DetailExtras,
  FormSection,
  RecordPagesController,
} from '../../src/records/record-pages.controller.js';
import type { FieldError, FieldErrors } from '../../src/records/record-validation.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { relationAnchor } from '../../src/records/relation-ends.js';
import { RelationsService, RETURN_LIST_FIELD } from '../../src/records/relations.service.js';
import { setFlash } from '../../src/web/flash.js';
import { FilesUploadProblem, runFilesUpload } from '../../src/web/upload.js';
import { CsrfTokenInUploadBody } from '../../src/web/upload-csrf.js';
import { UsersService } from '../../src/users/users.service.js';
import { DocumentFiles, FILES_FIELD } from './document-files.js';
import { DOCUMENT_KINDS } from './documents.manifest.js';
import { DocumentsService, UploadedFile } from './documents.service.js';
import { cleanFileName } from './download-headers.js';
import { sendDownload } from './download-response.js';
import { versionsModel } from './version-list.js';

/**
 * The pages of documents. The standard record form is the upload form: "New document" and "Add new" of a
 * record's Documents list show the module's fields with a file input, so custom fields and the Layout Editor
 * apply to uploads too.
 */
@Controller('documents')
export class DocumentsController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
    private readonly documents: DocumentsService,
    private readonly files: DocumentFiles,
    private readonly relationLinks: RelationsService,
  ) {
    super('documents', registry, records, views, picklists, users, permissions);
  }

  /** Says on the create form that an empty title takes each file's name, which the mandatory mark hides. */
  protected override fieldNotes(
    user: CurrentUser,
    id: number | null,
    _permissions: UserPermissions,
  ): Promise<Record<string, string>> {
    const notes: Record<string, string> = {};
    if (id === null) notes.title = translate(user.locale, 'documents.titleNote');
    return Promise.resolve(notes);
  }

  protected override formEncoding(id: number | null): string | undefined {
    return id === null ? 'multipart/form-data' : undefined;
  }

  protected override formSections(
    user: CurrentUser,
    id: number | null,
    _submitted: Record<string, unknown> | undefined,
    errors: FieldErrors,
  ): Promise<FormSection[]> {
    if (id !== null) return Promise.resolve([]);
    const error = errors[FILES_FIELD] ? this.views.errorMessage(user.locale, errors[FILES_FIELD]) : undefined;
    const label = translate(user.locale, 'documents.upload.files');
    return Promise.resolve([
      {
        partial: 'documents-file-input',
        model: { name: FILES_FIELD, error, ...this.limits(user) },
        errors: error ? [{ name: FILES_FIELD, label, error }] : [],
      },
    ]);
  }

  private limits(user: CurrentUser) {
    return {
      hint: translate(user.locale, 'documents.upload.hint', {
        maxMb: this.files.config.documentMaxBytes / 1024 / 1024,
        maxFiles: this.files.config.documentMaxFiles,
      }),
    };
  }

  /**
   * Saves the upload form: one document per file, or a link document. The CSRF token is read from the
   * multipart body, and the rights are checked before Multer stores any file.
   */
  @Post()
  @CsrfTokenInUploadBody()
  override async create(
    @User() user: CurrentUser,
    @Body() _body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const request = response.req as Request;
    const permissions = await this.permissions.require(user, this.moduleName, 'create');
    const problem = await runFilesUpload(this.files.upload, request, response);
    const uploads = (Array.isArray(request.files) ? request.files : []) as UploadedFile[];
    const body = (request.body ?? {}) as Record<string, unknown>;
    const returnList = typeof body[RETURN_LIST_FIELD] === 'string' ? body[RETURN_LIST_FIELD] : undefined;

    let relatedList;
    try {
      relatedList = await this.relationLinks.requireReturnList(user, this.moduleName, returnList);
    } catch (error) {
      await this.files.remove(uploads.map((upload) => upload.filename));
      throw error;
    }
    if (problem) {
      await this.files.remove(uploads.map((upload) => upload.filename));
      return this.renderUploadProblem(response, user, body, problem, permissions, returnList);
    }

    const result = await this.documents.create(user, this.formInput(body), uploads, this.formatOf(user));
    if (!result.ok) {
      return this.renderForm(response.status(422), user, null, textValues(body), result.errors, permissions, {
        submitted: body,
        returnList,
      });
    }

    setFlash(response, 'flash.saved');
    if (relatedList) {
      for (const id of result.ids) await this.relationLinks.linkCreated(user, relatedList, id);
      const { side, end } = relatedList;
      return response.redirect(303, `/${side.moduleName}/${side.id}#${relationAnchor(end)}`);
    }
    response.redirect(303, result.ids.length === 1 ? `/documents/${result.ids[0]}` : '/documents');
  }

  private renderUploadProblem(
    response: Response,
    user: CurrentUser,
    body: Record<string, unknown>,
    problem: FilesUploadProblem,
    permissions: UserPermissions,
    returnList: string | undefined,
  ): Promise<void> {
    const config = this.files.config;
    const error: FieldError =
      problem === 'tooLarge'
        ? { code: 'documentTooLarge', params: { maxMb: config.documentMaxBytes / 1024 / 1024 } }
        : problem === 'tooManyFiles'
          ? { code: 'documentTooManyFiles', params: { maxFiles: config.documentMaxFiles } }
          : { code: 'documentUploadFailed' };
    return this.renderForm(
      response.status(problem === 'tooLarge' ? 413 : 422),
      user,
      null,
      textValues(body),
      { [FILES_FIELD]: error },
      permissions,
      { submitted: body, returnList },
    );
  }

  /** Sends the current file of a document as an attachment. */
  @Get(':id/download')
  async downloadCurrent(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    sendDownload(response, await this.documents.download(user, id));
  }

  /** Sends one version of a document's file as an attachment. */
  @Get(':id/versions/:version/download')
  async downloadVersion(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Param('version', ParseIntPipe) version: number,
    @Res() response: Response,
  ): Promise<void> {
    sendDownload(response, await this.documents.download(user, id, version));
  }

  @Get(':id/versions/new')
  async newVersionPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.permissions.require(user, this.moduleName, 'edit');
    const record = await this.records.findChangeable(this.moduleName, user, id, 'write');
    this.renderVersionForm(response, user, record, undefined);
  }

  /** Stores one file as the document's new current version. */
  @Post(':id/versions')
  @CsrfTokenInUploadBody()
  async uploadVersion(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const request = response.req as Request;
    await this.permissions.require(user, this.moduleName, 'edit');
    const record = await this.records.findChangeable(this.moduleName, user, id, 'write');
    const problem = await runFilesUpload(this.files.upload, request, response);
    const uploads = (Array.isArray(request.files) ? request.files : []) as UploadedFile[];
    let error: string | undefined;
    if (problem === 'tooLarge')
      error = translate(user.locale, 'errors.field.documentTooLarge', {
        maxMb: this.files.config.documentMaxBytes / 1024 / 1024,
      });
    else if (problem || uploads.length !== 1) error = translate(user.locale, 'documents.version.oneFile');
    else if (uploads[0].size === 0)
      error = translate(user.locale, 'errors.field.documentFileEmpty', {
        name: cleanFileName(uploads[0].originalname),
      });
    if (error) {
      await this.files.remove(uploads.map((upload) => upload.filename));
      return this.renderVersionForm(response.status(problem === 'tooLarge' ? 413 : 422), user, record, error);
    }

    const version = await this.documents.addNewVersion(user, id, uploads[0]);
    setFlash(response, 'documents.version.saved', { version });
    response.redirect(303, `/documents/${id}#document-versions`);
  }

  private renderVersionForm(
    response: Response,
    user: CurrentUser,
    record: StoredRecord,
    error: string | undefined,
  ): void {
    response.render('documents/views/new-version', {
      title: 'documents.singular',
      module: this.moduleName,
      moduleLabel: translate(user.locale, 'documents.plural'),
      id: record.id,
      recordName: String(record.values.title ?? ''),
      error,
      name: FILES_FIELD,
      ...this.limits(user),
    });
  }

  /**
   * Adds the versions of a file document to its page, each downloadable, with "Upload new version".
   */
  protected override async extraDetailModel(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    // A document whose linked records are all out of reach is not found, as its downloads are.
    await this.documents.requireReadable(user, record.id);
    if (record.values.kind !== DOCUMENT_KINDS.file) return {};
    const versions = await this.documents.versions(user, record.id);
    const canChange =
      permissions.can(this.moduleName, 'edit') &&
      (await this.records.scopeAllows(this.moduleName, user, record.id, 'write'));
    return {
      detailActions: [
        { href: `/documents/${record.id}/download`, label: translate(user.locale, 'documents.download') },
        ...(canChange
          ? [
              {
                href: `/documents/${record.id}/versions/new`,
                label: translate(user.locale, 'documents.version.upload'),
              },
            ]
          : []),
      ],
      detailSections: [{ partial: 'documents-versions', model: versionsModel(user, record.id, versions) }],
    };
  }
}

/** Returns the posted text of each field, to fill the form in again. */
function textValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') values[key] = value;
  return values;
}
