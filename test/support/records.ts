import { businessModules } from '../../modules/index.js';
import type { ModuleManifest } from '../../src/records/manifest.js';
import { CurrentUser } from '../../src/access/current-user.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { loginAgent, postForm, TestApp } from './test-app.js';

/** The manifests of the enabled modules that keep records, in menu order. A page-only module has none. */
export const RECORD_MANIFESTS: ModuleManifest[] = businessModules.flatMap((module) =>
  module.manifest ? [module.manifest] : [],
);

/** The administrator as services see it, for setting up records without going through the pages. */
export const ADMIN: CurrentUser = {
  id: 1,
  username: 'admin',
  fullName: 'Administrator',
  isAdmin: true,
  locale: 'en',
};
/** Amounts with a decimal point and ISO dates, as fixtures write them. */
export const ISO_FORMAT = { numberFormat: 'dot' as const, dateFormat: 'iso' as const };
export const PASSWORD = 'long-enough-password';
/** The standard fields a new potential needs, as the English create form takes them. */
export const POTENTIAL_FORM = {
  potential_name: 'Fleet renewal',
  amount: '1000',
  expected_close_date: '06/30/2027',
  sales_stage: 'Prospecting',
};
/** The roles of a fresh install: Organisation → Sales Manager → Salesperson. */
export const ORGANISATION_ROLE = 1;
export const MANAGER_ROLE = 2;
export const SALESPERSON_ROLE = 3;

export type Agent = Awaited<ReturnType<typeof loginAgent>>;

/** Creates an active user with PASSWORD, whose full name is the username unless given, and returns the id. */
export async function createUser(
  testApp: TestApp,
  username: string,
  roleId: number,
  fullName = username,
): Promise<number> {
  const result = await testApp.app
    .get(UsersService)
    .save(null, { fullName, username, password: PASSWORD, roleId });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.user.id;
}

/** Saves a new record as the administrator from form text with ISO dates, and returns its id. */
export async function createRecord(
  testApp: TestApp,
  moduleName: string,
  input: Record<string, string>,
): Promise<number> {
  const result = await testApp.app.get(RecordsService).save(moduleName, ADMIN, null, input, ISO_FORMAT);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}

/** Saves a new quote from its form as `agent` would, and returns its id; throws when the form is rejected. */
export async function saveNewQuote(agent: Agent, form: Record<string, string>): Promise<number> {
  const response = await postForm(agent, '/quotes/new', '/quotes', form);
  if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
  return Number(/\/quotes\/(\d+)$/.exec(response.headers.location)![1]);
}

/**
 * Adds a custom field through a module's Layout Editor page (such as `/admin/layout/potentials`), in the
 * block 'info' unless the form names another, and returns its generated name.
 */
export async function addCustomField(
  admin: Agent,
  editor: string,
  form: Record<string, string>,
): Promise<string> {
  const response = await postForm(admin, editor, `${editor}/custom-fields`, {
    block: 'info',
    max_length: '',
    ...form,
  });
  if (response.status !== 303)
    throw new Error(`Adding the custom field failed with status ${response.status}`);
  const match = /#field-(cf_\d+)$/.exec(response.headers.location);
  if (!match) throw new Error(`Unexpected redirect to ${response.headers.location}`);
  return match[1];
}

/**
 * Appends values to a picklist field through its page in the Layout Editor (such as `/admin/layout/potentials`),
 * and throws when one is rejected.
 */
export async function addPicklistValues(
  admin: Agent,
  editor: string,
  fieldName: string,
  values: string[],
): Promise<void> {
  const page = `${editor}/picklists/${fieldName}`;
  for (const value of values) {
    const response = await postForm(admin, page, `${page}/values`, { value, position: 'end' });
    if (response.status !== 303)
      throw new Error(`Adding the value ${value} to ${fieldName} failed with status ${response.status}`);
  }
}

/** Adds a role below another through the roles page, and returns its id. */
export async function createRole(
  testApp: TestApp,
  admin: Agent,
  name: string,
  parentId: number,
): Promise<number> {
  const response = await postForm(admin, '/admin/roles', '/admin/roles', {
    name,
    parentId: String(parentId),
  });
  if (response.status !== 303)
    throw new Error(`Adding the role ${name} failed with status ${response.status}`);
  const rows = await testApp.dataSource.query<{ id: number }[]>('SELECT id FROM roles WHERE name = ?', [
    name,
  ]);
  return Number(rows[0].id);
}

/** Every action of a profile's grid on a module. */
export const ALL_ACTIONS = ['view', 'create', 'edit', 'delete', 'import', 'export'];

/** Returns the sharing levels that open every module for reading, changing and deleting, but potentials as given. */
export function sharingWith(potentials: string): Record<string, string> {
  return {
    accounts: 'public_read_write_delete',
    campaigns: 'public_read_write_delete',
    contacts: 'public_read_write_delete',
    documents: 'public_read_write_delete',
    leads: 'public_read_write_delete',
    potentials,
    products: 'public_read_write_delete',
    quotes: 'public_read_write_delete',
  };
}

/**
 * Saves the sharing page with the given sharing level per module name. A module left out gets the level of a
 * fresh install, public read, edit and delete, because the page takes every module's level at once.
 */
export async function setSharing(admin: Agent, levels: Record<string, string>): Promise<void> {
  const installed: Record<string, string> = {};
  for (const manifest of RECORD_MANIFESTS) installed[manifest.name] = 'public_read_write_delete';
  const response = await postForm(admin, '/admin/sharing', '/admin/sharing', { ...installed, ...levels });
  if (response.status !== 303)
    throw new Error(`Saving the sharing levels failed with status ${response.status}`);
}

/**
 * Saves a profile's grid: the given actions per module, and the access of the fields it restricts, keyed
 * `<module>:<field>`. Modules left out of `allowed` get no action.
 */
export async function saveProfileGrid(
  admin: Agent,
  profileId: number,
  allowed: Record<string, string[]>,
  fields: Record<string, 'hidden' | 'readonly'> = {},
): Promise<void> {
  const grid: Record<string, string> = {};
  for (const [module, actions] of Object.entries(allowed)) {
    for (const action of actions) grid[`action:${module}:${action}`] = '1';
  }
  for (const [field, access] of Object.entries(fields)) grid[`field:${field}`] = access;
  const saved = await postForm(
    admin,
    `/admin/profiles/${profileId}`,
    `/admin/profiles/${profileId}/permissions`,
    grid,
  );
  if (saved.status !== 303) throw new Error(`Saving profile ${profileId} failed with status ${saved.status}`);
}

/**
 * Adds a profile whose grid allows the given actions per module, gives it to the role as its only
 * profile, and returns its id. Modules left out of `allowed` get no action. `fields` restricts fields,
 * keyed `<module>:<field>`.
 */
export async function createProfileFor(
  admin: Agent,
  roleId: number,
  name: string,
  allowed: Record<string, string[]>,
  fields: Record<string, 'hidden' | 'readonly'> = {},
): Promise<number> {
  const created = await postForm(admin, '/admin/profiles', '/admin/profiles', { name, description: name });
  if (created.status !== 303)
    throw new Error(`Adding the profile ${name} failed with status ${created.status}`);
  const profileId = Number(/\/admin\/profiles\/(\d+)$/.exec(created.headers.location)![1]);
  await saveProfileGrid(admin, profileId, allowed, fields);

  const assigned = await postForm(admin, '/admin/roles', `/admin/roles/${roleId}/profiles`, {
    profileIds: String(profileId),
  });
  if (assigned.status !== 303)
    throw new Error(`Giving the profile ${name} to role ${roleId} failed with status ${assigned.status}`);
  return profileId;
}
