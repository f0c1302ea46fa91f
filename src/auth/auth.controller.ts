import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PASSPORT, type PassportInstance } from './passport.provider.js';
import type { CurrentUser } from '../access/current-user.js';
import { Public } from './public.decorator.js';

/** A path of this app to return to after login; anything else (another origin, `//host`) gives the home page. */
export function safeReturnPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return '/';
  if (/[\r\n]/.test(next) || next.startsWith('/login') || next.startsWith('/logout')) return '/';
  return next;
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

function authenticate(
  passport: PassportInstance,
  request: Request,
  response: Response,
): Promise<CurrentUser | false> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (error?: unknown) => (error ? reject(toError(error)) : resolve(false));
    const handler = passport.authenticate('local', (error: unknown, user: CurrentUser | false) => {
      if (error) reject(toError(error));
      else resolve(user);
    }) as (req: Request, res: Response, next: NextFunction) => void;
    handler(request, response, next);
  });
}

function logIn(request: Request, user: CurrentUser): Promise<void> {
  // Passport 0.7 regenerates the session here, so the session id changes at login.
  return new Promise((resolve, reject) =>
    request.logIn(user, (error) => (error ? reject(error as Error) : resolve())),
  );
}

@Controller()
export class AuthController {
  constructor(@Inject(PASSPORT) private readonly passport: PassportInstance) {}

  @Public()
  @Get('login')
  showLogin(@Req() request: Request, @Res() response: Response, @Query('next') next?: string): void {
    if (request.user) return response.redirect(safeReturnPath(next));
    // The CSRF token is bound to the session, so the login page must start one.
    (request.session as unknown as Record<string, unknown>).visitedLogin = true;
    response.render('auth/login', { title: 'auth.title', next: safeReturnPath(next), bare: true });
  }

  @Public()
  @Post('login')
  async login(
    @Req() request: Request,
    @Res() response: Response,
    @Body() body: { username?: string; next?: string },
  ): Promise<void> {
    const user = await authenticate(this.passport, request, response);
    if (!user) {
      response.status(401).render('auth/login', {
        title: 'auth.title',
        next: safeReturnPath(body.next),
        username: body.username ?? '',
        failed: true,
        bare: true,
      });
      return;
    }
    await logIn(request, user);
    response.redirect(303, safeReturnPath(body.next));
  }

  @Post('logout')
  logout(@Req() request: Request, @Res() response: Response): void {
    request.logOut((error) => {
      if (error) throw error;
      request.session.destroy(() => response.redirect(303, '/login'));
    });
  }
}
