import { Locale } from '../records/values.js';

/** The logged-in user as every service sees it; kept small because it lives in the session. */
export interface CurrentUser {
  id: number;
  username: string;
  fullName: string;
  isAdmin: boolean;
  locale: Locale;
  /** Absent for system work such as scripts, which act with the administrator's rights. */
  roleId?: number | null;
  /** The role's path in the tree (`/1/2/`); the roles below it are those whose path starts with it. */
  rolePath?: string | null;
  /** Whom the role lets this user assign records to; absent means anyone. */
  assignScope?: 'all' | 'role_and_below' | 'below';
}
