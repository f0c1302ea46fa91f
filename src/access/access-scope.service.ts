import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BIN_COLUMNS, OWNER_GROUP_COLUMN } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { CurrentUser } from './current-user.js';
import { DEFAULT_SHARING_LEVEL, SharingLevel } from './sharing.entity.js';

export type AccessAction = 'read' | 'write' | 'delete';

/** The sharing levels under which every user may perform an action on any record of the module. */
const OPEN_LEVELS: Record<AccessAction, SharingLevel[]> = {
  read: ['public_read', 'public_read_write', 'public_read_write_delete'],
  write: ['public_read_write', 'public_read_write_delete'],
  delete: ['public_read_write_delete'],
};

/**
 * The one place that decides which records a user may see and change. Every list, total, detail page,
 * edit, delete, board, picker, related list, export and import goes through it.
 *
 * The rule is part of the SQL, sharing level included, so a change of level or role acts on the next
 * query, with no cache or recalculation in between.
 */
/**
 * A module's own addition to the scope of its records, such as documents that are readable only through a
 * record they are linked to. It adds its conditions to the query and names its parameters with `suffix`.
 */
export type ScopeCondition = (
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  user: CurrentUser,
  suffix: number,
) => void;

@Injectable()
export class AccessScope {
  private parameterCount = 0;
  private readonly conditions = new Map<string, ScopeCondition>();

  constructor(
    private readonly registry: ModuleRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Adds a condition to every query of a module's records, for administrators too: its lists, totals,
   * pickers, detail pages and downloads. A module registers it in onModuleInit.
   */
  addCondition(moduleName: string, condition: ScopeCondition): void {
    this.conditions.set(moduleName, condition);
  }

  /** SQL that joins two string expressions; SQLite has no CONCAT before 3.44. */
  private concat(left: string, right: string): string {
    return this.dataSource.options.type === 'better-sqlite3'
      ? `(${left} || ${right})`
      : `CONCAT(${left}, ${right})`;
  }

  /**
   * SQL for "this user is on the target side of the rule": in the rule's role, in a role below a
   * role-and-subordinates target (its path starts with the target's), or a member of the target group.
   * Needs `sh` (the rule) and `tgtr` (its target role, left-joined).
   */
  private ruleTarget(suffix: number): string {
    return (
      `(sh.target_kind = 'role' AND sh.target_role_id = :ruleRole${suffix}) ` +
      `OR (sh.target_kind = 'role_and_subordinates' AND :rulePath${suffix} LIKE ${this.concat('tgtr.path', "'%'")}) ` +
      `OR (sh.target_kind = 'group' AND sh.target_group_id IN (${this.membershipsOf(`scopeUser${suffix}`)}))`
    );
  }

  /** SQL listing the groups of the user given by a parameter. */
  private membershipsOf(parameter: string): string {
    return `SELECT gm.group_id FROM group_members gm WHERE gm.user_id = :${parameter}`;
  }

  /** SQL listing the users whose records a sharing rule opens to this user: those in the rule's source roles. */
  private ruleUserOwners(suffix: number, action: AccessAction): string {
    const source = `(sh.source_kind = 'role' AND rr.id = sh.source_role_id) OR (sh.source_kind = 'role_and_subordinates' AND rr.path LIKE ${this.concat('srcr.path', "'%'")})`;
    return (
      `SELECT ru.id FROM users ru INNER JOIN roles rr ON rr.id = ru.role_id ` +
      `INNER JOIN sharing_rules sh ON sh.module = :ruleModule${suffix}${this.ruleAccess(action)} ` +
      `INNER JOIN roles srcr ON srcr.id = sh.source_role_id LEFT JOIN roles tgtr ON tgtr.id = sh.target_role_id ` +
      `WHERE (${source}) AND (${this.ruleTarget(suffix)})`
    );
  }

  /** SQL listing the groups whose records a sharing rule opens to this user. */
  private ruleGroupOwners(suffix: number, action: AccessAction): string {
    return (
      `SELECT sh.source_group_id FROM sharing_rules sh LEFT JOIN roles tgtr ON tgtr.id = sh.target_role_id ` +
      `WHERE sh.module = :ruleModule${suffix} AND sh.source_kind = 'group'${this.ruleAccess(action)} ` +
      `AND (${this.ruleTarget(suffix)})`
    );
  }

  private ruleAccess(action: AccessAction): string {
    return action === 'read' ? '' : ` AND sh.access = 'read_write'`;
  }

  /**
   * Restricts a query on a module's table (under `alias`) to the records on which the user may perform
   * the action: all of them for an administrator or under a sharing level that opens the action;
   * otherwise those assigned to the user, to one of their groups, to users in roles below theirs, or to
   * the users or groups whose records a sharing rule opens to the user. Records in the recycle bin are left
   * out for everyone, administrators included: only the recycle bin's own page reads them.
   */
  restrict<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    alias: string,
    moduleName: string,
    user: CurrentUser,
    action: AccessAction = 'read',
  ): SelectQueryBuilder<T> {
    if (this.registry.has(moduleName)) query.andWhere(`${alias}.${BIN_COLUMNS.deletedAt} IS NULL`);
    const suffix = ++this.parameterCount;
    this.conditions.get(moduleName)?.(query, alias, user, suffix);
    if (user.isAdmin) return query;

    const names = {
      module: `scopeModule${suffix}`,
      open: `scopeOpen${suffix}`,
      fallback: `scopeDefault${suffix}`,
    };
    const owner = this.registry.has(moduleName) ? this.registry.ownerField(moduleName) : undefined;

    query.andWhere(
      new Brackets((where) => {
        where.where(
          `COALESCE((SELECT ss.level FROM sharing_settings ss WHERE ss.module = :${names.module}), :${names.fallback}) IN (:...${names.open})`,
          {
            [names.module]: moduleName,
            [names.fallback]: DEFAULT_SHARING_LEVEL,
            [names.open]: OPEN_LEVELS[action],
          },
        );
        if (!owner) return;

        // One list of owning users and one of owning groups, so that each row is checked with a lookup in
        // each; SQLite builds the lists once per query.
        const userOwners = [`SELECT :scopeUser${suffix}`];
        const groupOwners = [this.membershipsOf(`scopeUser${suffix}`)];
        const params: Record<string, unknown> = { [`scopeUser${suffix}`]: user.id };
        if (user.rolePath) {
          // A pattern of the role's path plus at least one character matches the roles strictly below it.
          userOwners.push(
            `SELECT su.id FROM users su INNER JOIN roles sr ON sr.id = su.role_id WHERE sr.path LIKE :scopeBelow${suffix}`,
          );
          params[`scopeBelow${suffix}`] = `${user.rolePath}_%`;
        }
        // Deleting is never opened by a sharing rule, only reading or reading and editing.
        if (action !== 'delete') {
          userOwners.push(this.ruleUserOwners(suffix, action));
          groupOwners.push(this.ruleGroupOwners(suffix, action));
          Object.assign(params, {
            [`ruleModule${suffix}`]: moduleName,
            [`ruleRole${suffix}`]: user.roleId ?? 0,
            [`rulePath${suffix}`]: user.rolePath ?? '',
          });
        }
        where.orWhere(`${alias}.${owner.name} IN (${userOwners.join(' UNION ')})`, params);
        where.orWhere(`${alias}.${OWNER_GROUP_COLUMN} IN (${groupOwners.join(' UNION ')})`);
      }),
    );
    return query;
  }

  /**
   * Restricts a query on the groups table (under `alias`) to the groups this user may assign records to:
   * every group when the role may assign to all users, otherwise the groups the user belongs to.
   */
  restrictAssignableGroups<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    alias: string,
    user: CurrentUser,
  ): SelectQueryBuilder<T> {
    if (user.isAdmin || !user.assignScope || user.assignScope === 'all') return query;
    const parameter = `assigningMember${++this.parameterCount}`;
    query.andWhere(`${alias}.id IN (${this.membershipsOf(parameter)})`, { [parameter]: user.id });
    return query;
  }

  /**
   * Restricts a query on the users table (under `alias`) to the users this user may assign records to,
   * as the role's "can assign to" setting says. Users may always assign records to themselves.
   */
  restrictAssignees<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    alias: string,
    user: CurrentUser,
  ): SelectQueryBuilder<T> {
    if (user.isAdmin || !user.assignScope || user.assignScope === 'all' || !user.rolePath) return query;

    const suffix = ++this.parameterCount;
    // The role's own path matches itself and every role below; one more character leaves the role out.
    const pattern = user.assignScope === 'role_and_below' ? `${user.rolePath}%` : `${user.rolePath}_%`;
    query.andWhere(
      new Brackets((where) => {
        where.where(`${alias}.id = :assigner${suffix}`, { [`assigner${suffix}`]: user.id });
        where.orWhere(
          `${alias}.role_id IN (SELECT ar.id FROM roles ar WHERE ar.path LIKE :assignable${suffix})`,
          {
            [`assignable${suffix}`]: pattern,
          },
        );
      }),
    );
    return query;
  }
}
