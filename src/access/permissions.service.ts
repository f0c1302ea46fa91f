import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import {
  ADMIN_AREAS,
  AdminArea,
  FieldAccess,
  MODULE_ACTIONS,
  ModuleAction,
} from '../profiles/profile.entity.js';
import { CurrentUser } from './current-user.js';

const ACTION_COLUMNS: Record<ModuleAction, string> = {
  view: 'can_view',
  create: 'can_create',
  edit: 'can_edit',
  delete: 'can_delete',
  import: 'can_import',
  export: 'can_export',
};

const AREA_COLUMNS: Record<AdminArea, 'can_administer_users' | 'can_administer_layout'> = {
  users: 'can_administer_users',
  layout: 'can_administer_layout',
};

/** One right that a set of permissions grants beyond another, as `UserPermissions.excessOver` lists them. */
export type Excess =
  | { kind: 'action'; module: string; action: ModuleAction }
  | { kind: 'field'; module: string; field: string; access: FieldAccess }
  | { kind: 'area'; area: AdminArea };

/**
 * What one user may do, as the union of their role's profiles: an action or an administration area is
 * allowed when any profile allows it, and a field is restricted only as far as every profile restricts it.
 */
export class UserPermissions {
  constructor(
    /** Allowed actions per module; a module missing here is fully allowed. */
    private readonly actions: Map<string, Set<ModuleAction>> | null,
    /** Restricted fields per module; a field missing here is visible and editable. */
    private readonly fields: Map<string, Map<string, FieldAccess>>,
    /** False for a role without profiles, which may do nothing. */
    private readonly hasProfiles = true,
    /** Administration areas allowed, or null for every area. */
    private readonly areas: ReadonlySet<AdminArea> | null = new Set(),
    /**
     * Fields per module that the Layout Editor made read-only for everybody. They are also in `fields`,
     * but no profile grants more by leaving them editable, so excessOver() passes over them.
     */
    private readonly readOnlyForAll: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  /** Permissions of an administrator or of system work: everything is allowed. */
  static unrestricted(): UserPermissions {
    return new UserPermissions(null, new Map(), true, null);
  }

  canAdminister(area: AdminArea): boolean {
    return this.hasProfiles && (this.areas === null || this.areas.has(area));
  }

  can(moduleName: string, action: ModuleAction): boolean {
    if (!this.hasProfiles) return false;
    const allowed = this.actions?.get(moduleName);
    return allowed === undefined || allowed.has(action);
  }

  /** Throws 403 unless the action is allowed, so that nothing after it runs. */
  require(moduleName: string, action: ModuleAction): void {
    if (!this.can(moduleName, action)) throw new ForbiddenException();
  }

  /** The field's restriction; a computed field is hidden when a field it is computed from is hidden. */
  fieldAccess(moduleName: string, field: FieldDefinition): FieldAccess | undefined {
    const restricted = this.fields.get(moduleName);
    if (!restricted) return undefined;
    if (field.computed) {
      const sources = [field.computed.amount, field.computed.percent];
      if (sources.some((name) => restricted.get(name) === 'hidden')) return 'hidden';
    }
    return restricted.get(field.name);
  }

  isHidden(moduleName: string, field: FieldDefinition): boolean {
    return this.fieldAccess(moduleName, field) === 'hidden';
  }

  /** Hidden fields are read-only too: neither may be changed. */
  isReadOnly(moduleName: string, field: FieldDefinition): boolean {
    return this.fieldAccess(moduleName, field) !== undefined;
  }

  visible(moduleName: string, fields: FieldDefinition[]): FieldDefinition[] {
    return fields.filter((field) => !this.isHidden(moduleName, field));
  }

  /** Every restricted field of the module, for the record validation. */
  restrictedFields(moduleName: string): ReadonlyMap<string, FieldAccess> {
    return this.fields.get(moduleName) ?? new Map();
  }

  /**
   * Lists what these permissions grant that `bound` does not, over the given modules: an action or an
   * administration area that `bound` lacks, and a field that `bound` restricts more. Field rules are
   * compared even for a module these permissions cannot view, so that the check holds for any union of
   * profiles that each pass it. An empty list means these permissions grant no more than `bound`.
   */
  excessOver(bound: UserPermissions, moduleNames: string[]): Excess[] {
    const excess: Excess[] = [];
    for (const area of ADMIN_AREAS) {
      if (this.canAdminister(area) && !bound.canAdminister(area)) excess.push({ kind: 'area', area });
    }
    for (const module of moduleNames) {
      for (const action of MODULE_ACTIONS) {
        if (this.can(module, action) && !bound.can(module, action))
          excess.push({ kind: 'action', module, action });
      }
      if (!this.hasProfiles) continue;
      for (const [field, boundAccess] of bound.restrictedFields(module)) {
        if (boundAccess === 'readonly' && bound.readOnlyForAll.get(module)?.has(field)) continue;
        const access = this.restrictedFields(module).get(field);
        const looser = access === undefined || (boundAccess === 'hidden' && access === 'readonly');
        if (looser) excess.push({ kind: 'field', module, field, access: boundAccess });
      }
    }
    return excess;
  }
}

interface ModuleRow {
  profile_id: number | string;
  can_administer_users: unknown;
  can_administer_layout: unknown;
  module: string | null;
  can_view: unknown;
  can_create: unknown;
  can_edit: unknown;
  can_delete: unknown;
  can_import: unknown;
  can_export: unknown;
}

interface FieldRow {
  profile_id: number | string;
  module: string;
  field: string;
  access: FieldAccess;
}

/**
 * Computes a user's rights from the profiles of their role, in two queries. The result is cached on the
 * request's user object only: passport builds that object anew for every request, so a change to a
 * profile applies from the next request on.
 */
@Injectable()
export class PermissionsService {
  private readonly cache = new WeakMap<CurrentUser, Promise<UserPermissions>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  forUser(user: CurrentUser, manager?: EntityManager): Promise<UserPermissions> {
    // A user without a role is system work (scripts), which acts with the administrator's rights. Fields the
    // Layout Editor made read-only are read-only for them too.
    if (user.isAdmin || user.roleId === undefined || user.roleId === null) {
      const readOnlyForAll = readOnlyForAllOf(this.registry.all());
      return Promise.resolve(
        new UserPermissions(null, withLayoutReadOnly(new Map(), readOnlyForAll), true, null, readOnlyForAll),
      );
    }

    const cached = this.cache.get(user);
    if (cached) return cached;
    const loading = this.load(user.roleId, manager ?? this.dataSource.manager);
    this.cache.set(user, loading);
    // A failed load is not kept, so that a retry in the same request queries again.
    loading.catch(() => this.cache.delete(user));
    return loading;
  }

  /**
   * Returns whether the user may use an administration area. Administrators may use every area. A user
   * without a role may use none, because only system work runs without one and it needs no pages.
   */
  async mayAdminister(user: CurrentUser, area: AdminArea): Promise<boolean> {
    if (user.isAdmin) return true;
    if (user.roleId === undefined || user.roleId === null) return false;
    return (await this.forUser(user)).canAdminister(area);
  }

  /** Returns the permissions of every profile on its own, by profile id. */
  async byProfile(): Promise<Map<number, UserPermissions>> {
    const moduleRows = await this.dataSource.query<ModuleRow[]>(
      `SELECT p.id AS profile_id, ${PROFILE_COLUMNS}
         FROM profiles p
         LEFT JOIN profile_module_permissions pm ON pm.profile_id = p.id`,
    );
    const fieldRows = await this.dataSource.query<FieldRow[]>(
      'SELECT pf.profile_id, pf.module, pf.field, pf.access FROM profile_field_permissions pf',
    );

    const permissions = new Map<number, UserPermissions>();
    for (const profileId of new Set(moduleRows.map((row) => Number(row.profile_id)))) {
      const ofProfile = <T extends { profile_id: number | string }>(rows: T[]) =>
        rows.filter((row) => Number(row.profile_id) === profileId);
      permissions.set(profileId, this.unionOf(ofProfile(moduleRows), ofProfile(fieldRows)));
    }
    return permissions;
  }

  /** Throws 403 unless the user may perform the action on the module. */
  async require(user: CurrentUser, moduleName: string, action: ModuleAction): Promise<UserPermissions> {
    const permissions = await this.forUser(user);
    permissions.require(moduleName, action);
    return permissions;
  }

  private async load(roleId: number, manager: EntityManager): Promise<UserPermissions> {
    // The left join returns every profile of the role, with a null module for a profile without rows.
    const moduleRows = await manager.query<ModuleRow[]>(
      `SELECT rp.profile_id, ${PROFILE_COLUMNS}
         FROM role_profiles rp
         JOIN profiles p ON p.id = rp.profile_id
         LEFT JOIN profile_module_permissions pm ON pm.profile_id = rp.profile_id
        WHERE rp.role_id = ?`,
      [roleId],
    );
    const fieldRows = await manager.query<FieldRow[]>(
      `SELECT pf.profile_id, pf.module, pf.field, pf.access
         FROM profile_field_permissions pf
         JOIN role_profiles rp ON rp.profile_id = pf.profile_id
        WHERE rp.role_id = ?`,
      [roleId],
    );
    return this.unionOf(moduleRows, fieldRows);
  }

  /**
   * Combines the rows of one or more profiles: one module row per profile and module, or one null row. A
   * link to a module the profiles may not view is read-only, so that no form sets a record it cannot show.
   */
  private unionOf(moduleRows: ModuleRow[], fieldRows: FieldRow[]): UserPermissions {
    const hasProfiles = moduleRows.length > 0;
    const actions = unionOfActions(moduleRows);
    const moduleAccess = new UserPermissions(actions, new Map(), hasProfiles);
    const fields = withUnviewableLinksReadOnly(
      unionOfFields(moduleRows, fieldRows),
      this.registry.all(),
      (moduleName) => moduleAccess.can(moduleName, 'view'),
    );
    const readOnlyForAll = readOnlyForAllOf(this.registry.all());
    return new UserPermissions(
      actions,
      withLayoutReadOnly(fields, readOnlyForAll),
      hasProfiles,
      unionOfAreas(moduleRows),
      readOnlyForAll,
    );
  }
}

/** The columns of a profile and of its module rows that `unionOf` reads, with profiles as `p` and rows as `pm`. */
const PROFILE_COLUMNS = `p.can_administer_users, p.can_administer_layout, pm.module, pm.can_view, pm.can_create,
              pm.can_edit, pm.can_delete, pm.can_import, pm.can_export`;

/** Administration areas that any of the profiles allows. */
function unionOfAreas(rows: ModuleRow[]): Set<AdminArea> {
  const areas = new Set<AdminArea>();
  for (const row of rows) {
    for (const area of ADMIN_AREAS) if (isTrue(row[AREA_COLUMNS[area]])) areas.add(area);
  }
  return areas;
}

/**
 * Makes every link field whose target module the user may not view read-only, unless a profile hides it.
 * So the form shows the linked name as text and offers no records of that module, and a form, an import
 * or a mass edit that sets the field is rejected, as for any read-only field.
 */
function withUnviewableLinksReadOnly(
  fields: Map<string, Map<string, FieldAccess>>,
  manifests: ModuleManifest[],
  canView: (moduleName: string) => boolean,
): Map<string, Map<string, FieldAccess>> {
  for (const manifest of manifests) {
    for (const field of manifest.fields) {
      if (field.type !== 'link' || canView(field.link!)) continue;
      const moduleFields = fields.get(manifest.name) ?? new Map<string, FieldAccess>();
      if (moduleFields.get(field.name) !== 'hidden') moduleFields.set(field.name, 'readonly');
      fields.set(manifest.name, moduleFields);
    }
  }
  return fields;
}

/** Lists the fields per module that the Layout Editor made read-only for everybody. */
function readOnlyForAllOf(manifests: ModuleManifest[]): Map<string, Set<string>> {
  const fields = new Map<string, Set<string>>();
  for (const manifest of manifests) {
    const names = manifest.fields.filter((field) => field.readOnlyForAll).map((field) => field.name);
    if (names.length > 0) fields.set(manifest.name, new Set(names));
  }
  return fields;
}

/**
 * Makes the fields that the Layout Editor made read-only for everybody read-only, unless a profile hides
 * them. Forms, imports and mass edits then reject them through the same checks as a profile's read-only
 * field.
 */
function withLayoutReadOnly(
  fields: Map<string, Map<string, FieldAccess>>,
  readOnlyForAll: Map<string, Set<string>>,
): Map<string, Map<string, FieldAccess>> {
  for (const [moduleName, names] of readOnlyForAll) {
    const moduleFields = fields.get(moduleName) ?? new Map<string, FieldAccess>();
    for (const name of names) if (moduleFields.get(name) !== 'hidden') moduleFields.set(name, 'readonly');
    fields.set(moduleName, moduleFields);
  }
  return fields;
}

/**
 * Allowed actions per module over all profiles. A module that some profile has no row for is fully
 * allowed, so it is left out of the map.
 */
function unionOfActions(rows: ModuleRow[]): Map<string, Set<ModuleAction>> {
  const profileIds = new Set(rows.map((row) => Number(row.profile_id)));
  const rowsByModule = new Map<string, ModuleRow[]>();
  for (const row of rows) {
    if (row.module === null) continue;
    rowsByModule.set(row.module, [...(rowsByModule.get(row.module) ?? []), row]);
  }

  const actions = new Map<string, Set<ModuleAction>>();
  for (const [module, moduleRows] of rowsByModule) {
    if (moduleRows.length < profileIds.size) continue;
    const allowed = new Set<ModuleAction>();
    for (const row of moduleRows) {
      for (const [action, column] of Object.entries(ACTION_COLUMNS) as [ModuleAction, keyof ModuleRow][]) {
        if (isTrue(row[column])) allowed.add(action);
      }
    }
    actions.set(module, allowed);
  }
  return actions;
}

/** Restrictions per field: hidden when every profile hides it, read-only when every profile restricts it. */
function unionOfFields(
  moduleRows: ModuleRow[],
  fieldRows: FieldRow[],
): Map<string, Map<string, FieldAccess>> {
  const profileCount = new Set(moduleRows.map((row) => Number(row.profile_id))).size;
  const byField = new Map<string, FieldAccess[]>();
  for (const row of fieldRows) {
    const key = `${row.module}\u0000${row.field}`;
    byField.set(key, [...(byField.get(key) ?? []), row.access]);
  }

  const fields = new Map<string, Map<string, FieldAccess>>();
  for (const [key, accesses] of byField) {
    if (accesses.length < profileCount) continue;
    const [module, field] = key.split('\u0000');
    const access: FieldAccess = accesses.every((access) => access === 'hidden') ? 'hidden' : 'readonly';
    const moduleFields = fields.get(module) ?? new Map<string, FieldAccess>();
    moduleFields.set(field, access);
    fields.set(module, moduleFields);
  }
  return fields;
}

/** Booleans come back as 1/0 from both drivers, or as '1'/'0' in some mysql2 settings. */
function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
