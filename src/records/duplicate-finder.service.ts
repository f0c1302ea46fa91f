import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope } from '../access/access-scope.service.js';
import { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { hasKeyColumn, ModuleManifest } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { recordNameSql } from './record-names.js';

/** A record that already has a value which a new or changed record repeats. */
export interface DuplicateMatch {
  /** The compared key: the value trimmed and in lower case. */
  key: string;
  module: string;
  id: number;
  name: string;
  /** The record number (CON3), when the module numbers its records. */
  number: string | null;
}

export interface DuplicateSearch {
  /** The record being edited, which never matches itself. */
  exclude?: { module: string; id: number };
  /** The maximum number of matches read from each module. */
  limit?: number;
  manager?: EntityManager;
}

/**
 * Looks up the records that a module's duplicate check compares with. Only records the user may see are
 * found: in their sharing scope, of a module their profile lets them view, with the compared field not hidden.
 * So the check names no record the user could not open, and its result reveals nothing about the others.
 */
@Injectable()
export class DuplicateFinder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly access: AccessScope,
    private readonly permissions: PermissionsService,
  ) {}

  /** Returns the modules whose records the check compares for this user, or none without a check. */
  async searchedModules(manifest: ModuleManifest, user: CurrentUser): Promise<ModuleManifest[]> {
    const check = manifest.duplicateCheck;
    if (!check) return [];
    const permissions = await this.permissions.forUser(user);
    return check.modules
      .filter((name) => this.registry.has(name))
      .map((name) => this.registry.get(name))
      .filter((target) => {
        const field = target.fields.find((candidate) => candidate.name === check.field);
        return (
          field !== undefined &&
          hasKeyColumn(target, field) &&
          permissions.can(target.name, 'view') &&
          !permissions.isHidden(target.name, field)
        );
      });
  }

  /**
   * Finds the visible records whose compared value has one of the keys, with one query per searched module.
   * Returns them by key, in the order of the check's modules and then by id.
   */
  async find(
    manifest: ModuleManifest,
    user: CurrentUser,
    keys: string[],
    search: DuplicateSearch = {},
  ): Promise<Map<string, DuplicateMatch[]>> {
    const found = new Map<string, DuplicateMatch[]>();
    if (keys.length === 0 || !manifest.duplicateCheck) return found;
    const column = `${manifest.duplicateCheck.field}_key`;
    const manager = search.manager ?? this.dataSource.manager;
    const keySet = new Set(keys);

    for (const target of await this.searchedModules(manifest, user)) {
      const numberField = target.fields.find((field) => field.type === 'recordNumber');
      const query = manager
        .createQueryBuilder()
        .from(target.table, 't')
        .select('t.id', 'id')
        .addSelect(recordNameSql(target, 't'), 'name')
        .addSelect(`t.${column}`, 'matchKey')
        .where(`t.${column} IN (:...keys)`, { keys });
      // A locked record lives on in others (a converted lead in its contact), which the check finds instead.
      if (target.lockedWhenSet) query.andWhere(`t.${target.lockedWhenSet.field} IS NULL`);
      if (numberField) query.addSelect(`t.${numberField.name}`, 'number');
      if (search.exclude?.module === target.name)
        query.andWhere('t.id <> :excludedId', { excludedId: search.exclude.id });
      this.access.restrict(query, 't', target.name, user);
      query.orderBy('t.id', 'ASC');
      if (search.limit) query.limit(search.limit);

      const rows = await query.getRawMany<{
        id: number;
        name: string | null;
        matchKey: string;
        number?: string;
      }>();
      for (const row of rows) {
        // MariaDB's default collation also equates accented and plain letters; SQLite and this check do not.
        if (!keySet.has(row.matchKey)) continue;
        const matches = found.get(row.matchKey) ?? [];
        matches.push({
          key: row.matchKey,
          module: target.name,
          id: Number(row.id),
          name: row.name ?? `#${row.id}`,
          number: row.number ?? null,
        });
        found.set(row.matchKey, matches);
      }
    }
    return found;
  }
}
