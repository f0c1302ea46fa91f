import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { AdminArea } from '../profiles/profile.entity.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Thrown for a request without a session; the exception filter sends the browser to the login page. */
export class LoginRequiredException extends Error {}

/** Lets a request through only with a logged-in user, unless the route is marked public. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<Request>();
    if (request.user) return true;
    throw new LoginRequiredException();
  }
}

const ADMIN_AREA = 'affari:adminArea';

/**
 * Lets a request through only for a user who may use the administration area that `@RequiresAdminArea`
 * names on the route or its controller: an administrator, or a user whose role has a profile granting it.
 * Anyone else gets the 403 page, for a GET as for a POST, before the route runs.
 */
@Injectable()
export class AdminAreaGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly permissions: PermissionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const area = this.reflector.getAllAndOverride<AdminArea | undefined>(ADMIN_AREA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const user = context.switchToHttp().getRequest<Request>().user as CurrentUser | undefined;
    if (area && user && (await this.permissions.mayAdminister(user, area))) return true;
    throw new ForbiddenException();
  }
}

/** Limits a controller or a route to the users who may use the administration area (`users` or `layout`). */
export const RequiresAdminArea = (area: AdminArea) =>
  applyDecorators(SetMetadata(ADMIN_AREA, area), UseGuards(AdminAreaGuard));

/**
 * Lets a request through only for a user with the administrator flag. Pages whose changes cut across the
 * role tree (groups) use it, because the bounds of a delegated user administrator follow the tree.
 */
@Injectable()
export class AdministratorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<Request>().user as CurrentUser | undefined;
    if (user?.isAdmin) return true;
    throw new ForbiddenException();
  }
}
