import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Like } from 'typeorm';
import { inTransaction } from '../database/transaction.js';
import { FieldErrors } from '../records/record-validation.js';
import { utcNow } from '../records/values.js';
import { UserEntity } from '../users/user.entity.js';
import { SharingRuleEntity } from '../access/sharing-rule.entity.js';
import { ASSIGN_SCOPES, AssignScope, Role, RoleEntity } from './role.entity.js';
import { RoleProfileEntity } from '../profiles/profile.entity.js';

export interface RoleNode extends Role {
  depth: number;
  userCount: number;
  childCount: number;
}

export type RoleChangeResult = { ok: true; role?: Role } | { ok: false; errors: FieldErrors };

const MAX_NAME_LENGTH = 100;
/** A path is at most 255 characters, so the tree is limited well before ids could overflow it. */
const MAX_DEPTH = 20;

const rejected = (
  field: string,
  code: string,
  params?: Record<string, string | number>,
): RoleChangeResult => ({
  ok: false,
  errors: { [field]: { code, params } },
});

/** The role tree: roles are kept with their path from the root, so a subtree is one indexed prefix query. */
@Injectable()
export class RolesService {
  private readonly logger = new Logger(RolesService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Lists every role in tree order (each role followed by its subordinates), counting its users and children. */
  async tree(): Promise<RoleNode[]> {
    const roles = await this.dataSource.getRepository(RoleEntity).find();
    const userCounts = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .select('u.roleId', 'roleId')
      .addSelect('COUNT(*)', 'count')
      .groupBy('u.roleId')
      .getRawMany<{ roleId: number | null; count: number | string }>();
    const usersOf = new Map(userCounts.map((row) => [Number(row.roleId), Number(row.count)]));

    const byParent = new Map<number | null, Role[]>();
    for (const role of roles) byParent.set(role.parentId, [...(byParent.get(role.parentId) ?? []), role]);
    for (const children of byParent.values()) children.sort((a, b) => a.name.localeCompare(b.name));

    const ordered: RoleNode[] = [];
    const visit = (parentId: number | null, depth: number) => {
      for (const role of byParent.get(parentId) ?? []) {
        ordered.push({
          ...role,
          depth,
          userCount: usersOf.get(role.id) ?? 0,
          childCount: byParent.get(role.id)?.length ?? 0,
        });
        visit(role.id, depth + 1);
      }
    };
    visit(null, 0);
    return ordered;
  }

  async get(id: number, manager: EntityManager = this.dataSource.manager): Promise<Role> {
    const role = Number.isSafeInteger(id) ? await manager.findOneBy(RoleEntity, { id }) : null;
    if (!role) throw new NotFoundException();
    return role;
  }

  /** Returns the top of the tree, which every install has and which cannot be moved or deleted. */
  root(): Promise<Role> {
    return this.dataSource
      .getRepository(RoleEntity)
      .findOneOrFail({ where: { parentId: IsNull() }, order: { id: 'ASC' } });
  }

  async create(name: string, parentId: number): Promise<RoleChangeResult> {
    const cleanName = name.trim();
    const nameError = this.checkName(cleanName);
    if (nameError) return nameError;

    return inTransaction(this.dataSource, async (manager) => {
      const parent = await manager.findOneBy(RoleEntity, { id: parentId });
      if (!parent) return rejected('parentId', 'roleNotFound');
      if (depthOf(parent.path) >= MAX_DEPTH)
        return rejected('parentId', 'roleTreeTooDeep', { max: MAX_DEPTH });

      const now = utcNow();
      const inserted = await manager.insert(RoleEntity, {
        name: cleanName,
        parentId: parent.id,
        path: parent.path,
        assignScope: 'all',
        createdAt: now,
        updatedAt: now,
      });
      const id = Number((inserted.identifiers[0] as { id: number }).id);
      await manager.update(RoleEntity, { id }, { path: `${parent.path}${id}/` });
      // A new role starts with its parent's profiles, because a role without a profile may do nothing.
      const parentProfiles = await manager.findBy(RoleProfileEntity, { roleId: parent.id });
      for (const { profileId } of parentProfiles)
        await manager.insert(RoleProfileEntity, { roleId: id, profileId });
      this.logger.log(`Created role ${id} "${cleanName}" under role ${parent.id}`);
      return { ok: true, role: await this.get(id, manager) };
    });
  }

  async update(id: number, name: string, assignScope: string): Promise<RoleChangeResult> {
    const cleanName = name.trim();
    const nameError = this.checkName(cleanName);
    if (nameError) return nameError;
    if (!ASSIGN_SCOPES.includes(assignScope as AssignScope)) return rejected('assignScope', 'invalidValue');

    await this.get(id);
    await this.dataSource
      .getRepository(RoleEntity)
      .update({ id }, { name: cleanName, assignScope: assignScope as AssignScope, updatedAt: utcNow() });
    return { ok: true };
  }

  /** Moves a role with all its subordinates under another role that is not one of them. */
  async move(id: number, newParentId: number): Promise<RoleChangeResult> {
    return inTransaction(this.dataSource, async (manager) => {
      const role = await this.get(id, manager);
      if (role.parentId === null) return rejected('parentId', 'rootRoleFixed');
      const parent = await manager.findOneBy(RoleEntity, { id: newParentId });
      if (!parent) return rejected('parentId', 'roleNotFound');
      if (parent.path.startsWith(role.path)) return rejected('parentId', 'roleUnderItself');

      const subtree = await manager.find(RoleEntity, { where: { path: Like(`${role.path}%`) } });
      const deepest = Math.max(...subtree.map((r) => depthOf(r.path))) - depthOf(role.path);
      if (depthOf(parent.path) + 1 + deepest > MAX_DEPTH)
        return rejected('parentId', 'roleTreeTooDeep', { max: MAX_DEPTH });

      await this.moveWithin(manager, role, parent);
      this.logger.log(
        `Moved role ${role.id} with ${subtree.length - 1} subordinate roles under role ${parent.id}`,
      );
      return { ok: true };
    });
  }

  /**
   * Deletes a role. A role with users or subordinate roles needs `transferToId`: its users move to that
   * role and its child roles move under it, which must not be the role itself or one of its subordinates.
   */
  async remove(id: number, transferToId: number | null): Promise<RoleChangeResult> {
    return inTransaction(this.dataSource, async (manager) => {
      const role = await this.get(id, manager);
      if (role.parentId === null) return rejected('transferToId', 'rootRoleFixed');

      const userCount = await manager.countBy(UserEntity, { roleId: id });
      const children = await manager.findBy(RoleEntity, { parentId: id });
      if ((userCount > 0 || children.length > 0) && transferToId === null) {
        return rejected('transferToId', 'roleStillUsed', { users: userCount, roles: children.length });
      }

      if (transferToId !== null) {
        const target = await manager.findOneBy(RoleEntity, { id: transferToId });
        if (!target) return rejected('transferToId', 'roleNotFound');
        if (target.path.startsWith(role.path)) return rejected('transferToId', 'roleUnderItself');
        await manager.update(UserEntity, { roleId: id }, { roleId: target.id });
        for (const child of children) await this.moveWithin(manager, child, target);
      }

      // A rule about a role that is gone would match nobody, so it goes with the role.
      await manager.delete(SharingRuleEntity, { sourceRoleId: id });
      await manager.delete(SharingRuleEntity, { targetRoleId: id });
      await manager.delete(RoleProfileEntity, { roleId: id });
      await manager.delete(RoleEntity, { id });
      this.logger.log(
        `Deleted role ${id}; ${userCount} users and ${children.length} roles moved to role ${String(transferToId)}`,
      );
      return { ok: true };
    });
  }

  /** Puts a role under a new parent and rewrites the paths of the role and its subordinates. */
  private async moveWithin(manager: EntityManager, role: Role, parent: Role): Promise<void> {
    const subtree = await manager.find(RoleEntity, { where: { path: Like(`${role.path}%`) } });
    const newPrefix = `${parent.path}${role.id}/`;
    const now = utcNow();
    for (const member of subtree) {
      await manager.update(
        RoleEntity,
        { id: member.id },
        { path: newPrefix + member.path.slice(role.path.length), updatedAt: now },
      );
    }
    await manager.update(RoleEntity, { id: role.id }, { parentId: parent.id });
  }

  private checkName(name: string): RoleChangeResult | null {
    if (!name) return rejected('name', 'required');
    if (name.length > MAX_NAME_LENGTH) return rejected('name', 'tooLong', { maxLength: MAX_NAME_LENGTH });
    return null;
  }
}

function depthOf(path: string): number {
  return path.split('/').filter(Boolean).length;
}
