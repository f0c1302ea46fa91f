import { Body, Controller, ForbiddenException, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AdminBounds, AdminBoundsService } from '../access/admin-bounds.service.js';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { FieldErrors } from '../records/record-validation.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { ASSIGN_SCOPES } from './role.entity.js';
import { RoleChangeResult, RolesService } from './roles.service.js';

interface RoleForm {
  /** A role's profile ids: one value for one checked box, an array for several. */
  profileIds?: string | string[];
  name?: string;
  parentId?: string;
  assignScope?: string;
  transferToId?: string;
}

const toId = (value: string | undefined): number | null =>
  value && /^\d{1,10}$/.test(value) ? Number(value) : null;

/**
 * The role tree: add, rename, move and delete roles. Administrators and users whose profile grants user
 * administration reach these pages, and the second may change only the roles below their own.
 */
@Controller('admin/roles')
@RequiresAdminArea('users')
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    private readonly profiles: ProfilesService,
    private readonly bounds: AdminBoundsService,
  ) {}

  @Get()
  async tree(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.render(response, user, null, {});
  }

  @Post()
  async create(@User() user: CurrentUser, @Body() body: RoleForm, @Res() response: Response): Promise<void> {
    const parentId = toId(body.parentId) ?? 0;
    if (!(await this.bounds.forUser(user)).mayAddUnder(parentId)) throw new ForbiddenException();
    const result = await this.roles.create(body.name ?? '', parentId);
    await this.finish(response, user, null, result);
  }

  @Post(':id')
  async update(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.changeableRole(user, id);
    const result = await this.roles.update(id, body.name ?? '', body.assignScope ?? '');
    await this.finish(response, user, id, result);
  }

  @Post(':id/move')
  async move(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
    const parentId = toId(body.parentId) ?? 0;
    if (!(await this.changeableRole(user, id)).mayAddUnder(parentId)) throw new ForbiddenException();
    const result = await this.roles.move(id, parentId);
    await this.finish(response, user, id, result);
  }

  @Post(':id/delete')
  async remove(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
    const transferToId = toId(body.transferToId);
    const bounds = await this.changeableRole(user, id);
    if (transferToId !== null && !bounds.mayAddUnder(transferToId)) throw new ForbiddenException();
    const result = await this.roles.remove(id, transferToId);
    await this.finish(response, user, id, result);
  }

  @Post(':id/profiles')
  async setProfiles(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
    const submitted = Array.isArray(body.profileIds)
      ? body.profileIds
      : body.profileIds
        ? [body.profileIds]
        : [];
    const ids = submitted.map((value) => toId(typeof value === 'string' ? value : undefined));
    if (ids.some((value) => value === null))
      return this.render(response.status(422), user, id, { profileIds: { code: 'profileNotFound' } });
    const bounds = await this.changeableRole(user, id);
    const tooBroad = (await this.profiles.list()).find(
      (profile) => ids.includes(profile.id) && !bounds.mayGrantProfile(profile.id),
    );
    if (tooBroad)
      return this.render(response.status(422), user, id, {
        profileIds: { code: 'profileGrantsMore', params: { profile: tooBroad.name } },
      });

    const result = await this.profiles.setRoleProfiles(id, ids as number[]);
    if (result.ok) return response.redirect(303, '/admin/roles');
    await this.render(response.status(422), user, id, result.errors);
  }

  /** Returns the user's bounds, or throws 403 when they do not let the user change the role. */
  private async changeableRole(user: CurrentUser, id: number): Promise<AdminBounds> {
    const bounds = await this.bounds.forUser(user);
    if (!bounds.mayChangeRole(id)) throw new ForbiddenException();
    return bounds;
  }

  private async finish(
    response: Response,
    user: CurrentUser,
    roleId: number | null,
    result: RoleChangeResult,
  ): Promise<void> {
    if (result.ok) return response.redirect(303, '/admin/roles');
    await this.render(response.status(422), user, roleId, result.errors);
  }

  /** The tree with one set of forms per role; errors show beside the role they concern. */
  private async render(
    response: Response,
    user: CurrentUser,
    failedRoleId: number | null,
    errors: FieldErrors,
  ): Promise<void> {
    const tree = await this.roles.tree();
    const profiles = await this.profiles.list();
    const profilesByRole = await this.profiles.profilesByRole();
    const bounds = await this.bounds.forUser(user);
    const locale = user.locale;
    const messages = Object.values(errors).map((error) =>
      translate(locale, `errors.field.${error.code}`, error.params ?? {}),
    );

    response.render('admin/roles', {
      title: 'roles.title',
      failedRoleId,
      messages,
      limited: !bounds.isAdministrator,
      roles: tree.map((role) => ({
        ...role,
        indent: role.depth,
        isRoot: role.parentId === null,
        changeable: bounds.mayChangeRole(role.id),
        mayAddUnder: bounds.mayAddUnder(role.id),
        profiles: profiles.map((profile) => ({
          id: profile.id,
          name: profile.name,
          checked: profilesByRole.get(role.id)?.has(profile.id) ?? false,
        })),
        failed: failedRoleId === role.id,
        scopes: ASSIGN_SCOPES.map((scope) => ({
          value: scope,
          label: translate(locale, `roles.assignScope.${scope}`),
          selected: scope === role.assignScope,
        })),
        // A role can go under any role outside its own subtree.
        parents: tree
          .filter((other) => !other.path.startsWith(role.path) && bounds.mayAddUnder(other.id))
          .map((other) => ({ id: other.id, name: other.name, selected: other.id === role.parentId })),
        transferTargets: tree
          .filter((other) => !other.path.startsWith(role.path) && bounds.mayAddUnder(other.id))
          .map((other) => ({ id: other.id, name: other.name })),
      })),
    });
  }
}
