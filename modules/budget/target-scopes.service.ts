import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RoleEntity } from '../../src/roles/role.entity.js';
import { RolesService } from '../../src/roles/roles.service.js';
import { UserEntity } from '../../src/users/user.entity.js';
import type { TargetScopeKind } from './budget-target.entity.js';
import { TargetAccess } from './target-access.js';

/** The module and picklist field whose values are the product lines. */
const PRODUCT_LINES = { module: 'products', field: 'product_line' } as const;

/** One user, role or product line whose targets a user may see, with the name the page and the CSV file show. */
export interface TargetScope {
  kind: TargetScopeKind;
  /** The user's or role's id as decimal text, or the product line's value, as stored in budget_targets. */
  key: string;
  /** A user's full name, a role's name or a product line's value. */
  name: string;
  /** The name a CSV file gives: a user's username, a role's name or a product line's value. */
  csvName: string;
  editable: boolean;
  /** An inactive user keeps the targets already set, and the page shows them. */
  inactive: boolean;
  /** A role's depth in the tree, 0 at the top, for indenting; 0 for users and product lines. */
  depth: number;
}

/** The users, roles and product lines that targets are set for, and what a user may do with each. */
@Injectable()
export class TargetScopesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly picklists: PicklistsService,
    private readonly rolesService: RolesService,
  ) {}

  /** Loads the role tree and returns what the user may see and set. */
  async accessFor(user: CurrentUser): Promise<TargetAccess> {
    const roles = await this.dataSource.getRepository(RoleEntity).find();
    const ownRole = roles.find((role) => role.id === user.roleId) ?? null;
    const isManager =
      ownRole !== null && roles.some((role) => role.id !== ownRole.id && role.path.startsWith(ownRole.path));
    return new TargetAccess(user, ownRole, isManager);
  }

  /** Lists the scopes of the kind that the user may see: users by full name, roles in tree order, product lines in picklist order. */
  async list(access: TargetAccess, kind: TargetScopeKind): Promise<TargetScope[]> {
    if (!access.viewableKinds().includes(kind)) return [];
    if (kind === 'user') return this.users(access);
    if (kind === 'role') return this.roles(access);
    return this.productLines(access);
  }

  /** Lists the scopes of every kind that the user may see. */
  async listAll(access: TargetAccess): Promise<TargetScope[]> {
    const lists = await Promise.all(access.viewableKinds().map((kind) => this.list(access, kind)));
    return lists.flat();
  }

  private async users(access: TargetAccess): Promise<TargetScope[]> {
    const users = await this.dataSource
      .getRepository(UserEntity)
      .find({ order: { fullName: 'ASC' }, relations: { role: true } });
    return users
      .map((user) => ({ id: user.id, rolePath: user.role?.path ?? null, user }))
      .filter((placed) => access.mayViewUser(placed))
      .map((placed) => ({
        kind: 'user' as const,
        key: String(placed.id),
        name: placed.user.fullName,
        csvName: placed.user.username,
        editable: access.mayEditUser(placed),
        inactive: !placed.user.isActive,
        depth: 0,
      }));
  }

  private async roles(access: TargetAccess): Promise<TargetScope[]> {
    const roles = await this.rolesService.tree();
    return roles
      .filter((role) => access.mayViewRole(role))
      .map((role) => ({
        kind: 'role' as const,
        key: String(role.id),
        name: role.name,
        csvName: role.name,
        editable: access.mayEditRole(role),
        inactive: false,
        depth: role.depth,
      }));
  }

  private async productLines(access: TargetAccess): Promise<TargetScope[]> {
    if (!this.registry.has(PRODUCT_LINES.module)) return [];
    const picklists = await this.picklists.forModule(PRODUCT_LINES.module);
    return picklists.values(PRODUCT_LINES.field).map((entry) => ({
      kind: 'product_line' as const,
      key: entry.value,
      name: entry.value,
      csvName: entry.value,
      editable: access.mayEditProductLines(),
      inactive: false,
      depth: 0,
    }));
  }
}
