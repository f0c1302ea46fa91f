import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
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
@Injectable()
export class AccessScope {
  private parameterCount = 0;

  constructor(
    private readonly registry: ModuleRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** SQL that joins two string expressions; SQLite has no CONCAT before 3.44. */
  private concat(left: string, right: string): string {
    return this.dataSource.options.type === 'better-sqlite3'
      ? `(${left} || ${right})`
      : `CONCAT(${left}, ${right})`;
  }

  /**
   * SQL for "the owner's role matches the rule's source" and "this user's role matches its target".
   * A role-and-subordinates side matches every role whose path starts with the rule role's path.
   */
  private ruleCondition(suffix: number, action: AccessAction): string {
    const source = `(sh.source_kind = 'role' AND rr.id = sh.source_role_id) OR (sh.source_kind = 'role_and_subordinates' AND rr.path LIKE ${this.concat('srcr.path', "'%'")})`;
    const target = `(sh.target_kind = 'role' AND sh.target_role_id = :ruleRole${suffix}) OR (sh.target_kind = 'role_and_subordinates' AND :rulePath${suffix} LIKE ${this.concat('tgtr.path', "'%'")})`;
    const access = action === 'read' ? '' : ` AND sh.access = 'read_write'`;
    return (
      `SELECT ru.id FROM users ru INNER JOIN roles rr ON rr.id = ru.role_id ` +
      `INNER JOIN sharing_rules sh ON sh.module = :ruleModule${suffix}${access} ` +
      `INNER JOIN roles srcr ON srcr.id = sh.source_role_id INNER JOIN roles tgtr ON tgtr.id = sh.target_role_id ` +
      `WHERE (${source}) AND (${target})`
    );
  }

  /**
   * Restricts a query on a module's table (under `alias`) to the records on which the user may perform
   * the action: all of them for an administrator or under a sharing level that opens the action;
   * otherwise those assigned to the user, to users in roles below theirs, or to users whose role a
   * sharing rule opens to the user's role.
   * NOTE: groups are not built yet, so records cannot be owned by or shared with a group.
   */
  restrict<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    alias: string,
    moduleName: string,
    user: CurrentUser,
    action: AccessAction = 'read',
  ): SelectQueryBuilder<T> {
    if (user.isAdmin) return query;

    const suffix = ++this.parameterCount;
    const names = {
      module: `scopeModule${suffix}`,
      open: `scopeOpen${suffix}`,
      fallback: `scopeDefault${suffix}`,
    };
    const owned =
      this.registry.has(moduleName) && this.registry.field(moduleName, 'assigned_user_id') !== undefined;

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
        if (!owned) return;

        // One list of owners (the user, the users below their role, the owners a rule opens), so that each
        // row is checked with a single lookup; SQLite builds the list once per query.
        const owners = [`SELECT :scopeUser${suffix}`];
        const params: Record<string, unknown> = { [`scopeUser${suffix}`]: user.id };
        if (user.rolePath) {
          // A pattern of the role's path plus at least one character matches the roles strictly below it.
          owners.push(
            `SELECT su.id FROM users su INNER JOIN roles sr ON sr.id = su.role_id WHERE sr.path LIKE :scopeBelow${suffix}`,
          );
          params[`scopeBelow${suffix}`] = `${user.rolePath}_%`;
          // Deleting is never opened by a sharing rule, only reading or reading and editing.
          if (action !== 'delete') {
            owners.push(this.ruleCondition(suffix, action));
            Object.assign(params, {
              [`ruleModule${suffix}`]: moduleName,
              [`ruleRole${suffix}`]: user.roleId ?? 0,
              [`rulePath${suffix}`]: user.rolePath,
            });
          }
        }
        where.orWhere(`${alias}.assigned_user_id IN (${owners.join(' UNION ')})`, params);
      }),
    );
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
