import { databaseKinds, loginAgent, postForm, startTestApp, TestApp } from '../support/test-app.js';

interface RoleRow {
  id: number;
  name: string;
  parent_id: number | null;
  path: string;
}

describe.each(databaseKinds())('role tree on %s', (kind) => {
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await startTestApp(kind);
  });
  afterEach(async () => {
    await testApp.close();
  });

  const roles = () =>
    testApp.dataSource.query<RoleRow[]>('SELECT id, name, parent_id, path FROM roles ORDER BY path');
  const role = async (name: string) => (await roles()).find((row) => row.name === name)!;
  const userRole = async (username: string) =>
    Number(
      (
        await testApp.dataSource.query<{ role_id: number }[]>(
          'SELECT role_id FROM users WHERE username = ?',
          [username],
        )
      )[0].role_id,
    );

  async function createUser(
    agent: Awaited<ReturnType<typeof loginAgent>>,
    username: string,
    roleId?: number,
  ) {
    const fields: Record<string, string> = {
      fullName: username,
      username,
      email: '',
      password: 'long-enough-password',
      locale: 'en',
      isActive: 'on',
    };
    if (roleId !== undefined) fields.roleId = String(roleId);
    return postForm(agent, '/admin/users/new', '/admin/users', fields);
  }

  it('starts with Organisation, Sales Manager and Salesperson', async () => {
    const rows = await roles();

    expect(rows.map((row) => row.name)).toEqual(['Organisation', 'Sales Manager', 'Salesperson']);
    expect(rows[1].parent_id).toBe(rows[0].id);
    expect(rows[2].parent_id).toBe(rows[1].id);
    expect(await userRole('admin')).toBe(rows[0].id);
  });

  it('adds, renames and moves a role with its subordinates', async () => {
    const agent = await loginAgent(testApp.app);
    const organisation = await role('Organisation');
    const manager = await role('Sales Manager');

    expect(
      (
        await postForm(agent, '/admin/roles', '/admin/roles', {
          name: 'Regional Director',
          parentId: String(organisation.id),
        })
      ).status,
    ).toBe(303);
    const director = await role('Regional Director');
    await postForm(agent, '/admin/roles', `/admin/roles/${manager.id}`, {
      name: 'Area Manager',
      assignScope: 'role_and_below',
    });
    const moved = await postForm(agent, '/admin/roles', `/admin/roles/${manager.id}/move`, {
      parentId: String(director.id),
    });

    expect(moved.status).toBe(303);
    const salesperson = await role('Salesperson');
    expect((await role('Area Manager')).path).toBe(`${director.path}${manager.id}/`);
    expect(salesperson.path).toBe(`${director.path}${manager.id}/${salesperson.id}/`);
  });

  it('refuses to move a role under its own subordinate', async () => {
    const agent = await loginAgent(testApp.app);
    const manager = await role('Sales Manager');
    const salesperson = await role('Salesperson');

    const response = await postForm(agent, '/admin/roles', `/admin/roles/${manager.id}/move`, {
      parentId: String(salesperson.id),
    });

    expect(response.status).toBe(422);
    expect(response.text).toContain('cannot go under itself');
    expect((await role('Sales Manager')).path).toBe(manager.path);
  });

  it('deletes a role in use only after choosing where its users and roles go', async () => {
    const agent = await loginAgent(testApp.app);
    const organisation = await role('Organisation');
    const manager = await role('Sales Manager');
    const salesperson = await role('Salesperson');
    await createUser(agent, 'marco', manager.id);

    const refused = await postForm(agent, '/admin/roles', `/admin/roles/${manager.id}/delete`, {
      transferToId: '',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('still has users (1) or roles below it (1)');
    expect(await role('Sales Manager')).toBeDefined();

    const deleted = await postForm(agent, '/admin/roles', `/admin/roles/${manager.id}/delete`, {
      transferToId: String(organisation.id),
    });
    expect(deleted.status).toBe(303);
    expect(await role('Sales Manager')).toBeUndefined();
    expect(await userRole('marco')).toBe(organisation.id);
    expect((await role('Salesperson')).path).toBe(`${organisation.path}${salesperson.id}/`);
  });

  it('keeps the top role fixed', async () => {
    const agent = await loginAgent(testApp.app);
    const organisation = await role('Organisation');

    const response = await postForm(agent, '/admin/roles', `/admin/roles/${organisation.id}/delete`, {
      transferToId: '',
    });

    expect(response.status).toBe(422);
    expect(await role('Organisation')).toBeDefined();
  });

  it('gives a new user the chosen role and requires one', async () => {
    const agent = await loginAgent(testApp.app);
    const manager = await role('Sales Manager');

    expect((await createUser(agent, 'giulia', manager.id)).status).toBe(303);
    const missing = await postForm(agent, '/admin/users/new', '/admin/users', {
      fullName: 'Nobody',
      username: 'nobody',
      password: 'long-enough-password',
      roleId: '',
    });

    expect(await userRole('giulia')).toBe(manager.id);
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('id="error-roleId"');
  });

  it('shows the role pages to administrators only', async () => {
    const admin = await loginAgent(testApp.app);
    await createUser(admin, 'sara', (await role('Salesperson')).id);
    const salesperson = await loginAgent(testApp.app, 'sara', 'long-enough-password');

    expect((await admin.get('/admin/roles')).status).toBe(200);
    expect((await salesperson.get('/admin/roles')).status).toBe(403);
    const attempt = await postForm(salesperson, '/potentials', '/admin/roles', {
      name: 'Sneaky',
      parentId: '1',
    });
    expect(attempt.status).toBe(403);
    expect(await role('Sneaky')).toBeUndefined();
  });
});
