import { Body, Controller, ForbiddenException, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AdminBounds, AdminBoundsService } from '../access/admin-bounds.service.js';
import type { CurrentUser } from '../access/current-user.js';
import { Excess, UserPermissions } from '../access/permissions.service.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { FieldErrors } from '../records/record-validation.js';
import { Locale } from '../records/values.js';
import {
  ADMIN_AREA_PROPERTIES,
  ADMIN_AREAS,
  FieldAccess,
  FIELD_ACCESSES,
  MODULE_ACTIONS,
  ModuleAction,
} from './profile.entity.js';
import { ProfileChangeResult, ProfileGrid, ProfilesService } from './profiles.service.js';

type FormBody = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Translates error codes under `errors.field.`; label parameters are catalogue keys, translated too. */
function errorMessages(locale: Locale, errors: FieldErrors): string[] {
  return Object.values(errors).map((error) => {
    const params = { ...(error.params ?? {}) };
    for (const key of ['module', 'field'])
      if (typeof params[key] === 'string') params[key] = translate(locale, params[key]);
    return translate(locale, `errors.field.${error.code}`, params);
  });
}

/**
 * Profiles: the list, and a page per profile with its module × action grid, field restrictions and
 * administration areas. A user administrator without the administrator flag may change only the profiles
 * that no role outside their bounds uses, and may not grant more than their own profiles.
 */
@Controller('admin/profiles')
@RequiresAdminArea('users')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly registry: ModuleRegistry,
    private readonly bounds: AdminBoundsService,
  ) {}

  @Get()
  async list(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.renderList(response, user, {});
  }

  @Post()
  async create(@User() user: CurrentUser, @Body() body: FormBody, @Res() response: Response): Promise<void> {
    const result = await this.profiles.create(text(body.name), text(body.description));
    if (!result.ok) return this.renderList(response.status(422), user, result.errors);
    response.redirect(303, `/admin/profiles/${result.id}`);
  }

  @Get(':id')
  async profilePage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderProfile(response, user, id, await this.profiles.grid(id), {});
  }

  @Post(':id')
  async rename(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.changeableProfile(user, id);
    const result = await this.profiles.rename(id, text(body.name), text(body.description));
    await this.finish(response, user, id, result);
  }

  @Post(':id/permissions')
  async savePermissions(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: FormBody,
    @Res() response: Response,
  ): Promise<void> {
    const bounds = await this.changeableProfile(user, id);
    const grid = this.gridFrom(body);
    const excess = bounds.excessOf(new UserPermissions(grid.actions, grid.fields, true, grid.areas));
    if (excess.length > 0) {
      const rights = excess.map((entry) => this.describe(user.locale, entry)).join(', ');
      return this.renderProfile(response.status(422), user, id, grid, {
        grid: { code: 'grantsMoreThanOwn', params: { rights } },
      });
    }

    const result = await this.profiles.saveGrid(id, grid);
    if (!result.ok) return this.renderProfile(response.status(422), user, id, grid, result.errors);
    response.redirect(303, `/admin/profiles/${id}?saved=1`);
  }

  @Post(':id/delete')
  async remove(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.changeableProfile(user, id);
    const result = await this.profiles.remove(id);
    if (!result.ok) return this.renderList(response.status(422), user, result.errors);
    response.redirect(303, '/admin/profiles');
  }

  /** Returns the user's bounds, or throws 403 when they do not let the user change the profile. */
  private async changeableProfile(user: CurrentUser, id: number): Promise<AdminBounds> {
    await this.profiles.get(id);
    const bounds = await this.bounds.forUser(user);
    if (!bounds.mayChangeProfile(id)) throw new ForbiddenException();
    return bounds;
  }

  /** Names one right in the user's language, as the page labels it. */
  private describe(locale: Locale, excess: Excess): string {
    if (excess.kind === 'area') return translate(locale, `profiles.areas.${excess.area}`);
    const module = translate(locale, this.registry.get(excess.module).label);
    if (excess.kind === 'action')
      return translate(locale, 'profiles.actionOf', {
        action: translate(locale, `profiles.actions.${excess.action}`),
        module,
      });
    const field = this.registry.field(excess.module, excess.field);
    return translate(locale, `profiles.excess.${excess.access}`, {
      field: field ? translate(locale, field.label) : excess.field,
      module,
    });
  }

  private async finish(response: Response, user: CurrentUser, id: number, result: ProfileChangeResult) {
    if (result.ok) return response.redirect(303, `/admin/profiles/${id}`);
    await this.renderProfile(response.status(422), user, id, await this.profiles.grid(id), result.errors);
  }

  /**
   * Reads the grid from the form by the names the page gave its controls, for registry modules and
   * fields only: an unchecked box is absent from the body, so it denies its action.
   */
  private gridFrom(body: FormBody): ProfileGrid {
    const grid: ProfileGrid = { actions: new Map(), fields: new Map(), areas: new Set() };
    for (const area of ADMIN_AREAS) {
      if (body[`area:${area}`] !== undefined) grid.areas.add(area);
    }
    for (const manifest of this.registry.all()) {
      const allowed = new Set<ModuleAction>();
      for (const action of MODULE_ACTIONS) {
        if (body[`action:${manifest.name}:${action}`] !== undefined) allowed.add(action);
      }
      grid.actions.set(manifest.name, allowed);

      const fields = new Map<string, FieldAccess>();
      for (const field of manifest.fields) {
        const access = body[`field:${manifest.name}:${field.name}`];
        if (FIELD_ACCESSES.includes(access as FieldAccess)) fields.set(field.name, access as FieldAccess);
      }
      grid.fields.set(manifest.name, fields);
    }
    return grid;
  }

  private async renderList(response: Response, user: CurrentUser, errors: FieldErrors): Promise<void> {
    const bounds = await this.bounds.forUser(user);
    const profiles = await this.profiles.list();
    response.render('admin/profiles', {
      title: 'profiles.title',
      messages: errorMessages(user.locale, errors),
      profiles: profiles.map((profile) => ({
        ...profile,
        areas: ADMIN_AREAS.filter((area) => profile[ADMIN_AREA_PROPERTIES[area]])
          .map((area) => translate(user.locale, `profiles.areas.${area}`))
          .join(', '),
        deletable: profile.roleCount === 0 && bounds.mayChangeProfile(profile.id),
      })),
    });
  }

  private async renderProfile(
    response: Response,
    user: CurrentUser,
    id: number,
    grid: ProfileGrid,
    errors: FieldErrors,
  ): Promise<void> {
    const locale = user.locale;
    const profile = await this.profiles.get(id);
    const saved = response.req.query.saved === '1' && Object.keys(errors).length === 0;
    const bounds = await this.bounds.forUser(user);

    response.render('admin/profile', {
      title: 'profiles.title',
      profile,
      saved,
      readOnly: !bounds.mayChangeProfile(id),
      messages: errorMessages(locale, errors),
      areas: ADMIN_AREAS.map((area) => ({
        name: `area:${area}`,
        id: `area-${area}`,
        label: translate(locale, `profiles.areas.${area}`),
        hint: translate(locale, `profiles.areaHints.${area}`),
        checked: grid.areas.has(area),
      })),
      actionLabels: MODULE_ACTIONS.map((action) => translate(locale, `profiles.actions.${action}`)),
      modules: this.registry.all().map((manifest) => {
        const moduleLabel = translate(locale, manifest.label);
        const allowed = grid.actions.get(manifest.name);
        const restricted = grid.fields.get(manifest.name);
        return {
          name: manifest.name,
          label: moduleLabel,
          actions: MODULE_ACTIONS.map((action) => ({
            name: `action:${manifest.name}:${action}`,
            id: `action-${manifest.name}-${action}`,
            label: translate(locale, `profiles.actionOf`, {
              action: translate(locale, `profiles.actions.${action}`),
              module: moduleLabel,
            }),
            checked: allowed === undefined || allowed.has(action),
          })),
          fields: manifest.fields
            .filter((field) => !field.system)
            .map((field) => {
              const current = restricted?.get(field.name) ?? '';
              return {
                name: `field:${manifest.name}:${field.name}`,
                id: `field-${manifest.name}-${field.name}`,
                label: translate(locale, field.label),
                invalid: Boolean(errors[`${manifest.name}.${field.name}`]),
                options: ['', ...FIELD_ACCESSES].map((access) => ({
                  value: access,
                  label: translate(locale, `profiles.fieldAccess.${access || 'visible'}`),
                  selected: access === current,
                })),
              };
            }),
        };
      }),
    });
  }
}
