import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminBounds } from '../access/admin-bounds.service.js';
import { hashPassword } from '../auth/password.js';
import { checkFile, CsvReadError, decode, detectDelimiter, readCsvRows } from '../csv/csv-file.js';
import { translate } from '../i18n/i18n.service.js';
import { Locale, utcNow } from '../records/values.js';
import { Role, RoleEntity } from '../roles/role.entity.js';
import { RolesService } from '../roles/roles.service.js';
import { User, UserEntity } from './user.entity.js';
import { EMAIL, USERNAME } from './users.service.js';

/** The columns the import reads, each found by any of its header names (any case, spaces or underscores). */
export const USER_COLUMNS = {
  fullName: ['full_name', 'name', 'sales_agent', 'agent'],
  username: ['username', 'user_name', 'login'],
  email: ['email', 'e_mail'],
  role: ['role'],
  manager: ['manager'],
  region: ['regional_office', 'region', 'office'],
} as const;

type Column = keyof typeof USER_COLUMNS;

const MAX_FULL_NAME_LENGTH = 120;
const MAX_USERNAME_LENGTH = 60;
const DELIMITER_SAMPLE_BYTES = 65536;

/** A failed line of the file, with the reason as a catalogue key. */
export interface UserImportFailure {
  line: number;
  fullName: string;
  reason: string;
  params?: Record<string, string | number>;
}

export interface UserImportResult {
  counts: {
    read: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
    roles: number;
  };
  failures: UserImportFailure[];
  /** Users created or updated, with the username and role they got. */
  changes: { line: number; fullName: string; username: string; role: string; created: boolean }[];
}

export type UserImportProblem = 'emptyFile' | 'binaryFile' | 'noDataRows' | 'noFullNameColumn' | 'unreadable';

export interface UserImportOptions {
  parentRoleId: number;
  locale: Locale;
  /** The limits on the users and roles the importing user may change. An administrator's allow everything. */
  bounds: AdminBounds;
}

/** One person of the file: a row, or a manager named only in the manager column of other rows. */
interface Person {
  line: number;
  fullName: string;
  username?: string;
  email?: string;
  role?: string;
  manager?: Person;
  managerName?: string;
  region?: string;
  hasReports: boolean;
  /** A manager who has no row of their own. */
  managerOnly: boolean;
  error?: { reason: string; params?: Record<string, string | number> };
  existing?: User;
  roleId?: number;
}

/**
 * Imports users from a CSV file and places them in the role tree, as docs/decisions/0005-user-import-roles.md
 * describes: a manager gets a role of their own, and the people who report to them share a team role below it,
 * so that each manager sees their team's records and no other manager's.
 */
@Injectable()
export class UsersImportService {
  private readonly logger = new Logger(UsersImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly roles: RolesService,
  ) {}

  /**
   * Returns the role under which region and manager roles are created by default: the first role below
   * the top of the tree (Sales Manager on a fresh install), or the top itself when it has none.
   */
  async defaultParentRoleId(): Promise<number> {
    const root = await this.roles.root();
    const children = await this.dataSource
      .getRepository(RoleEntity)
      .find({ where: { parentId: root.id }, order: { id: 'ASC' }, take: 1 });
    return children[0]?.id ?? root.id;
  }

  async importFile(
    path: string,
    options: UserImportOptions,
  ): Promise<{ ok: true; result: UserImportResult } | { ok: false; problem: UserImportProblem }> {
    const content = await readFile(path);
    const check = checkFile(content);
    if (check.problem) return { ok: false, problem: check.problem };
    const encoding = check.encoding;
    const delimiter = detectDelimiter(decode(content.subarray(0, DELIMITER_SAMPLE_BYTES), encoding));

    let people: Person[];
    let read: number;
    try {
      const parsed = await this.readPeople(path, { encoding, delimiter });
      if (parsed === 'noFullNameColumn') return { ok: false, problem: parsed };
      ({ people, read } = parsed);
    } catch (error) {
      if (error instanceof CsvReadError) return { ok: false, problem: 'unreadable' };
      throw error;
    }
    if (read === 0) return { ok: false, problem: 'noDataRows' };

    this.logger.log(`Importing ${read} user rows`);
    const result = await this.apply(people, read, options);
    this.logger.log(
      `Imported users: ${result.counts.created} created, ${result.counts.updated} updated, ${result.counts.failed} failed, ${result.counts.roles} roles created`,
    );
    return { ok: true, result };
  }

  /** Reads the rows into people, adds the managers who have no row, and marks the rows that cannot be imported. */
  private async readPeople(
    path: string,
    options: Parameters<typeof readCsvRows>[1],
  ): Promise<{ people: Person[]; read: number } | 'noFullNameColumn'> {
    let columns: Partial<Record<Column, number>> | undefined;
    const rows: Person[] = [];
    const byName = new Map<string, Person>();

    for await (const row of readCsvRows(path, options)) {
      if (!columns) {
        columns = findColumns(row.cells);
        if (columns.fullName === undefined) return 'noFullNameColumn';
        continue;
      }
      if (row.cells.every((cell) => cell.trim() === '')) continue;

      const cell = (column: Column) => {
        const index = columns![column];
        const value = index === undefined ? '' : (row.cells[index] ?? '').trim();
        return value === '' ? undefined : value;
      };
      const person: Person = {
        line: row.line,
        fullName: cell('fullName') ?? '',
        username: cell('username')?.toLowerCase(),
        email: cell('email'),
        role: cell('role'),
        managerName: cell('manager'),
        region: cell('region'),
        hasReports: false,
        managerOnly: false,
      };
      rows.push(person);
      person.error = checkPerson(person);
      if (person.error) continue;

      const key = person.fullName.toLowerCase();
      const earlier = byName.get(key);
      if (earlier) person.error = { reason: 'duplicate', params: { line: earlier.line } };
      else byName.set(key, person);
    }

    const managersOnly: Person[] = [];
    for (const person of rows) {
      if (person.error || !person.managerName) continue;
      const key = person.managerName.toLowerCase();
      let manager = byName.get(key);
      if (!manager) {
        manager = {
          line: person.line,
          fullName: person.managerName,
          region: person.region,
          hasReports: false,
          managerOnly: true,
        };
        manager.error = checkPerson(manager);
        byName.set(key, manager);
        managersOnly.push(manager);
      }
      manager.hasReports = true;
      person.manager = manager;
    }
    return { people: [...rows, ...managersOnly], read: rows.length };
  }

  private async apply(people: Person[], read: number, options: UserImportOptions): Promise<UserImportResult> {
    const result: UserImportResult = {
      counts: { read, created: 0, updated: 0, unchanged: 0, failed: 0, roles: 0 },
      failures: [],
      changes: [],
    };
    const existingUsers = await this.dataSource.getRepository(UserEntity).find({ order: { id: 'ASC' } });
    const roles = await this.dataSource.getRepository(RoleEntity).find({ order: { id: 'ASC' } });
    const placement = new RolePlacement(this.roles, roles, options, result);
    const usernames = new Set(existingUsers.map((user) => user.username));

    for (const person of people) {
      if (person.error) continue;
      person.existing = person.username
        ? existingUsers.find((user) => user.username === person.username)
        : existingUsers.find((user) => user.fullName.trim().toLowerCase() === person.fullName.toLowerCase());
      if (person.existing?.isAdmin) person.error = { reason: 'administrator' };
      else if (person.existing && !options.bounds.mayManageUser(person.existing))
        person.error = { reason: 'notManageable' };
    }
    for (const person of people) {
      if (person.error) continue;
      const manager = person.manager;
      if (manager?.error) person.error = { reason: 'managerFailed', params: { manager: manager.fullName } };
    }

    // One random password for the users this import creates, hashed once because hashing is slow on
    // purpose. It is never shown or stored in clear, so nobody can log in as them until an administrator
    // sets their password on the user's page.
    const passwordHash = await hashPassword(randomBytes(24).toString('base64url'));
    const now = utcNow();
    const repository = this.dataSource.getRepository(UserEntity);

    for (const person of people) {
      if (person.error) continue;
      const roleId = await placement.roleOf(person);
      if (roleId === undefined) continue;
      const roleName = roles.find((role) => role.id === roleId)?.name ?? '';
      if (!options.bounds.mayPlaceUsersIn(roleId)) {
        person.error = { reason: 'roleNotManageable', params: { role: roleName } };
        continue;
      }

      if (person.existing) {
        const user = person.existing;
        const changed =
          user.roleId !== roleId ||
          (person.email !== undefined && user.email !== person.email) ||
          user.fullName !== person.fullName;
        if (!changed) {
          result.counts.unchanged++;
          continue;
        }
        await repository.update(
          { id: user.id },
          { roleId, email: person.email ?? user.email, fullName: person.fullName, updatedAt: now },
        );
        result.counts.updated++;
        result.changes.push({
          line: person.line,
          fullName: person.fullName,
          username: user.username,
          role: roleName,
          created: false,
        });
        continue;
      }

      const username = person.username ?? uniqueUsername(person.fullName, usernames);
      if (usernames.has(username)) {
        person.error = { reason: 'usernameTaken', params: { value: username } };
        continue;
      }
      usernames.add(username);
      await repository.insert({
        fullName: person.fullName,
        username,
        email: person.email ?? null,
        passwordHash,
        isActive: true,
        isAdmin: false,
        locale: options.locale,
        roleId,
        createdAt: now,
        updatedAt: now,
      });
      result.counts.created++;
      result.changes.push({
        line: person.line,
        fullName: person.fullName,
        username,
        role: roleName,
        created: true,
      });
    }

    for (const person of people) {
      if (!person.error) continue;
      result.counts.failed += person.managerOnly ? 0 : 1;
      result.failures.push({ line: person.line, fullName: person.fullName, ...person.error });
    }
    result.failures.sort((a, b) => a.line - b.line);
    return result;
  }
}

/**
 * Finds or creates the role of each person. Roles are found by name among the children of their parent,
 * so that importing the same file again creates no new role.
 */
class RolePlacement {
  private readonly resolving = new Set<Person>();

  constructor(
    private readonly service: RolesService,
    private readonly roles: Role[],
    private readonly options: UserImportOptions,
    private readonly result: UserImportResult,
  ) {}

  /** Returns the role of a person, or undefined after marking them failed. */
  async roleOf(person: Person): Promise<number | undefined> {
    if (person.roleId !== undefined) return person.roleId;
    if (person.error) return undefined;
    if (this.resolving.has(person)) {
      person.error = { reason: 'managerCycle' };
      return undefined;
    }
    this.resolving.add(person);
    try {
      person.roleId = await this.place(person);
      return person.roleId;
    } finally {
      this.resolving.delete(person);
    }
  }

  private async place(person: Person): Promise<number | undefined> {
    const manager = person.manager;

    if (person.role) {
      const named = this.roles.find((role) => role.name.toLowerCase() === person.role!.toLowerCase());
      if (named) return named.id;
      const parentId = manager ? await this.roleOf(manager) : this.options.parentRoleId;
      return parentId === undefined
        ? this.failed(person, manager)
        : this.child(parentId, person.role, person);
    }

    if (person.hasReports) {
      const parentId = manager ? await this.roleOf(manager) : await this.regionRole(person);
      if (parentId === undefined) return this.failed(person, manager);
      const name = translate(this.options.locale, 'usersImport.roleNames.manager', { name: person.fullName });
      return this.child(parentId, name, person);
    }

    if (manager) {
      const managerRoleId = await this.roleOf(manager);
      if (managerRoleId === undefined) return this.failed(person, manager);
      const name = translate(this.options.locale, 'usersImport.roleNames.team', { name: manager.fullName });
      return this.child(managerRoleId, name, person);
    }

    if (person.region) return this.regionRole(person);
    return person.existing?.roleId ?? this.defaultRoleId();
  }

  private failed(person: Person, manager: Person | undefined): undefined {
    if (!person.error)
      person.error = manager
        ? { reason: 'managerFailed', params: { manager: manager.fullName } }
        : { reason: 'roleNotCreated' };
    return undefined;
  }

  private regionRole(person: Person): Promise<number | undefined> {
    if (!person.region) return Promise.resolve(this.options.parentRoleId);
    return this.child(this.options.parentRoleId, person.region, person);
  }

  /**
   * Returns the role of a new user with no role, manager or region: the first role below the chosen parent
   * (Salesperson on a fresh install, under Sales Manager), or the parent itself when it has none.
   */
  private defaultRoleId(): number {
    const below = this.roles.filter((role) => role.parentId === this.options.parentRoleId);
    return below.length > 0 ? Math.min(...below.map((role) => role.id)) : this.options.parentRoleId;
  }

  /** Finds the child role of that name (any case) or creates it. */
  private async child(parentId: number, name: string, person: Person): Promise<number | undefined> {
    const found = this.roles.find(
      (role) => role.parentId === parentId && role.name.toLowerCase() === name.toLowerCase(),
    );
    if (found) return found.id;
    if (!this.options.bounds.mayAddUnder(parentId)) {
      const parentName = this.roles.find((role) => role.id === parentId)?.name ?? '';
      person.error = { reason: 'roleNotManageable', params: { role: parentName } };
      return undefined;
    }

    const created = await this.service.create(name, parentId);
    if (!created.ok || !created.role) {
      const error = Object.values(created.ok ? {} : created.errors)[0];
      person.error = { reason: 'roleNotCreated', params: { role: name, code: error?.code ?? '' } };
      return undefined;
    }
    this.roles.push(created.role);
    this.options.bounds.addRole(created.role);
    this.result.counts.roles++;
    return created.role.id;
  }
}

/** Maps each known column to its index in the header, by the first header that names it. */
function findColumns(headers: string[]): Partial<Record<Column, number>> {
  const normalised = headers.map((header) =>
    header
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const columns: Partial<Record<Column, number>> = {};
  for (const [column, names] of Object.entries(USER_COLUMNS) as [Column, readonly string[]][]) {
    const index = normalised.findIndex((header) => names.includes(header));
    if (index !== -1) columns[column] = index;
  }
  return columns;
}

/** Returns the reason a person cannot be imported, or undefined. */
function checkPerson(person: Person): Person['error'] {
  if (!person.fullName) return { reason: 'fullNameMissing' };
  if (person.fullName.length > MAX_FULL_NAME_LENGTH)
    return { reason: 'fullNameTooLong', params: { max: MAX_FULL_NAME_LENGTH } };
  if (person.username !== undefined && !USERNAME.test(person.username))
    return { reason: 'usernameInvalid', params: { value: person.username } };
  if (person.email !== undefined && !EMAIL.test(person.email))
    return { reason: 'emailInvalid', params: { value: person.email } };
  if (person.managerName && person.managerName.toLowerCase() === person.fullName.toLowerCase())
    return { reason: 'ownManager' };
  if (person.managerName && person.managerName.length > MAX_FULL_NAME_LENGTH)
    return { reason: 'fullNameTooLong', params: { max: MAX_FULL_NAME_LENGTH } };
  return undefined;
}

/**
 * Builds a username from a full name: lower case, accents removed, words joined by dots, and a number
 * added when the name is taken ("anna.snelling", then "anna.snelling2").
 */
export function uniqueUsername(fullName: string, taken: Set<string>): string {
  const base =
    fullName
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '')
      .slice(0, MAX_USERNAME_LENGTH - 4) || 'user';
  const padded = base.length < 2 ? `${base}.user` : base;
  if (!taken.has(padded)) return padded;
  for (let suffix = 2; ; suffix++) {
    if (!taken.has(`${padded}${suffix}`)) return `${padded}${suffix}`;
  }
}
