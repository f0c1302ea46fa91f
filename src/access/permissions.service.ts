import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { FieldAccess, ModuleAction } from '../profiles/profile.entity.js';
import { CurrentUser } from './current-user.js';

const ACTION_COLUMNS: Record<ModuleAction, string> = {
  view: 'can_view',
  create: 'can_create',
  edit: 'can_edit',
  delete: 'can_delete',
  import: 'can_import',
  export: 'can_export',
};

/**
 * What one user may do, as the union of their role's profiles: an action is allowed when any profile
 * allows it, and a field is restricted only as far as every profile restricts it.
 */
export class UserPermissions {
  constructor(
    /** Allowed actions per module; a module missing here is fully allowed. */
    private readonly actions: Map<string, Set<ModuleAction>> | null,
    /** Restricted fields per module; a field missing here is visible and editable. */
    private readonly fields: Map<string, Map<string, FieldAccess>>,
    /** False for a role without profiles, which may do nothing. */
    private readonly hasProfiles = true,
  ) {}

  /** Permissions of an administrator or of system work: everything is allowed. */
  static unrestricted(): UserPermissions {
    return new UserPermissions(null, new Map());
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
}

interface ModuleRow {
  profile_id: number | string;
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
    // A user without a role is system work (scripts), which acts with the administrator's rights.
    if (user.isAdmin || user.roleId === undefined || user.roleId === null)
      return Promise.resolve(UserPermissions.unrestricted());

    const cached = this.cache.get(user);
    if (cached) return cached;
    const loading = this.load(user.roleId, manager ?? this.dataSource.manager);
    this.cache.set(user, loading);
    // A failed load is not kept, so that a retry in the same request queries again.
    loading.catch(() => this.cache.delete(user));
    return loading;
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
      `SELECT rp.profile_id, pm.module, pm.can_view, pm.can_create, pm.can_edit, pm.can_delete,
              pm.can_import, pm.can_export
         FROM role_profiles rp
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
    const hasProfiles = moduleRows.length > 0;
    const actions = unionOfActions(moduleRows);
    const moduleAccess = new UserPermissions(actions, new Map(), hasProfiles);
    const fields = withUnviewableLinksReadOnly(
      unionOfFields(moduleRows, fieldRows),
      this.registry.all(),
      (moduleName) => moduleAccess.can(moduleName, 'view'),
    );
    return new UserPermissions(actions, fields, hasProfiles);
  }
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
