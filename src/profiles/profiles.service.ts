import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { inTransaction } from '../database/transaction.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { FieldErrors } from '../records/record-validation.js';
import { RoleEntity } from '../roles/role.entity.js';
import {
  ADMIN_AREA_PROPERTIES,
  ADMIN_AREAS,
  AdminArea,
  FieldAccess,
  FIELD_ACCESSES,
  MODULE_ACTIONS,
  ModuleAction,
  Profile,
  ProfileEntity,
  ProfileFieldPermissionEntity,
  ProfileModulePermissionEntity,
  RoleProfileEntity,
} from './profile.entity.js';
import { nameFieldsOf } from '../records/record-names.js';

const MAX_NAME_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 255;

export type ProfileChangeResult = { ok: true; id?: number } | { ok: false; errors: FieldErrors };

/**
 * A profile's grid as the profile page edits it: allowed actions and restricted fields per module, and
 * the administration areas it opens.
 */
export interface ProfileGrid {
  actions: Map<string, Set<ModuleAction>>;
  fields: Map<string, Map<string, FieldAccess>>;
  areas: Set<AdminArea>;
}

const rejected = (field: string, code: string, params?: Record<string, string | number>) =>
  ({ ok: false, errors: { [field]: { code, params } } }) as const;

/** Creates, renames and deletes profiles, stores their permission grids and assigns them to roles. */
@Injectable()
export class ProfilesService {
  private readonly logger = new Logger(ProfilesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Lists every profile by name, with the number of roles that use it. */
  async list(): Promise<(Profile & { roleCount: number })[]> {
    const profiles = await this.dataSource.getRepository(ProfileEntity).find({ order: { name: 'ASC' } });
    const counts = await this.dataSource
      .getRepository(RoleProfileEntity)
      .createQueryBuilder('rp')
      .select('rp.profileId', 'profileId')
      .addSelect('COUNT(*)', 'count')
      .groupBy('rp.profileId')
      .getRawMany<{ profileId: number | string; count: number | string }>();
    const countOf = new Map(counts.map((row) => [Number(row.profileId), Number(row.count)]));
    return profiles.map((profile) => ({ ...profile, roleCount: countOf.get(profile.id) ?? 0 }));
  }

  async get(id: number): Promise<Profile> {
    const profile = await this.dataSource.getRepository(ProfileEntity).findOneBy({ id });
    if (!profile) throw new NotFoundException();
    return profile;
  }

  async create(name: string, description: string): Promise<ProfileChangeResult> {
    const cleanName = name.trim();
    const problem = this.checkText(cleanName, description);
    if (problem) return problem;

    return inTransaction(this.dataSource, async (manager) => {
      if (await this.nameTaken(cleanName, null, manager)) return rejected('name', 'profileNameTaken');
      const inserted = await manager.insert(ProfileEntity, {
        name: cleanName,
        description: description.trim(),
      });
      const id = Number((inserted.identifiers[0] as { id: number }).id);
      this.logger.log(`Created profile ${id} "${cleanName}"`);
      return { ok: true, id };
    });
  }

  async rename(id: number, name: string, description: string): Promise<ProfileChangeResult> {
    const cleanName = name.trim();
    const problem = this.checkText(cleanName, description);
    if (problem) return problem;

    return inTransaction(this.dataSource, async (manager) => {
      if (!(await manager.findOneBy(ProfileEntity, { id }))) throw new NotFoundException();
      if (await this.nameTaken(cleanName, id, manager)) return rejected('name', 'profileNameTaken');
      await manager.update(ProfileEntity, { id }, { name: cleanName, description: description.trim() });
      return { ok: true, id };
    });
  }

  /** Deletes a profile that no role uses. */
  async remove(id: number): Promise<ProfileChangeResult> {
    return inTransaction(this.dataSource, async (manager) => {
      if (!(await manager.findOneBy(ProfileEntity, { id }))) throw new NotFoundException();
      const roleCount = await manager.countBy(RoleProfileEntity, { profileId: id });
      if (roleCount > 0) return rejected('profile', 'profileInUse', { count: roleCount });
      await manager.delete(ProfileFieldPermissionEntity, { profileId: id });
      await manager.delete(ProfileModulePermissionEntity, { profileId: id });
      await manager.delete(ProfileEntity, { id });
      this.logger.log(`Deleted profile ${id}`);
      return { ok: true };
    });
  }

  /** Reads the stored grid, in which a module without a row allows every action. */
  async grid(id: number): Promise<ProfileGrid> {
    const profile = await this.get(id);
    const moduleRows = await this.dataSource
      .getRepository(ProfileModulePermissionEntity)
      .findBy({ profileId: id });
    const fieldRows = await this.dataSource
      .getRepository(ProfileFieldPermissionEntity)
      .findBy({ profileId: id });

    const actions = new Map<string, Set<ModuleAction>>();
    for (const row of moduleRows) {
      const allowed = new Set<ModuleAction>();
      if (row.canView) allowed.add('view');
      if (row.canCreate) allowed.add('create');
      if (row.canEdit) allowed.add('edit');
      if (row.canDelete) allowed.add('delete');
      if (row.canImport) allowed.add('import');
      if (row.canExport) allowed.add('export');
      actions.set(row.module, allowed);
    }
    const fields = new Map<string, Map<string, FieldAccess>>();
    for (const row of fieldRows) {
      const moduleFields = fields.get(row.module) ?? new Map<string, FieldAccess>();
      moduleFields.set(row.field, row.access);
      fields.set(row.module, moduleFields);
    }
    const areas = new Set(ADMIN_AREAS.filter((area) => profile[ADMIN_AREA_PROPERTIES[area]]));
    return { actions, fields, areas };
  }

  /**
   * Replaces the profile's grid, storing only modules and fields of the registry. A request to hide or
   * lock a required field or a field that names the module's records is rejected and nothing is stored, because records
   * could then not be saved.
   */
  async saveGrid(id: number, grid: ProfileGrid): Promise<ProfileChangeResult> {
    const errors: FieldErrors = {};
    for (const manifest of this.registry.all()) {
      for (const [fieldName, access] of grid.fields.get(manifest.name) ?? []) {
        const field = manifest.fields.find((candidate) => candidate.name === fieldName);
        if (!field || !FIELD_ACCESSES.includes(access)) continue;
        // A first name too, because pages name a person by first and last name whatever the profile hides.
        if (field.required || nameFieldsOf(manifest).includes(field.name))
          errors[`${manifest.name}.${fieldName}`] = {
            code: 'fieldCannotBeRestricted',
            params: { module: manifest.label, field: field.label },
          };
      }
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };

    return inTransaction(this.dataSource, async (manager) => {
      if (!(await manager.findOneBy(ProfileEntity, { id }))) throw new NotFoundException();
      await manager.update(
        ProfileEntity,
        { id },
        Object.fromEntries(ADMIN_AREAS.map((area) => [ADMIN_AREA_PROPERTIES[area], grid.areas.has(area)])),
      );
      await manager.delete(ProfileModulePermissionEntity, { profileId: id });
      // Only the rows of served fields are replaced. A deleted custom field keeps its row until it is
      // purged, so restoring it brings back what each profile allowed.
      for (const manifest of this.registry.all()) {
        await manager.delete(ProfileFieldPermissionEntity, {
          profileId: id,
          module: manifest.name,
          field: In(manifest.fields.map((field) => field.name)),
        });
      }

      for (const manifest of this.registry.all()) {
        const allowed = grid.actions.get(manifest.name) ?? new Set(MODULE_ACTIONS);
        // A module that allows everything keeps no row, like a module added after the profile was made.
        if (MODULE_ACTIONS.every((action) => allowed.has(action))) continue;
        await manager.insert(ProfileModulePermissionEntity, {
          profileId: id,
          module: manifest.name,
          canView: allowed.has('view'),
          canCreate: allowed.has('create'),
          canEdit: allowed.has('edit'),
          canDelete: allowed.has('delete'),
          canImport: allowed.has('import'),
          canExport: allowed.has('export'),
        });
      }
      for (const manifest of this.registry.all()) {
        for (const field of manifest.fields) {
          const access = grid.fields.get(manifest.name)?.get(field.name);
          if (!access || !FIELD_ACCESSES.includes(access)) continue;
          await manager.insert(ProfileFieldPermissionEntity, {
            profileId: id,
            module: manifest.name,
            field: field.name,
            access,
          });
        }
      }
      this.logger.log(`Saved the permissions of profile ${id}`);
      return { ok: true, id };
    });
  }

  /** Maps every role to its profile ids, for the roles page. */
  async profilesByRole(): Promise<Map<number, Set<number>>> {
    const rows = await this.dataSource.getRepository(RoleProfileEntity).find();
    const byRole = new Map<number, Set<number>>();
    for (const row of rows) byRole.set(row.roleId, (byRole.get(row.roleId) ?? new Set()).add(row.profileId));
    return byRole;
  }

  /** Replaces a role's profiles; a role keeps at least one, because without one it may do nothing. */
  async setRoleProfiles(roleId: number, profileIds: number[]): Promise<ProfileChangeResult> {
    const uniqueIds = [...new Set(profileIds)];
    if (uniqueIds.length === 0) return rejected('profiles', 'roleNeedsProfile');

    return inTransaction(this.dataSource, async (manager) => {
      if (!(await manager.findOneBy(RoleEntity, { id: roleId }))) throw new NotFoundException();
      const found = await manager.findBy(ProfileEntity, { id: In(uniqueIds) });
      if (found.length !== uniqueIds.length) return rejected('profiles', 'profileNotFound');
      await manager.delete(RoleProfileEntity, { roleId });
      for (const profileId of uniqueIds) await manager.insert(RoleProfileEntity, { roleId, profileId });
      this.logger.log(`Role ${roleId} now has profiles ${uniqueIds.join(', ')}`);
      return { ok: true };
    });
  }

  private checkText(name: string, description: string) {
    if (name === '') return rejected('name', 'required');
    if (name.length > MAX_NAME_LENGTH) return rejected('name', 'tooLong', { maxLength: MAX_NAME_LENGTH });
    if (description.trim().length > MAX_DESCRIPTION_LENGTH)
      return rejected('description', 'tooLong', { maxLength: MAX_DESCRIPTION_LENGTH });
    return undefined;
  }

  /** Names compare without regard to case, as MariaDB's unique index does. */
  private async nameTaken(name: string, exceptId: number | null, manager = this.dataSource.manager) {
    const rows = await manager
      .createQueryBuilder(ProfileEntity, 'p')
      .select('p.id', 'id')
      .where('LOWER(p.name) = :name', { name: name.toLowerCase() })
      .getRawMany<{ id: number }>();
    return rows.some((row) => Number(row.id) !== exceptId);
  }
}
