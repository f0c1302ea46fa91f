import { NestExpressApplication } from '@nestjs/platform-express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { loginAgent } from './test-app.js';

/** The administrator that every test database starts with. */
export const ADMIN: CurrentUser = {
  id: 1,
  username: 'admin',
  fullName: 'Administrator',
  isAdmin: true,
  locale: 'en',
};
/** Input in the formats a script would use: dot decimals and ISO dates. */
export const FORMAT = { numberFormat: 'dot' as const, dateFormat: 'iso' as const };
export const PASSWORD = 'long-enough-password';
/** Ids of the roles a fresh install has below Organisation. */
export const MANAGER_ROLE = 2;
export const SALESPERSON_ROLE = 3;

export type Agent = Awaited<ReturnType<typeof loginAgent>>;

/** Creates an active user in the given role, with PASSWORD, and returns their id. */
export async function createUser(
  app: NestExpressApplication,
  username: string,
  roleId: number,
  fullName = username,
): Promise<number> {
  const result = await app.get(UsersService).save(null, { fullName, username, password: PASSWORD, roleId });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.user.id;
}

/** Creates a record as the administrator from typed input, and returns its id. */
export async function createRecord(
  app: NestExpressApplication,
  moduleName: string,
  input: Record<string, string>,
): Promise<number> {
  const result = await app.get(RecordsService).save(moduleName, ADMIN, null, input, FORMAT);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}
