/** A link of the administration menu, with the catalogue key of its label. */
export interface AdminMenuLink {
  path: string;
  label: string;
  active: boolean;
}

/** The administration areas a user may open, as the route guards decide them. */
export interface AdminAreas {
  users: boolean;
  layout: boolean;
  isAdministrator: boolean;
}

/**
 * Lists the administration links the user may open, in menu order, and marks the one of the current page.
 * Users, roles, sharing and profiles belong to user administration, which a delegated administrator may
 * have too. Groups, taxes, company settings and the recycle bin of every user are for administrators only.
 * Other users open their own recycle bin from the link beside their name.
 */
export function adminMenuLinks(currentPath: string, areas: AdminAreas): AdminMenuLink[] {
  const links: { path: string; label: string; allowed: boolean }[] = [
    { path: '/admin/users', label: 'users.title', allowed: areas.users },
    { path: '/admin/roles', label: 'roles.title', allowed: areas.users },
    { path: '/admin/groups', label: 'groups.title', allowed: areas.users && areas.isAdministrator },
    { path: '/admin/sharing', label: 'sharing.title', allowed: areas.users },
    { path: '/admin/profiles', label: 'profiles.title', allowed: areas.users },
    { path: '/admin/taxes', label: 'taxes.title', allowed: areas.isAdministrator },
    { path: '/admin/company', label: 'company.title', allowed: areas.isAdministrator },
    { path: '/admin/layout', label: 'nav.layout', allowed: areas.layout },
    { path: '/recycle-bin', label: 'recycleBin.title', allowed: areas.isAdministrator },
  ];
  return links
    .filter((link) => link.allowed)
    .map(({ path, label }) => ({
      path,
      label,
      active: currentPath === path || currentPath.startsWith(`${path}/`),
    }));
}
