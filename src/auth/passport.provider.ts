import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { CurrentUser } from '../access/current-user.js';
import { toCurrentUser, UsersService } from '../users/users.service.js';

/** Injection token of the application's own Passport instance. */
export const PASSPORT = Symbol('PASSPORT');

export type PassportInstance = InstanceType<typeof passport.Passport>;

/**
 * Builds a Passport instance for one application rather than using Passport's global one, so that two
 * instances of the app in one process (as in the tests) each use their own database.
 */
export function createPassport(users: UsersService): PassportInstance {
  const instance = new passport.Passport();

  instance.use(
    new LocalStrategy((username, password, done) => {
      users.authenticate(username, password).then(
        (user) => done(null, user ? toCurrentUser(user) : false),
        (error: Error) => done(error),
      );
    }),
  );
  // Only the id is kept in the session; the user is reloaded on each request, so deactivation acts at once.
  instance.serializeUser((user, done) => done(null, (user as CurrentUser).id));
  instance.deserializeUser((id: number, done) => {
    users.findById(Number(id)).then(
      (user) => done(null, user?.isActive ? toCurrentUser(user) : false),
      (error: Error) => done(error),
    );
  });
  return instance;
}

export const passportProvider = { provide: PASSPORT, useFactory: createPassport, inject: [UsersService] };
