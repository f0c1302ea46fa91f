import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import type { AppConfig } from '../../config/configuration.js';
import { AdminBoundsService } from '../access/admin-bounds.service.js';
import type { CurrentUser } from '../access/current-user.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { RolesService } from '../roles/roles.service.js';
import { USER_COLUMNS, UserImportResult, UsersImportService } from './users-import.service.js';
import { csvFileUpload, runUpload } from '../web/upload.js';
import { CsrfTokenInUploadBody } from '../web/upload-csrf.js';

/**
 * The user import pages: upload a CSV file with a fixed set of column names, and see what was created.
 * The file is deleted as soon as it has been read.
 */
@Controller('admin/users/import')
@RequiresAdminArea('users')
export class UsersImportController {
  private readonly upload: RequestHandler;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly imports: UsersImportService,
    private readonly roles: RolesService,
    private readonly bounds: AdminBoundsService,
  ) {
    this.upload = csvFileUpload(join(config.storageDir, 'user-imports'), config.importMaxBytes);
  }

  @Get()
  async uploadPage(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.renderUpload(response, user, undefined, await this.defaultParentRoleId(user));
  }

  @Post()
  @HttpCode(200)
  @CsrfTokenInUploadBody()
  async receiveUpload(
    @User() user: CurrentUser,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const problem = await runUpload(this.upload, request, response);
    const body = (request.body ?? {}) as Record<string, unknown>;
    // A form posted without the field (a script, say) gets the same role the page preselects.
    const parentRoleId =
      body.parentRoleId === undefined ? await this.defaultParentRoleId(user) : Number(body.parentRoleId);
    const fail = async (status: number, code: string, params: Record<string, string | number> = {}) => {
      if (request.file) await rm(request.file.path, { force: true });
      await this.renderUpload(response.status(status), user, code, parentRoleId, params);
    };
    if (problem) return fail(problem === 'tooLarge' ? 413 : 422, problem);
    if (!request.file) return fail(422, 'noFile');
    const parentExists =
      Number.isSafeInteger(parentRoleId) &&
      (await this.roles.tree()).some((role) => role.id === parentRoleId);
    if (!parentExists) return fail(422, 'roleNotFound');
    const bounds = await this.bounds.forUser(user);
    if (!bounds.mayAddUnder(parentRoleId)) return fail(422, 'roleNotManageable');

    const path = request.file.path;
    const outcome = await this.imports
      .importFile(path, { parentRoleId, locale: user.locale, bounds })
      .finally(() => rm(path, { force: true }));
    if (!outcome.ok) return this.renderUpload(response.status(422), user, outcome.problem, parentRoleId);
    response.render('admin/users-import-result', this.resultModel(user, outcome.result));
  }

  /** Returns the role the upload page preselects: the import's default, or the user's own role when they may not use it. */
  private async defaultParentRoleId(user: CurrentUser): Promise<number> {
    const preferred = await this.imports.defaultParentRoleId();
    const bounds = await this.bounds.forUser(user);
    return bounds.mayAddUnder(preferred) || typeof user.roleId !== 'number' ? preferred : user.roleId;
  }

  private async renderUpload(
    response: Response,
    user: CurrentUser,
    problem: string | undefined,
    parentRoleId: number,
    params: Record<string, string | number> = {},
  ): Promise<void> {
    const maxMb = this.config.importMaxBytes / 1024 / 1024;
    const bounds = await this.bounds.forUser(user);
    const roles = (await this.roles.tree()).filter((role) => bounds.mayAddUnder(role.id));
    response.render('admin/users-import', {
      title: 'usersImport.title',
      error: problem
        ? translate(user.locale, `usersImport.problems.${problem}`, { maxMb, ...params })
        : undefined,
      maxMb,
      columns: (Object.keys(USER_COLUMNS) as (keyof typeof USER_COLUMNS)[]).map((column) => ({
        label: translate(user.locale, `usersImport.columns.${column}`),
        headers: USER_COLUMNS[column].join(', '),
      })),
      roles: roles.map((role) => ({
        value: role.id,
        label: `${'— '.repeat(role.depth)}${role.name}`,
        selected: role.id === parentRoleId,
      })),
    });
  }

  private resultModel(user: CurrentUser, result: UserImportResult) {
    return {
      title: 'usersImport.result.title',
      counts: result.counts,
      failures: result.failures.map((failure) => ({
        line: failure.line,
        fullName: failure.fullName,
        reason: translate(user.locale, `usersImport.reasons.${failure.reason}`, failure.params ?? {}),
      })),
      changes: result.changes,
    };
  }
}
