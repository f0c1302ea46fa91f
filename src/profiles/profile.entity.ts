import { EntitySchema } from 'typeorm';

/** The actions a profile grants on a module; `convert` joins them once leads exist. */
export type ModuleAction = 'view' | 'create' | 'edit' | 'delete' | 'import' | 'export';
export const MODULE_ACTIONS: ModuleAction[] = ['view', 'create', 'edit', 'delete', 'import', 'export'];

/** How a profile restricts one field; a field without a row is visible and editable. */
export type FieldAccess = 'hidden' | 'readonly';
export const FIELD_ACCESSES: FieldAccess[] = ['hidden', 'readonly'];

/**
 * Administration areas a profile can open besides the modules. `users` covers the users, the user import,
 * moving a user's records, roles, profiles and sharing. `layout` covers the Layout Editor.
 */
export type AdminArea = 'users' | 'layout';
export const ADMIN_AREAS: AdminArea[] = ['users', 'layout'];

export interface Profile {
  id: number;
  name: string;
  description: string;
  canAdministerUsers: boolean;
  canAdministerLayout: boolean;
}

/** The Profile property that stores each administration area. */
export const ADMIN_AREA_PROPERTIES: Record<AdminArea, 'canAdministerUsers' | 'canAdministerLayout'> = {
  users: 'canAdministerUsers',
  layout: 'canAdministerLayout',
};

export interface RoleProfile {
  roleId: number;
  profileId: number;
  /** Declared so that the foreign keys exist; never loaded. */
  role?: unknown;
  profile?: Profile;
}

export interface ProfileModulePermission {
  profileId: number;
  module: string;
  canView: boolean;
  canCreate: boolean;
  canEdit: boolean;
  canDelete: boolean;
  canImport: boolean;
  canExport: boolean;
  /** Declared so that the foreign key exists; never loaded. */
  profile?: Profile;
}

export interface ProfileFieldPermission {
  profileId: number;
  module: string;
  field: string;
  access: FieldAccess;
  /** Declared so that the foreign key exists; never loaded. */
  profile?: Profile;
}

export const ProfileEntity = new EntitySchema<Profile>({
  name: 'Profile',
  tableName: 'profiles',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 100 },
    description: { type: 'varchar', length: 255, default: '' },
    canAdministerUsers: { name: 'can_administer_users', type: 'boolean', default: false },
    canAdministerLayout: { name: 'can_administer_layout', type: 'boolean', default: false },
  },
  indices: [{ name: 'uq_profiles_name', columns: ['name'], unique: true }],
});

export const RoleProfileEntity = new EntitySchema<RoleProfile>({
  name: 'RoleProfile',
  tableName: 'role_profiles',
  columns: {
    roleId: { name: 'role_id', type: 'integer', primary: true },
    profileId: { name: 'profile_id', type: 'integer', primary: true },
  },
  relations: {
    role: {
      type: 'many-to-one',
      target: 'Role',
      joinColumn: { name: 'role_id', foreignKeyConstraintName: 'fk_role_profiles_role_id' },
      onDelete: 'CASCADE',
    },
    profile: {
      type: 'many-to-one',
      target: 'Profile',
      joinColumn: { name: 'profile_id', foreignKeyConstraintName: 'fk_role_profiles_profile_id' },
      onDelete: 'RESTRICT',
    },
  },
  indices: [{ name: 'ix_role_profiles_profile', columns: ['profileId'] }],
});

export const ProfileModulePermissionEntity = new EntitySchema<ProfileModulePermission>({
  name: 'ProfileModulePermission',
  tableName: 'profile_module_permissions',
  columns: {
    profileId: { name: 'profile_id', type: 'integer', primary: true },
    module: { type: 'varchar', length: 50, primary: true },
    canView: { name: 'can_view', type: 'boolean' },
    canCreate: { name: 'can_create', type: 'boolean' },
    canEdit: { name: 'can_edit', type: 'boolean' },
    canDelete: { name: 'can_delete', type: 'boolean' },
    canImport: { name: 'can_import', type: 'boolean' },
    canExport: { name: 'can_export', type: 'boolean' },
  },
  relations: {
    profile: {
      type: 'many-to-one',
      target: 'Profile',
      joinColumn: {
        name: 'profile_id',
        foreignKeyConstraintName: 'fk_profile_module_permissions_profile_id',
      },
      onDelete: 'CASCADE',
    },
  },
});

export const ProfileFieldPermissionEntity = new EntitySchema<ProfileFieldPermission>({
  name: 'ProfileFieldPermission',
  tableName: 'profile_field_permissions',
  columns: {
    profileId: { name: 'profile_id', type: 'integer', primary: true },
    module: { type: 'varchar', length: 50, primary: true },
    field: { type: 'varchar', length: 64, primary: true },
    access: { type: 'varchar', length: 20 },
  },
  relations: {
    profile: {
      type: 'many-to-one',
      target: 'Profile',
      joinColumn: { name: 'profile_id', foreignKeyConstraintName: 'fk_profile_field_permissions_profile_id' },
      onDelete: 'CASCADE',
    },
  },
});
