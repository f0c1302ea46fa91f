import { adminMenuLinks } from './menu.js';

describe('administration menu', () => {
  it('lists every area for an administrator', () => {
    const links = adminMenuLinks('/potentials', { users: true, layout: true, isAdministrator: true });

    expect(links.map((link) => link.path)).toEqual([
      '/admin/users',
      '/admin/roles',
      '/admin/groups',
      '/admin/sharing',
      '/admin/profiles',
      '/admin/taxes',
      '/admin/company',
      '/admin/layout',
      '/recycle-bin',
    ]);
    expect(links.some((link) => link.active)).toBe(false);
  });

  it('lists user administration only for a delegated administrator', () => {
    const links = adminMenuLinks('/admin/roles/4', { users: true, layout: false, isAdministrator: false });

    expect(links.map((link) => link.path)).toEqual([
      '/admin/users',
      '/admin/roles',
      '/admin/sharing',
      '/admin/profiles',
    ]);
    expect(links.filter((link) => link.active).map((link) => link.path)).toEqual(['/admin/roles']);
  });

  it('lists nothing for a user without administration', () => {
    expect(adminMenuLinks('/admin/users', { users: false, layout: false, isAdministrator: false })).toEqual(
      [],
    );
  });
});
