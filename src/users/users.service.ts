import { randomBytes } from 'node:crypto';
import { Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { RoleEntity } from '../roles/role.entity.js';
import { CurrentUser } from '../access/current-user.js';
import { AccessScope } from '../access/access-scope.service.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { Inject } from '@nestjs/common';
import type { AppConfig } from '../../config/configuration.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password.js';
import { toLocale } from '../i18n/i18n.service.js';
import { FieldErrors } from '../records/record-validation.js';
import { utcNow } from '../records/values.js';
import { User, UserEntity } from './user.entity.js';

export interface UserInput {
  fullName?: string;
  username?: string;
  email?: string;
  password?: string;
  isActive?: boolean;
  isAdmin?: boolean;
  locale?: string;
  /** The role's id as typed in the form; required for every user. */
  roleId?: string | number;
}

export type UserSaveResult = { ok: true; user: User } | { ok: false; errors: FieldErrors };

export const USERNAME = /^[a-z0-9._@-]{2,60}$/;
export const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function toCurrentUser(user: User): CurrentUser {
  return {
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    isAdmin: user.isAdmin,
    locale: toLocale(user.locale),
    roleId: user.roleId,
    rolePath: user.role?.path ?? null,
    assignScope: user.role?.assignScope,
  };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: AccessScope,
  ) {}

  /** Creates the first administrator when the database has no user yet. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.dataSource.getRepository(UserEntity).count()) > 0) return;

    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url');
    const result = await this.save(null, {
      fullName: 'Administrator',
      username: 'admin',
      password,
      isActive: true,
      isAdmin: true,
      roleId: (
        await this.dataSource
          .getRepository(RoleEntity)
          .findOneOrFail({ where: { parentId: IsNull() }, order: { id: 'ASC' } })
      ).id,
    });
    if (!result.ok)
      throw new Error(`The first administrator could not be created: ${JSON.stringify(result.errors)}`);

    if (this.config.adminPassword) {
      this.logger.log('Created the administrator "admin" with the password from ADMIN_PASSWORD.');
    } else {
      // Printed once, on the first start only, because nobody could log in otherwise.
      console.log(
        `\nAffari created the administrator "admin" with the password: ${password}\nChange it after logging in.\n`,
      );
    }
  }

  /** Returns the role of a new user when none is chosen: the deepest role of the tree, Salesperson on a fresh install. */
  async defaultRoleId(): Promise<number> {
    const roles = await this.dataSource.getRepository(RoleEntity).find();
    const depth = (path: string) => path.split('/').filter(Boolean).length;
    roles.sort((a, b) => depth(b.path) - depth(a.path) || a.id - b.id);
    return roles[0].id;
  }

  /** Returns the active user whose username (any case) and password match, or null. */
  async authenticate(username: string, password: string): Promise<User | null> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { username: username.trim().toLowerCase() }, relations: { role: true } });
    if (!user || !(await verifyPassword(user.passwordHash, password))) return null;
    return user.isActive ? user : null;
  }

  /** Loads a user with their role, which the access scope needs. */
  findById(id: number): Promise<User | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { id }, relations: { role: true } });
  }

  async get(id: number): Promise<User> {
    const user = Number.isSafeInteger(id) ? await this.findById(id) : null;
    if (!user) throw new NotFoundException();
    return user;
  }

  /** Lists every user by full name, with their role. */
  list(): Promise<User[]> {
    return this.dataSource
      .getRepository(UserEntity)
      .find({ order: { fullName: 'ASC' }, relations: { role: true } });
  }

  /** Active users the given user may assign records to, for assignment pickers. */
  listAssignable(user: CurrentUser): Promise<User[]> {
    const query = this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('u.isActive = :active', { active: true });
    this.access.restrictAssignees(query, 'u', user);
    return query.orderBy('u.fullName', 'ASC').getMany();
  }

  /** Active users, for filters. */
  listActive(): Promise<User[]> {
    return this.dataSource
      .getRepository(UserEntity)
      .find({ where: { isActive: true }, order: { fullName: 'ASC' } });
  }

  /** Creates (id null) or updates a user. A new user needs a password; an empty one on edit keeps the old. */
  async save(id: number | null, input: UserInput): Promise<UserSaveResult> {
    const repository = this.dataSource.getRepository(UserEntity);
    const existing = id === null ? null : await this.get(id);
    const errors: FieldErrors = {};

    const fullName = (input.fullName ?? '').trim();
    const username = (input.username ?? '').trim().toLowerCase();
    const email = (input.email ?? '').trim();
    const password = input.password ?? '';

    if (!fullName) errors.fullName = { code: 'required' };
    else if (fullName.length > 120) errors.fullName = { code: 'tooLong', params: { maxLength: 120 } };
    if (!username) errors.username = { code: 'required' };
    else if (!USERNAME.test(username)) errors.username = { code: 'invalidUsername' };
    else if (
      await repository
        .exists({ where: { username } })
        .then((taken) => taken && existing?.username !== username)
    ) {
      errors.username = { code: 'notUnique', params: { value: username } };
    }
    if (email && !EMAIL.test(email)) errors.email = { code: 'invalidEmail' };
    if (existing === null || password !== '') {
      if (password.length < MIN_PASSWORD_LENGTH)
        errors.password = { code: 'passwordTooShort', params: { min: MIN_PASSWORD_LENGTH } };
    }
    // Code that creates users without naming a role (the first start, imports) gives them the default role.
    const roleId = Number(
      input.roleId === undefined ? (existing?.roleId ?? (await this.defaultRoleId())) : input.roleId,
    );
    const roleExists =
      Number.isSafeInteger(roleId) &&
      roleId > 0 &&
      (await this.dataSource.getRepository(RoleEntity).existsBy({ id: roleId }));
    if (!roleExists) errors.roleId = { code: input.roleId ? 'roleNotFound' : 'required' };
    if (Object.keys(errors).length > 0) return { ok: false, errors };

    const now = utcNow();
    const user = existing ?? repository.create({ createdAt: now });
    Object.assign(user, {
      fullName,
      username,
      email: email || null,
      isActive: input.isActive ?? true,
      isAdmin: input.isAdmin ?? false,
      locale: toLocale(input.locale ?? existing?.locale),
      roleId,
      updatedAt: now,
    });
    if (password) user.passwordHash = await hashPassword(password);

    // One statement, so it needs no transaction of its own (see installSqliteLock).
    const saved = await repository.save(user, { transaction: false });
    this.logger.log(`${existing ? 'Updated' : 'Created'} user ${saved.id} (${saved.username})`);
    return { ok: true, user: saved };
  }
}
