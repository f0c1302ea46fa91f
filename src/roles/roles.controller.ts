import { Body, Controller, Get, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { AdminGuard } from '../auth/guards.js';
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

/** The role tree: add, rename, move and delete roles. Only administrators reach these pages. */
@Controller('admin/roles')
@UseGuards(AdminGuard)
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    private readonly profiles: ProfilesService,
  ) {}

  @Get()
  async tree(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.render(response, user, null, {});
  }

  @Post()
  async create(@User() user: CurrentUser, @Body() body: RoleForm, @Res() response: Response): Promise<void> {
    const result = await this.roles.create(body.name ?? '', toId(body.parentId) ?? 0);
    await this.finish(response, user, null, result);
  }

  @Post(':id')
  async update(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
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
    const result = await this.roles.move(id, toId(body.parentId) ?? 0);
    await this.finish(response, user, id, result);
  }

  @Post(':id/delete')
  async remove(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: RoleForm,
    @Res() response: Response,
  ): Promise<void> {
    const result = await this.roles.remove(id, toId(body.transferToId));
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
    const result = await this.profiles.setRoleProfiles(id, ids as number[]);
    if (result.ok) return response.redirect(303, '/admin/roles');
    await this.render(response.status(422), user, id, result.errors);
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
    const locale = user.locale;
    const messages = Object.values(errors).map((error) =>
      translate(locale, `errors.field.${error.code}`, error.params ?? {}),
    );

    response.render('admin/roles', {
      title: 'roles.title',
      failedRoleId,
      messages,
      roles: tree.map((role) => ({
        ...role,
        indent: role.depth,
        isRoot: role.parentId === null,
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
          .filter((other) => !other.path.startsWith(role.path))
          .map((other) => ({ id: other.id, name: other.name, selected: other.id === role.parentId })),
        transferTargets: tree
          .filter((other) => !other.path.startsWith(role.path))
          .map((other) => ({ id: other.id, name: other.name })),
      })),
    });
  }
}
