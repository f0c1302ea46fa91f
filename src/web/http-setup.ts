import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { TypeormStore } from 'connect-typeorm';
import { doubleCsrf } from 'csrf-csrf';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration.js';
import { CurrentUser } from '../access/current-user.js';
import { AppSetting, SessionRow } from '../database/core.entities.js';
import { PROJECT_ROOT } from '../paths.js';
import { PermissionsService, UserPermissions } from '../access/permissions.service.js';
import { BusinessModule } from '../records/business-module.js';
import { BUSINESS_MODULES, ModuleRegistry } from '../records/module-registry.js';
import { LayoutService } from '../layout/layout.service.js';
import { PASSPORT, PassportInstance } from '../auth/passport.provider.js';
import { renderErrorPage } from './http-exception.filter.js';
import { takeFlash } from './flash.js';
import { postponeCsrfCheck } from './upload-csrf.js';
import { adminMenuLinks } from './menu.js';
import { toLocale, translate } from '../i18n/i18n.service.js';

const SESSION_COOKIE = 'affari.sid';
const CSRF_COOKIE = 'affari.csrf';
const SESSION_TTL_SECONDS = 8 * 60 * 60;
/** The methods that change nothing, which csrf-csrf does not check by default. */
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Returns SESSION_SECRET, or the secret kept in the database, generating it on the very first start. */
async function sessionSecret(config: AppConfig, dataSource: DataSource): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;

  const settings = dataSource.getRepository(AppSetting);
  const stored = await settings.findOneBy({ name: 'session_secret' });
  if (stored) return stored.value;

  try {
    await settings.insert({ name: 'session_secret', value: randomBytes(32).toString('hex') });
  } catch {
    // Another instance starting at the same moment inserted it first; its secret is read below.
  }
  return (await settings.findOneByOrFail({ name: 'session_secret' })).value;
}

/**
 * Installs the Express middleware in the order it must run: request id, security headers, static
 * files, body parsing, session, Passport, CSRF check, then the values every page needs.
 */
export async function configureHttp(
  app: NestExpressApplication,
  config: AppConfig,
  dataSource: DataSource,
): Promise<void> {
  const secret = await sessionSecret(config, dataSource);
  const registry = app.get(ModuleRegistry);
  const layouts = app.get(LayoutService);
  const permissionsService = app.get(PermissionsService);
  const passport = app.get<PassportInstance>(PASSPORT);
  const menuLinks = app
    .get<BusinessModule[]>(BUSINESS_MODULES)
    .flatMap((module) => (module.menuLink ? [module.menuLink] : []));

  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');
  app.use((request: Request, response: Response, next: NextFunction) => {
    response.locals.requestId = randomUUID().slice(0, 8);
    response.setHeader('X-Request-Id', response.locals.requestId as string);
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(
    '/vendor/bootstrap',
    express.static(join(PROJECT_ROOT, 'node_modules', 'bootstrap', 'dist'), { maxAge: '1d' }),
  );
  app.use('/assets', express.static(join(PROJECT_ROOT, 'public'), { maxAge: '1h' }));
  app.use(cookieParser());
  app.use(express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 2000 }));

  const store = new TypeormStore({
    cleanupLimit: 2,
    limitSubquery: false,
    ttl: SESSION_TTL_SECONDS,
    // Without this handler the store stops serving sessions after one database error.
    onError: (_store, error) => console.error(`Session store error: ${error.message}`),
  }).connect(dataSource.getRepository(SessionRow));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        maxAge: SESSION_TTL_SECONDS * 1000,
      },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  const { doubleCsrfProtection, generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (request) => request.session.id,
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', secure: config.secureCookies, httpOnly: true, path: '/' },
    // Never from the URL, where a token would stay in the address bar, the history and the logs.
    getCsrfTokenFromRequest: (request) =>
      ((request.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ??
      request.headers['x-csrf-token'],
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    // Multer reads a multipart body only in the upload route, so `runUpload` checks the token of its body.
    if (
      !SAFE_METHODS.includes(request.method) &&
      request.is('multipart/form-data') &&
      !request.headers['x-csrf-token']
    ) {
      postponeCsrfCheck(request, () => validateRequest(request));
      return next();
    }
    doubleCsrfProtection(request, response, (error?: unknown) => {
      if (error) return renderErrorPage(response, 403, 'csrf');
      next();
    });
  });

  // Another instance may have changed a layout: one query compares the version stamp before the page reads the registry.
  app.use((request: Request, response: Response, next: NextFunction) => {
    layouts.refreshIfChanged().then(() => next(), next);
  });

  app.use((request: Request, response: Response, next: NextFunction) => {
    const user = request.user as CurrentUser | undefined;
    // The permissions stay cached on the request's user, so the page's own check queries nothing more.
    const loading = user ? permissionsService.forUser(user) : Promise.resolve(UserPermissions.unrestricted());
    const setLocals = async (permissions: UserPermissions) => {
      response.locals.user = user;
      response.locals.locale = user?.locale ?? 'en';
      response.locals.csrfToken = generateCsrfToken(request, response);
      const flash = request.method === 'GET' ? takeFlash(request) : undefined;
      if (flash) response.locals.flash = translate(toLocale(response.locals.locale), flash.key, flash.params);
      // The menu offers only the modules the user's profiles let them view.
      response.locals.navModules = registry
        .all()
        .filter((manifest) => permissions.can(manifest.name, 'view'))
        .map((manifest) => ({
          name: manifest.name,
          label: manifest.label,
          active: request.path === `/${manifest.name}` || request.path.startsWith(`/${manifest.name}/`),
        }));
      // Modules of pages only decide on their pages what each user may see there, so every user gets their links.
      response.locals.menuLinks = menuLinks.map((link) => ({
        ...link,
        active: request.path === link.path || request.path.startsWith(`${link.path}/`),
      }));
      response.locals.canViewPipeline = permissions.can('potentials', 'view');
      response.locals.currentPath = request.path;
      // The administration links appear only for the areas that the route guards would let the user open.
      const adminLinks = adminMenuLinks(request.path, {
        users: user ? await permissionsService.mayAdminister(user, 'users') : false,
        layout: user ? await permissionsService.mayAdminister(user, 'layout') : false,
        isAdministrator: user?.isAdmin === true,
      });
      response.locals.adminLinks = adminLinks;
      response.locals.adminActive = adminLinks.some((link) => link.active);
    };
    loading.then(setLocals).then(() => next(), next);
  });
}
