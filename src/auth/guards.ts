import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { CurrentUser } from '../access/current-user.js';
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

/** Lets only administrators through. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<Request>().user as CurrentUser | undefined;
    if (user?.isAdmin) return true;
    throw new ForbiddenException();
  }
}
