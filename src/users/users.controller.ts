import { Body, Controller, ForbiddenException, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminBounds, AdminBoundsService } from '../access/admin-bounds.service.js';
import type { CurrentUser } from '../access/current-user.js';
import { User as CurrentUserParam } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { FieldErrors } from '../records/record-validation.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { LOCALES } from '../records/values.js';
import { UserInput, UsersService } from './users.service.js';
import { RolesService } from '../roles/roles.service.js';
import { RecordTransferService } from './record-transfer.service.js';
import { readOwner } from '../records/field-codec.js';
import { RecordViews } from '../records/record-views.js';
import { setFlash } from '../web/flash.js';
import { MIN_PASSWORD_LENGTH } from '../auth/password.js';
import type { Locale } from '../records/values.js';

/** The last move of a user's records, kept in the session for its result page. */
type SessionWithRecordMove = {
  recordMove?: {
    userId: number;
    fullName: string;
    targetName: string;
    moved: { module: string; count: number }[];
  };
};

interface UserForm {
  fullName?: string;
  username?: string;
  email?: string;
  password?: string;
  isActive?: string;
  isAdmin?: string;
  locale?: string;
  roleId?: string;
}

/**
 * User administration: list, create and edit users. Administrators and users whose profile grants user
 * administration reach these pages; the second may manage only the users that their AdminBounds allow.
 */
@Controller('admin/users')
@RequiresAdminArea('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly transfers: RecordTransferService,
    private readonly registry: ModuleRegistry,
    private readonly views: RecordViews,
    private readonly bounds: AdminBoundsService,
  ) {}

  @Get()
  async list(@CurrentUserParam() user: CurrentUser, @Res() response: Response): Promise<void> {
    const bounds = await this.bounds.forUser(user);
    const users = (await this.users.list()).map((listed) => ({
      id: listed.id,
      fullName: listed.fullName,
      username: listed.username,
      email: listed.email,
      roleName: listed.role?.name ?? '',
      isActive: listed.isActive,
      isAdmin: listed.isAdmin,
      manageable: bounds.mayManageUser(listed),
    }));
    response.render('admin/users', { title: 'users.title', users });
  }

  @Get('new')
  async newPage(@CurrentUserParam() user: CurrentUser, @Res() response: Response): Promise<void> {
    // No role is preselected: what a new user sees depends on it, so the administrator chooses.
    await this.renderForm(response, user, null, { isActive: 'on', locale: 'en', roleId: '' }, {});
  }

  @Post()
  async create(
    @CurrentUserParam() user: CurrentUser,
    @Body() body: UserForm,
    @Res() response: Response,
  ): Promise<void> {
    const input = this.toInput(body);
    const bounds = await this.bounds.forUser(user);
    if (input.isAdmin && !bounds.isAdministrator) throw new ForbiddenException();
    if (!this.mayPlace(bounds, input))
      return this.renderForm(response.status(422), user, null, body, {
        roleId: { code: 'roleNotManageable' },
      });

    const result = await this.users.save(null, input);
    if (!result.ok) return this.renderForm(response.status(422), user, null, body, result.errors);
    setFlash(response, 'flash.saved');
    response.redirect(303, '/admin/users');
  }

  @Get(':id/edit')
  async editPage(
    @CurrentUserParam() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
    moveError?: string,
  ): Promise<void> {
    const existing = await this.manageableUser(await this.bounds.forUser(user), id);
    await this.renderForm(
      response,
      user,
      id,
      {
        fullName: existing.fullName,
        username: existing.username,
        email: existing.email ?? '',
        isActive: existing.isActive ? 'on' : undefined,
        isAdmin: existing.isAdmin ? 'on' : undefined,
        locale: existing.locale,
        roleId: existing.roleId === null ? '' : String(existing.roleId),
      },
      {},
      moveError,
    );
  }

  @Post(':id')
  async update(
    @CurrentUserParam() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: UserForm,
    @Res() response: Response,
  ): Promise<void> {
    const input = this.toInput(body);
    const bounds = await this.bounds.forUser(user);
    await this.manageableUser(bounds, id);
    if (input.isAdmin && !bounds.isAdministrator) throw new ForbiddenException();
    if (!this.mayPlace(bounds, input))
      return this.renderForm(response.status(422), user, id, body, { roleId: { code: 'roleNotManageable' } });

    // An administrator cannot lock themselves out by deactivating or demoting their own account.
    if (id === user.id && (!input.isActive || !input.isAdmin)) {
      return this.renderForm(response.status(422), user, id, body, {
        isActive: { code: 'selfLockout' },
      });
    }
    const result = await this.users.save(id, input);
    if (!result.ok) return this.renderForm(response.status(422), user, id, body, result.errors);
    setFlash(response, 'flash.saved');
    response.redirect(303, '/admin/users');
  }

  /** Moves every record assigned to this user to the chosen active user or group, and shows how many moved. */
  @Post(':id/move-records')
  async moveRecords(
    @CurrentUserParam() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: { toOwner?: string },
    @Res() response: Response,
  ): Promise<void> {
    const bounds = await this.bounds.forUser(user);
    const existing = await this.manageableUser(bounds, id);
    const target = readOwner(body.toOwner);
    // A user administrator may give the records to themselves or to a user they manage, never further.
    if (target !== undefined && !(await this.mayReceive(bounds, user, target))) {
      response.status(422);
      return this.editPage(
        user,
        id,
        response,
        translate(user.locale, 'users.move.errors.targetNotManageable'),
      );
    }

    const result =
      target === undefined
        ? ({ ok: false, code: 'targetMissing' } as const)
        : await this.transfers.moveAll(user, id, target);
    if (!result.ok) {
      response.status(422);
      return this.editPage(user, id, response, translate(user.locale, `users.move.errors.${result.code}`));
    }
    // The result is shown after a redirect (post/redirect/get), so that a reload does not post again.
    const session = response.req.session as unknown as SessionWithRecordMove | undefined;
    if (session)
      session.recordMove = {
        userId: id,
        fullName: existing.fullName,
        targetName: (await this.views.ownerName(body.toOwner!)) ?? '',
        moved: result.moved,
      };
    response.redirect(303, `/admin/users/${id}/records-moved`);
  }

  /** Shows the result of the last move of this user's records, or the user's page when there is none. */
  @Get(':id/records-moved')
  async recordsMoved(
    @CurrentUserParam() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.manageableUser(await this.bounds.forUser(user), id);
    const stored = (request.session as unknown as SessionWithRecordMove | undefined)?.recordMove;
    if (!stored || stored.userId !== id) return response.redirect(303, `/admin/users/${id}/edit`);
    response.render('admin/user-records-moved', {
      title: 'users.move.doneTitle',
      id,
      fullName: stored.fullName,
      targetName: stored.targetName,
      moved: stored.moved.map((entry) => ({
        module: translate(user.locale, this.registry.get(entry.module).label),
        count: entry.count,
      })),
    });
  }

  /** Loads the user, or throws 403 when the bounds do not let the logged-in user manage them. */
  private async manageableUser(bounds: AdminBounds, id: number) {
    const existing = await this.users.get(id);
    if (!bounds.mayManageUser(existing)) throw new ForbiddenException();
    return existing;
  }

  /**
   * Returns whether records may move to this user or group: anyone for an administrator, otherwise the
   * logged-in user or a user they manage. Groups cut across the role tree, so only administrators pick them.
   */
  private async mayReceive(
    bounds: AdminBounds,
    user: CurrentUser,
    target: number | string,
  ): Promise<boolean> {
    if (bounds.isAdministrator || target === user.id) return true;
    if (typeof target !== 'number') return false;
    const candidate = await this.users.findById(target);
    return candidate !== null && bounds.mayManageUser(candidate);
  }

  /** Returns false for a chosen role the user may not put people in. The save reports a missing role. */
  private mayPlace(bounds: AdminBounds, input: UserInput): boolean {
    if (input.roleId === undefined || input.roleId === '') return true;
    return bounds.mayPlaceUsersIn(Number(input.roleId));
  }

  private toInput(body: UserForm): UserInput {
    return {
      fullName: body.fullName,
      username: body.username,
      email: body.email,
      password: body.password,
      isActive: body.isActive === 'on',
      isAdmin: body.isAdmin === 'on',
      locale: body.locale,
      roleId: body.roleId,
    };
  }

  private async renderForm(
    response: Response,
    user: CurrentUser,
    id: number | null,
    values: UserForm,
    errors: FieldErrors,
    moveError?: string,
  ): Promise<void> {
    const message = (name: string) =>
      errors[name]
        ? translate(user.locale, `errors.field.${errors[name].code}`, errors[name].params ?? {})
        : undefined;
    const fields = ['fullName', 'username', 'email', 'password'].map((name) => ({
      name,
      label: translate(user.locale, `users.fields.${name}`),
      value: name === 'password' ? '' : (values[name as keyof UserForm] ?? ''),
      kind: name === 'password' ? 'password' : name === 'email' ? 'email' : 'text',
      required: name !== 'email' && !(name === 'password' && id !== null),
      hint: name === 'password' ? passwordHint(user.locale, id) : undefined,
      autocomplete: name === 'password' ? 'new-password' : 'off',
      error: message(name),
    }));
    const bounds = await this.bounds.forUser(user);
    const roles = (await this.roles.tree()).filter((role) => bounds.mayPlaceUsersIn(role.id));
    const managed = new Set(
      (await this.users.listActive())
        .filter((candidate) => bounds.mayManageUser(candidate))
        .map((candidate) => String(candidate.id)),
    );
    fields.push({
      name: 'roleId',
      label: translate(user.locale, 'users.fields.roleId'),
      value: values.roleId ?? '',
      kind: 'select',
      required: true,
      hint: undefined,
      autocomplete: 'off',
      error: message('roleId'),
      options: [
        { value: '', label: '', selected: !values.roleId },
        ...roles.map((role) => ({
          value: String(role.id),
          label: `${'— '.repeat(role.depth)}${role.name}`,
          selected: String(role.id) === values.roleId,
        })),
      ],
    } as (typeof fields)[number]);
    response.render('admin/user-form', {
      title: id === null ? 'users.new' : 'users.edit',
      id,
      action: id === null ? '/admin/users' : `/admin/users/${id}`,
      fields,
      isActive: values.isActive === 'on',
      isAdmin: values.isAdmin === 'on',
      mayGrantAdmin: bounds.isAdministrator,
      isSelf: id === user.id,
      locales: LOCALES.map((locale) => ({
        value: locale,
        label: translate(user.locale, `locales.${locale}`),
        selected: values.locale === locale,
      })),
      isActiveError: message('isActive'),
      moveError,
      // Only active users and groups can receive records, as in every assignee picker.
      moveTargets:
        id === null
          ? []
          : (await this.views.ownerChoices(user, 'filter', '')).map((section) => ({
              ...section,
              options: section.options.filter(
                (option) =>
                  option.value !== String(id) &&
                  (bounds.isAdministrator || option.value === String(user.id) || managed.has(option.value)),
              ),
            })),
      errorSummary: [
        ...fields
          .filter((field) => field.error)
          .map((field) => ({ name: field.name, label: field.label, error: field.error })),
        ...(errors.isActive
          ? [
              {
                name: 'isActive',
                label: translate(user.locale, 'users.fields.isActive'),
                error: message('isActive'),
              },
            ]
          : []),
      ],
    });
  }
}

/** Returns the hint under the password box: its minimum length, and on an edit that leaving it empty keeps it. */
function passwordHint(locale: Locale, id: number | null): string {
  return translate(locale, id === null ? 'users.passwordRule' : 'users.passwordKeep', {
    min: MIN_PASSWORD_LENGTH,
  });
}
