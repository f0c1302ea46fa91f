import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RoleProfileEntity } from '../profiles/profile.entity.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { Role, RoleEntity } from '../roles/role.entity.js';
import { CurrentUser } from './current-user.js';
import { Excess, PermissionsService, UserPermissions } from './permissions.service.js';
import type { RuleSideKind } from './sharing-rule.entity.js';

/** The parts of a user that decide whether another user may manage them. */
interface ManagedUser {
  isAdmin: boolean;
  roleId: number | null;
}

/**
 * The limits of one user on the user administration pages. An administrator may change everything. A user
 * administrator without the administrator flag works only on the roles strictly below their own, and never
 * grants more than their own profiles allow, because they could take over any account they manage by setting
 * its password. docs/decisions/0006-delegated-user-administration.md gives the reasons for each rule.
 */
export class AdminBounds {
  private constructor(
    readonly isAdministrator: boolean,
    private readonly ownRole: Role | null,
    private readonly ownPermissions: UserPermissions,
    private readonly moduleNames: string[],
    private readonly roles: Map<number, Role>,
    private readonly profilesByRole: Map<number, Set<number>>,
    /** The profiles that grant no more than the user's own profiles together. */
    private readonly grantableProfiles: Set<number>,
  ) {}

  /** Returns the bounds of an administrator, which allow everything. */
  static unbounded(): AdminBounds {
    return new AdminBounds(true, null, UserPermissions.unrestricted(), [], new Map(), new Map(), new Set());
  }

  static delegated(options: {
    ownRole: Role | null;
    ownPermissions: UserPermissions;
    moduleNames: string[];
    roles: Role[];
    profilesByRole: Map<number, Set<number>>;
    grantableProfiles: Set<number>;
  }): AdminBounds {
    return new AdminBounds(
      false,
      options.ownRole,
      options.ownPermissions,
      options.moduleNames,
      new Map(options.roles.map((role) => [role.id, role])),
      options.profilesByRole,
      options.grantableProfiles,
    );
  }

  /** Returns whether the role is strictly below the user's own role: the roles they may rename, move and delete. */
  mayChangeRole(roleId: number): boolean {
    if (this.isAdministrator) return true;
    const role = this.roles.get(roleId);
    if (!role || !this.ownRole) return false;
    return role.id !== this.ownRole.id && role.path.startsWith(this.ownRole.path);
  }

  /** Returns whether the role is the user's own or below it: where they may add roles and move roles and users to. */
  mayAddUnder(roleId: number): boolean {
    if (this.isAdministrator) return true;
    return roleId === this.ownRole?.id || this.mayChangeRole(roleId);
  }

  /** Returns whether the user may put people in the role: below their own, with grantable profiles only. */
  mayPlaceUsersIn(roleId: number): boolean {
    if (this.isAdministrator) return true;
    if (!this.mayChangeRole(roleId)) return false;
    return [...(this.profilesByRole.get(roleId) ?? [])].every((id) => this.grantableProfiles.has(id));
  }

  /** Returns whether the user may edit the account, set its password and move its records. */
  mayManageUser(user: ManagedUser): boolean {
    if (this.isAdministrator) return true;
    return !user.isAdmin && user.roleId !== null && this.mayPlaceUsersIn(user.roleId);
  }

  mayGrantProfile(profileId: number): boolean {
    return this.isAdministrator || this.grantableProfiles.has(profileId);
  }

  /** Returns whether the user may rename, delete or edit the profile: only roles they may change use it. */
  mayChangeProfile(profileId: number): boolean {
    if (this.isAdministrator) return true;
    for (const [roleId, profileIds] of this.profilesByRole) {
      if (profileIds.has(profileId) && !this.mayChangeRole(roleId)) return false;
    }
    return true;
  }

  /**
   * Returns whether the user may add or delete a sharing rule between the two sides. Its records must come
   * from below the user's role, which the user sees already, so the rule opens nothing new to anyone.
   */
  mayChangeSharingRule(source: RuleSide, target: RuleSide): boolean {
    return this.mayNameInRule('source', source) && this.mayNameInRule('target', target);
  }

  /**
   * Returns whether the user may name this role or group on one side of a sharing rule. Groups cut across
   * the role tree, so only administrators name them.
   */
  mayNameInRule(side: 'source' | 'target', rule: RuleSide): boolean {
    if (this.isAdministrator) return true;
    if (rule.kind === 'group' || rule.roleId === null) return false;
    return side === 'source' ? this.mayChangeRole(rule.roleId) : this.mayAddUnder(rule.roleId);
  }

  /** Lists what the permissions grant beyond the user's own. The list is always empty for an administrator. */
  excessOf(permissions: UserPermissions): Excess[] {
    if (this.isAdministrator) return [];
    return permissions.excessOver(this.ownPermissions, this.moduleNames);
  }

  /** Takes in a role created after these bounds were computed, which starts with its parent's profiles. */
  addRole(role: Role): void {
    if (this.isAdministrator) return;
    this.roles.set(role.id, role);
    if (role.parentId !== null)
      this.profilesByRole.set(role.id, new Set(this.profilesByRole.get(role.parentId) ?? []));
  }
}

/** Computes the bounds of a user on the user administration pages. */
/** One side of a sharing rule: a role, a role and its subordinates, or a group. */
export interface RuleSide {
  kind: RuleSideKind;
  roleId: number | null;
  groupId: number | null;
}

@Injectable()
export class AdminBoundsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly permissions: PermissionsService,
    private readonly registry: ModuleRegistry,
  ) {}

  async forUser(user: CurrentUser): Promise<AdminBounds> {
    if (user.isAdmin) return AdminBounds.unbounded();

    const roles = await this.dataSource.getRepository(RoleEntity).find();
    const ownRole = roles.find((role) => role.id === user.roleId) ?? null;
    const ownPermissions = await this.permissions.forUser(user);
    const moduleNames = this.registry.all().map((manifest) => manifest.name);

    const grantableProfiles = new Set<number>();
    // A user without a role may grant nothing, because only system work runs without one.
    if (ownRole) {
      for (const [profileId, permissions] of await this.permissions.byProfile()) {
        if (permissions.excessOver(ownPermissions, moduleNames).length === 0)
          grantableProfiles.add(profileId);
      }
    }

    const profilesByRole = new Map<number, Set<number>>();
    for (const row of await this.dataSource.getRepository(RoleProfileEntity).find()) {
      profilesByRole.set(row.roleId, (profilesByRole.get(row.roleId) ?? new Set()).add(row.profileId));
    }
    return AdminBounds.delegated({
      ownRole,
      ownPermissions,
      moduleNames,
      roles,
      profilesByRole,
      grantableProfiles,
    });
  }
}
