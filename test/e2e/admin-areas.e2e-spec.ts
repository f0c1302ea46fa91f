import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { businessModules } from '../../modules/index.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { AdminAreaGuard, RequiresAdminArea } from '../../src/auth/guards.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ProfileAdminAreas1764900005000 } from '../../src/database/migrations/1764900005000-profile-admin-areas.js';
import { RecordsService } from '../../src/records/records.service.js';
import { toCurrentUser, UsersService } from '../../src/users/users.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import { uploadUsers } from '../support/users-import.js';
import {
  createTestDatabase,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import {
  ADMIN,
  Agent,
  ISO_FORMAT as FORMAT,
  MANAGER_ROLE,
  ORGANISATION_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
} from '../support/records.js';

const ADMINISTRATOR_PROFILE = 1;
const SALES_PROFILE = 2;
const MODULES = ['potentials', 'accounts', 'campaigns'];
const ACTIONS = ['view', 'create', 'edit', 'delete', 'import', 'export'];
const USER_ADMIN_PAGES = [
  '/admin/users',
  '/admin/users/new',
  '/admin/users/import',
  '/admin/roles',
  '/admin/profiles',
  '/admin/sharing',
];

/** Form fields of a profile page that allow every action on every module. */
const everyAction = (): Record<string, string> =>
  Object.fromEntries(
    MODULES.flatMap((module) => ACTIONS.map((action) => [`action:${module}:${action}`, '1'])),
  );

/** A route that only layout administrators may use, as the Layout Editor's pages will be. */
class LayoutPages {
  @RequiresAdminArea('layout')
  edit(): void {}
}

/** Builds the execution context of a request to `LayoutPages.edit` by the given user. */
function layoutRequestBy(user: CurrentUser | undefined): ExecutionContext {
  const handler = Object.getOwnPropertyDescriptor(LayoutPages.prototype, 'edit')!.value as () => void;
  return {
    getHandler: () => handler,
    getClass: () => LayoutPages,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

describe.each(databaseKinds())('administration areas on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let ursula: Agent;
  let sam: Agent;
  const ids: Record<string, number> = {};
  let userAdminProfile: number;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const count = async (table: string) =>
    Number((await query<{ count: number | string }>(`SELECT COUNT(*) AS count FROM ${table}`))[0].count);

  const roleOf = async (userId: number) =>
    Number((await query<{ role_id: number }>('SELECT role_id FROM users WHERE id = ?', [userId]))[0].role_id);

  const profilesOfRole = async (roleId: number) =>
    (
      await query<{ profile_id: number }>(
        'SELECT profile_id FROM role_profiles WHERE role_id = ? ORDER BY profile_id',
        [roleId],
      )
    ).map((row) => Number(row.profile_id));

  const areasOf = async (profileId: number) => {
    const [row] = await query<{ users: unknown; layout: unknown }>(
      'SELECT can_administer_users AS users, can_administer_layout AS layout FROM profiles WHERE id = ?',
      [profileId],
    );
    return { users: Number(row.users) === 1, layout: Number(row.layout) === 1 };
  };

  async function createUser(username: string, fullName: string, roleId: number): Promise<number> {
    const result = await testApp.app
      .get(UsersService)
      .save(null, { fullName, username, password: PASSWORD, roleId });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.user.id;
  }

  async function currentUser(id: number): Promise<CurrentUser> {
    return toCurrentUser((await testApp.app.get(UsersService).findById(id))!);
  }

  /** Creates a profile through the admin pages and returns its id. */
  async function createProfile(agent: Agent, name: string, fields: Record<string, string>): Promise<number> {
    const created = await postForm(agent, '/admin/profiles', '/admin/profiles', { name });
    expect(created.status).toBe(303);
    const id = Number(/\/admin\/profiles\/(\d+)$/.exec(created.headers.location)![1]);
    const saved = await postForm(agent, `/admin/profiles/${id}`, `/admin/profiles/${id}/permissions`, fields);
    expect(saved.status).toBe(303);
    return id;
  }

  async function createPotential(name: string, assignedUserId: number): Promise<number> {
    const saved = await testApp.app.get(RecordsService).save(
      'potentials',
      ADMIN,
      null,
      {
        potential_name: name,
        expected_close_date: '2027-03-31',
        sales_stage: 'Prospecting',
        assigned_user_id: String(assignedUserId),
      },
      FORMAT,
    );
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    return saved.id;
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);

    // Ursula manages users from the Sales Manager role without the administrator flag; Marta is her peer.
    userAdminProfile = await createProfile(admin, 'User administration', {
      ...everyAction(),
      'area:users': '1',
    });
    const managerProfiles = await postForm(admin, '/admin/roles', `/admin/roles/${MANAGER_ROLE}/profiles`, {
      profileIds: [String(SALES_PROFILE), String(userAdminProfile)],
    });
    expect(managerProfiles.status).toBe(303);
    ids.ursula = await createUser('ursula', 'Ursula Manager', MANAGER_ROLE);
    ids.marta = await createUser('marta', 'Marta Peer', MANAGER_ROLE);
    ids.sam = await createUser('sam', 'Sam Seller', SALESPERSON_ROLE);

    // Lena designs layouts from a role of her own whose only profile grants layout administration.
    const designers = await postForm(admin, '/admin/roles', '/admin/roles', {
      name: 'Designers',
      parentId: String(ORGANISATION_ROLE),
    });
    expect(designers.status).toBe(303);
    ids.designers = Number(
      (await query<{ id: number }>("SELECT id FROM roles WHERE name = 'Designers'"))[0].id,
    );
    const layoutProfile = await createProfile(admin, 'Layout design', {
      ...everyAction(),
      'area:layout': '1',
    });
    await postForm(admin, '/admin/roles', `/admin/roles/${ids.designers}/profiles`, {
      profileIds: String(layoutProfile),
    });
    ids.lena = await createUser('lena', 'Lena Designer', ids.designers);

    const sharing = await postForm(admin, '/admin/sharing', '/admin/sharing', {
      potentials: 'private',
      accounts: 'private',
      campaigns: 'private',
      contacts: 'public_read_write_delete',
      documents: 'public_read_write_delete',
      leads: 'public_read_write_delete',
      products: 'public_read_write_delete',
      quotes: 'public_read_write_delete',
    });
    expect(sharing.status).toBe(303);

    ursula = await loginAgent(testApp.app, 'ursula', PASSWORD);
    sam = await loginAgent(testApp.app, 'sam', PASSWORD);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('seeds Administrator with both areas and Sales with none', async () => {
    expect(await areasOf(ADMINISTRATOR_PROFILE)).toEqual({ users: true, layout: true });
    expect(await areasOf(SALES_PROFILE)).toEqual({ users: false, layout: false });
  });

  describe('a user without user administration', () => {
    it('gets 403 on every user administration page', async () => {
      for (const page of USER_ADMIN_PAGES) {
        const response = await sam.get(page);

        expect([page, response.status]).toEqual([page, 403]);
      }
    });

    it('gets 403 on POSTs, which change nothing', async () => {
      const before = {
        users: await count('users'),
        roles: await count('roles'),
        profiles: await count('profiles'),
        rules: await count('sharing_rules'),
      };
      const posts = {
        createUser: await postForm(sam, '/potentials', '/admin/users', {
          fullName: 'Sneaky',
          username: 'sneaky',
          password: PASSWORD,
          roleId: String(SALESPERSON_ROLE),
        }),
        promoteSelf: await postForm(sam, '/potentials', `/admin/users/${ids.sam}`, {
          fullName: 'Sam Seller',
          username: 'sam',
          isActive: 'on',
          isAdmin: 'on',
          roleId: String(ORGANISATION_ROLE),
        }),
        addRole: await postForm(sam, '/potentials', '/admin/roles', {
          name: 'Shadow',
          parentId: String(SALESPERSON_ROLE),
        }),
        addProfile: await postForm(sam, '/potentials', '/admin/profiles', { name: 'Shadow' }),
        grantArea: await postForm(sam, '/potentials', `/admin/profiles/${SALES_PROFILE}/permissions`, {
          ...everyAction(),
          'area:users': '1',
        }),
        sharingLevels: await postForm(sam, '/potentials', '/admin/sharing', { potentials: 'public_read' }),
        sharingRule: await postForm(sam, '/potentials', '/admin/sharing/rules', {
          module: 'potentials',
          source: `role:${String(MANAGER_ROLE)}`,
          target: `role:${String(SALESPERSON_ROLE)}`,
          access: 'read',
        }),
      };
      const levels = await query<{ level: string }>(
        "SELECT level FROM sharing_settings WHERE module = 'potentials'",
      );
      const self = await query<{ is_admin: unknown; role_id: number }>(
        'SELECT is_admin, role_id FROM users WHERE id = ?',
        [ids.sam],
      );

      for (const [name, response] of Object.entries(posts))
        expect([name, response.status]).toEqual([name, 403]);
      expect(await count('users')).toBe(before.users);
      expect(await count('roles')).toBe(before.roles);
      expect(await count('profiles')).toBe(before.profiles);
      expect(await count('sharing_rules')).toBe(before.rules);
      expect(Number(self[0].is_admin)).toBe(0);
      expect(Number(self[0].role_id)).toBe(SALESPERSON_ROLE);
      expect(await areasOf(SALES_PROFILE)).toEqual({ users: false, layout: false });
      expect(levels[0].level).toBe('private');
    });

    it('sees no administration links', async () => {
      const page = (await sam.get('/potentials')).text;

      expect(page).toContain('href="/potentials"');
      for (const link of ['/admin/users', '/admin/roles', '/admin/profiles', '/admin/sharing'])
        expect(page).not.toContain(`href="${link}"`);
    });
  });

  describe('a user administrator without the administrator flag', () => {
    it('opens the pages and sees their links', async () => {
      for (const page of USER_ADMIN_PAGES) {
        const response = await ursula.get(page);

        expect([page, response.status]).toEqual([page, 200]);
      }
      const menu = (await ursula.get('/potentials')).text;
      for (const link of ['/admin/users', '/admin/roles', '/admin/profiles', '/admin/sharing'])
        expect(menu).toContain(`href="${link}"`);
    });

    it('keeps her record scope', async () => {
      const peers = await createPotential('Peer deal', ids.marta);
      const team = await createPotential('Team deal', ids.sam);

      expect((await ursula.get(`/potentials/${peers}`)).status).toBe(404);
      expect((await ursula.get(`/potentials/${team}`)).status).toBe(200);
      expect((await admin.get(`/potentials/${peers}`)).status).toBe(200);
    });

    it('cannot grant the administrator flag', async () => {
      const users = await count('users');

      const created = await postForm(ursula, '/admin/users/new', '/admin/users', {
        fullName: 'New Boss',
        username: 'newboss',
        password: PASSWORD,
        isActive: 'on',
        isAdmin: 'on',
        roleId: String(SALESPERSON_ROLE),
      });
      const promoted = await postForm(ursula, `/admin/users/${ids.sam}/edit`, `/admin/users/${ids.sam}`, {
        fullName: 'Sam Seller',
        username: 'sam',
        isActive: 'on',
        isAdmin: 'on',
        roleId: String(SALESPERSON_ROLE),
      });
      const sams = await query<{ is_admin: unknown }>('SELECT is_admin FROM users WHERE id = ?', [ids.sam]);

      expect(created.status).toBe(403);
      expect(promoted.status).toBe(403);
      expect(await count('users')).toBe(users);
      expect(Number(sams[0].is_admin)).toBe(0);
      expect((await ursula.get('/admin/users/new')).text).not.toContain('name="isAdmin"');
    });

    it('cannot edit an administrator, a peer or herself', async () => {
      const hashes = async () =>
        (await query<{ password_hash: string }>('SELECT password_hash FROM users ORDER BY id')).map(
          (row) => row.password_hash,
        );
      const before = await hashes();

      for (const id of [ADMIN.id, ids.marta, ids.ursula]) {
        const page = await ursula.get(`/admin/users/${id}/edit`);
        const post = await postForm(ursula, '/admin/users', `/admin/users/${id}`, {
          fullName: 'Taken Over',
          username: `taken${id}`,
          password: 'a-password-she-knows',
          isActive: 'on',
          roleId: String(SALESPERSON_ROLE),
        });
        const moved = await postForm(ursula, '/admin/users', `/admin/users/${id}/move-records`, {
          toOwner: String(ids.ursula),
        });

        expect([id, page.status, post.status, moved.status]).toEqual([id, 403, 403, 403]);
      }
      const list = (await ursula.get('/admin/users')).text;

      expect(await hashes()).toEqual(before);
      expect(await roleOf(ids.marta)).toBe(MANAGER_ROLE);
      expect(list).toContain(`href="/admin/users/${ids.sam}/edit"`);
      expect(list).not.toContain(`href="/admin/users/${ADMIN.id}/edit"`);
      expect(list).not.toContain(`href="/admin/users/${ids.marta}/edit"`);
    });

    it('rejects placing users at or above her role', async () => {
      const form = (await ursula.get(`/admin/users/${ids.sam}/edit`)).text;
      const roleSelect = /<select[^>]*name="roleId"[\s\S]*?<\/select>/.exec(form)![0];

      for (const roleId of [MANAGER_ROLE, ORGANISATION_ROLE, ids.designers]) {
        const post = await postForm(ursula, `/admin/users/${ids.sam}/edit`, `/admin/users/${ids.sam}`, {
          fullName: 'Sam Seller',
          username: 'sam',
          isActive: 'on',
          roleId: String(roleId),
        });

        expect([roleId, post.status]).toEqual([roleId, 422]);
        expect(unescapeHtml(post.text)).toContain('You can put users only in the roles below your own');
        expect(roleSelect).not.toContain(`<option value="${roleId}"`);
      }
      expect(await roleOf(ids.sam)).toBe(SALESPERSON_ROLE);
      expect(roleSelect).toContain(`<option value="${SALESPERSON_ROLE}"`);
    });

    it('cannot manage a role below hers that grants more', async () => {
      const created = await postForm(admin, '/admin/roles', '/admin/roles', {
        name: 'Deputy administrators',
        parentId: String(SALESPERSON_ROLE),
      });
      const deputies = Number(
        (await query<{ id: number }>("SELECT id FROM roles WHERE name = 'Deputy administrators'"))[0].id,
      );
      await postForm(admin, '/admin/roles', `/admin/roles/${deputies}/profiles`, {
        profileIds: String(ADMINISTRATOR_PROFILE),
      });
      const deputy = await createUser('dora', 'Dora Deputy', deputies);

      const place = await postForm(ursula, `/admin/users/${ids.sam}/edit`, `/admin/users/${ids.sam}`, {
        fullName: 'Sam Seller',
        username: 'sam',
        isActive: 'on',
        roleId: String(deputies),
      });
      const edit = await ursula.get(`/admin/users/${deputy}/edit`);

      expect(created.status).toBe(303);
      expect(place.status).toBe(422);
      expect(edit.status).toBe(403);
      expect(await roleOf(ids.sam)).toBe(SALESPERSON_ROLE);
    });

    it('creates and edits the users below her role', async () => {
      const created = await postForm(ursula, '/admin/users/new', '/admin/users', {
        fullName: 'Tina Trainee',
        username: 'tina',
        password: PASSWORD,
        isActive: 'on',
        roleId: String(SALESPERSON_ROLE),
      });
      const tina = await query<{ id: number }>("SELECT id FROM users WHERE username = 'tina'");
      const renamed = await postForm(
        ursula,
        `/admin/users/${tina[0].id}/edit`,
        `/admin/users/${tina[0].id}`,
        {
          fullName: 'Tina Senior',
          username: 'tina',
          isActive: 'on',
          roleId: String(SALESPERSON_ROLE),
        },
      );
      const names = await query<{ full_name: string }>('SELECT full_name FROM users WHERE id = ?', [
        tina[0].id,
      ]);

      expect(created.status).toBe(303);
      expect(renamed.status).toBe(303);
      expect(names[0].full_name).toBe('Tina Senior');
    });

    it('moves records only within her bounds', async () => {
      const deal = await createPotential('Moving deal', ids.sam);
      const owner = async () =>
        Number(
          (
            await query<{ owner: number }>('SELECT assigned_user_id AS owner FROM potentials WHERE id = ?', [
              deal,
            ])
          )[0].owner,
        );

      const toPeer = await postForm(
        ursula,
        `/admin/users/${ids.sam}/edit`,
        `/admin/users/${ids.sam}/move-records`,
        {
          toOwner: String(ids.marta),
        },
      );
      expect(toPeer.status).toBe(422);
      expect(unescapeHtml(toPeer.text)).toContain('only to yourself or to a user in the roles below yours');
      expect(await owner()).toBe(ids.sam);

      const toSelf = await postForm(
        ursula,
        `/admin/users/${ids.sam}/edit`,
        `/admin/users/${ids.sam}/move-records`,
        {
          toOwner: String(ids.ursula),
        },
      );
      expect(toSelf.status).toBe(303);
      expect(await owner()).toBe(ids.ursula);
    });

    it('cannot change the Administrator profile or her own', async () => {
      for (const profileId of [ADMINISTRATOR_PROFILE, userAdminProfile]) {
        const page = await ursula.get(`/admin/profiles/${profileId}`);
        const rename = await postForm(ursula, '/admin/profiles', `/admin/profiles/${profileId}`, {
          name: 'Renamed',
        });
        const grid = await postForm(ursula, '/admin/profiles', `/admin/profiles/${profileId}/permissions`, {
          ...everyAction(),
          'area:users': '1',
          'area:layout': '1',
        });

        expect([profileId, page.status, rename.status, grid.status]).toEqual([profileId, 200, 403, 403]);
        expect(unescapeHtml(page.text)).toContain('only an administrator can change it');
      }
      const names = await query<{ name: string }>(
        'SELECT name FROM profiles WHERE id IN (?, ?) ORDER BY id',
        [ADMINISTRATOR_PROFILE, userAdminProfile],
      );

      expect(names.map((row) => row.name)).toEqual(['Administrator', 'User administration']);
      expect(await areasOf(userAdminProfile)).toEqual({ users: true, layout: false });
    });

    it('rejects granting rights she lacks', async () => {
      const helpers = await createProfile(ursula, 'Helpers', { ...everyAction(), 'area:users': '1' });

      const layout = await postForm(
        ursula,
        `/admin/profiles/${helpers}`,
        `/admin/profiles/${helpers}/permissions`,
        {
          ...everyAction(),
          'area:layout': '1',
        },
      );

      expect(layout.status).toBe(422);
      expect(layout.text).toContain('Layout administration');
      expect(await areasOf(helpers)).toEqual({ users: true, layout: false });
    });

    it('rejects giving a role a broader profile', async () => {
      const post = await postForm(ursula, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/profiles`, {
        profileIds: [String(SALES_PROFILE), String(ADMINISTRATOR_PROFILE)],
      });

      expect(post.status).toBe(422);
      expect(post.text).toContain('The profile Administrator grants more than your own profiles');
      expect(await profilesOfRole(SALESPERSON_ROLE)).toEqual([SALES_PROFILE]);
    });

    it('rejects changes to her role and above', async () => {
      const before = await query<{ id: number; name: string; path: string }>(
        'SELECT id, name, path FROM roles ORDER BY id',
      );

      const posts = [
        await postForm(ursula, '/admin/roles', `/admin/roles/${MANAGER_ROLE}`, {
          name: 'Boss',
          assignScope: 'all',
        }),
        await postForm(ursula, '/admin/roles', `/admin/roles/${MANAGER_ROLE}/profiles`, {
          profileIds: String(ADMINISTRATOR_PROFILE),
        }),
        await postForm(ursula, '/admin/roles', `/admin/roles/${ORGANISATION_ROLE}/profiles`, {
          profileIds: String(SALES_PROFILE),
        }),
        await postForm(ursula, '/admin/roles', `/admin/roles/${ids.designers}/delete`, {
          transferToId: String(SALESPERSON_ROLE),
        }),
        await postForm(ursula, '/admin/roles', `/admin/roles/${SALESPERSON_ROLE}/move`, {
          parentId: String(ORGANISATION_ROLE),
        }),
        await postForm(ursula, '/admin/roles', '/admin/roles', {
          name: 'Beside me',
          parentId: String(ORGANISATION_ROLE),
        }),
      ];

      expect(posts.map((post) => post.status)).toEqual([403, 403, 403, 403, 403, 403]);
      expect(await query('SELECT id, name, path FROM roles ORDER BY id')).toEqual(before);
      expect(await profilesOfRole(MANAGER_ROLE)).toEqual(
        [SALES_PROFILE, userAdminProfile].sort((a, b) => a - b),
      );
    });

    it('adds and moves roles below her own', async () => {
      const created = await postForm(ursula, '/admin/roles', '/admin/roles', {
        name: 'Interns',
        parentId: String(MANAGER_ROLE),
      });
      const interns = await query<{ id: number }>("SELECT id FROM roles WHERE name = 'Interns'");
      const moved = await postForm(ursula, '/admin/roles', `/admin/roles/${interns[0].id}/move`, {
        parentId: String(SALESPERSON_ROLE),
      });
      const paths = await query<{ path: string }>('SELECT path FROM roles WHERE id = ?', [interns[0].id]);

      expect(created.status).toBe(303);
      expect(moved.status).toBe(303);
      expect(paths[0].path).toBe(`/1/2/3/${interns[0].id}/`);
    });

    it('rejects sharing changes beyond her scope', async () => {
      const levels = await postForm(ursula, '/admin/sharing', '/admin/sharing', {
        potentials: 'public_read_write_delete',
        accounts: 'public_read_write_delete',
        campaigns: 'public_read_write_delete',
        contacts: 'public_read_write_delete',
        documents: 'public_read_write_delete',
        leads: 'public_read_write_delete',
        products: 'public_read_write_delete',
        quotes: 'public_read_write_delete',
      });
      const openPeers = await postForm(ursula, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: `role:${String(MANAGER_ROLE)}`,
        target: `role:${String(MANAGER_ROLE)}`,
        access: 'read_write',
      });
      const stored = await query<{ level: string }>('SELECT level FROM sharing_settings ORDER BY module');

      expect(levels.status).toBe(403);
      expect(openPeers.status).toBe(403);
      // Sorted by module: accounts, campaigns, contacts, documents, leads, potentials, products, quotes.
      expect(stored.map((row) => row.level)).toEqual([
        'private',
        'private',
        'public_read_write_delete',
        'public_read_write_delete',
        'public_read_write_delete',
        'private',
        'public_read_write_delete',
        'public_read_write_delete',
      ]);
      expect(await count('sharing_rules')).toBe(0);

      const teamRule = await postForm(ursula, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: `role:${String(SALESPERSON_ROLE)}`,
        target: `role:${String(MANAGER_ROLE)}`,
        access: 'read',
      });
      expect(teamRule.status).toBe(303);
      expect(await count('sharing_rules')).toBe(1);
      await query('DELETE FROM sharing_rules');
    });

    it('cannot manage groups or name one in a rule', async () => {
      await query(
        "INSERT INTO user_groups (name, name_key, description, created_at, updated_at) VALUES ('Team', 'team', '', '2027-01-01 00:00:00', '2027-01-01 00:00:00')",
      );
      const [{ id: teamId }] = await query<{ id: number }>("SELECT id FROM user_groups WHERE name = 'Team'");

      const page = await ursula.get('/admin/groups');
      const created = await postForm(ursula, '/admin/users', '/admin/groups', { name: 'Her own' });
      const groupRule = await postForm(ursula, '/admin/sharing', '/admin/sharing/rules', {
        module: 'potentials',
        source: `role:${String(SALESPERSON_ROLE)}`,
        target: `group:${String(teamId)}`,
        access: 'read',
      });

      expect(page.status).toBe(403);
      expect(created.status).toBe(403);
      expect(groupRule.status).toBe(403);
      expect(await count('user_groups')).toBe(1);
      expect(await count('sharing_rules')).toBe(0);
      expect((await ursula.get('/admin/sharing')).text).not.toContain(`value="group:${String(teamId)}"`);
      await query('DELETE FROM user_groups');
    });

    it('imports only users within her bounds', async () => {
      const file = ['full_name,role', 'Nina Nuova,', 'Marta Peer,', 'Oscar Alto,Organisation'].join('\n');

      const abovePage = await uploadUsers(ursula, file, { parentRoleId: String(ORGANISATION_ROLE) });
      expect(abovePage.status).toBe(422);
      expect(abovePage.text).toContain('You can create roles only under your own role');
      expect(await count("users WHERE username IN ('nina.nuova', 'oscar.alto')")).toBe(0);

      const result = await uploadUsers(ursula, file);
      const text = unescapeHtml(result.text);
      const nina = await query<{ role_id: number }>(
        "SELECT role_id FROM users WHERE username = 'nina.nuova'",
      );

      expect(result.status).toBe(200);
      expect(Number(nina[0].role_id)).toBe(SALESPERSON_ROLE);
      expect(await count("users WHERE username = 'oscar.alto'")).toBe(0);
      expect(await roleOf(ids.marta)).toBe(MANAGER_ROLE);
      expect(text).toContain('This user is not in the roles below yours');
      expect(text).toContain('The user would go into the role Organisation');
    });
  });

  describe('the layout administration guard', () => {
    const guard = () => new AdminAreaGuard(new Reflector(), testApp.app.get(PermissionsService));

    it('admits layout administrators and administrators', async () => {
      await expect(guard().canActivate(layoutRequestBy(await currentUser(ids.lena)))).resolves.toBe(true);
      await expect(guard().canActivate(layoutRequestBy(await currentUser(ADMIN.id)))).resolves.toBe(true);
    });

    it('rejects every other user', async () => {
      const roleless = { ...(await currentUser(ids.sam)), roleId: null };

      await expect(guard().canActivate(layoutRequestBy(await currentUser(ids.ursula)))).rejects.toThrow(
        ForbiddenException,
      );
      await expect(guard().canActivate(layoutRequestBy(roleless))).rejects.toThrow(ForbiddenException);
      await expect(guard().canActivate(layoutRequestBy(undefined))).rejects.toThrow(ForbiddenException);
    });

    it('keeps user administration from a layout administrator', async () => {
      const lena = await loginAgent(testApp.app, 'lena', PASSWORD);

      expect((await lena.get('/admin/users')).status).toBe(403);
      expect((await lena.get('/potentials')).text).not.toContain('href="/admin/users"');
    });
  });
});

describe.each(databaseKinds())('administration areas migration on %s', (kind) => {
  it('grants Administrator both areas on upgrade', async () => {
    const database = await createTestDatabase(kind);
    const options = dataSourceOptions(database.config, businessModules);
    const earlier = (options.migrations as unknown[]).filter(
      (migration) => migration !== ProfileAdminAreas1764900005000,
    ) as typeof options.migrations;
    const before = new DataSource({ ...options, migrations: earlier });
    const after = new DataSource(options);
    try {
      await before.initialize();
      await before.query("INSERT INTO profiles (name, description) VALUES ('Custom', '')");
      await before.destroy();

      await after.initialize();
      const rows = await after.query<{ name: string; users: unknown; layout: unknown }[]>(
        'SELECT name, can_administer_users AS users, can_administer_layout AS layout FROM profiles ORDER BY id',
      );

      expect(rows.map((row) => [row.name, Number(row.users), Number(row.layout)])).toEqual([
        ['Administrator', 1, 1],
        ['Sales', 0, 0],
        ['Custom', 0, 0],
      ]);
    } finally {
      if (before.isInitialized) await before.destroy();
      if (after.isInitialized) await after.destroy();
      await database.drop();
    }
  });
});
