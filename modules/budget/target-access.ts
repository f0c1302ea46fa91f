import type { TargetScopeKind } from './budget-target.entity.js';

/** The parts of a role that place it in the tree: its path from the root, such as `/1/2/5/`. */
interface PlacedRole {
  id: number;
  path: string;
}

/** A user as the access rules see them: their id and the path of their role, if they have one. */
export interface PlacedUser {
  id: number;
  rolePath: string | null;
}

/**
 * The access rules of one user to targets. An administrator may view and set every target. Any other user
 * may view their own target and their own role's, read only, and set the targets of the users and roles
 * strictly below their role, the team they manage. Product lines cut across the role tree, so only
 * administrators set their targets, and users who manage a team may view them. The reasons are in
 * docs/decisions/0030-budget-targets.md.
 */
export class TargetAccess {
  constructor(
    private readonly user: { id: number; isAdmin: boolean },
    private readonly ownRole: PlacedRole | null,
    /** Whether any role lies below the user's own, which makes the user a manager. */
    readonly isManager: boolean,
  ) {}

  get isAdministrator(): boolean {
    return this.user.isAdmin;
  }

  /** Lists the scope kinds whose targets the user may see, in the order the page offers them. */
  viewableKinds(): TargetScopeKind[] {
    if (this.user.isAdmin || this.isManager) return ['user', 'role', 'product_line'];
    return ['user', 'role'];
  }

  /** Returns whether the user may set any target at all: administrators and managers, who alone may import. */
  maySetAnyTarget(): boolean {
    return this.user.isAdmin || this.isManager;
  }

  mayViewUser(user: PlacedUser): boolean {
    return this.user.isAdmin || user.id === this.user.id || this.isBelowOwnRole(user.rolePath);
  }

  mayEditUser(user: PlacedUser): boolean {
    return this.user.isAdmin || this.isBelowOwnRole(user.rolePath);
  }

  mayViewRole(role: PlacedRole): boolean {
    return this.user.isAdmin || role.id === this.ownRole?.id || this.isBelowOwnRole(role.path);
  }

  mayEditRole(role: PlacedRole): boolean {
    return this.user.isAdmin || this.isBelowOwnRole(role.path);
  }

  mayViewProductLines(): boolean {
    return this.viewableKinds().includes('product_line');
  }

  mayEditProductLines(): boolean {
    return this.user.isAdmin;
  }

  /** Returns whether the role path lies strictly below the user's own role: a longer path that starts with it. */
  private isBelowOwnRole(path: string | null): boolean {
    if (!this.ownRole || !path) return false;
    return path !== this.ownRole.path && path.startsWith(this.ownRole.path);
  }
}
