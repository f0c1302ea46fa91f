import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

/**
 * The CSRF check of a multipart request, postponed until Multer has read the form's fields. The global
 * CSRF middleware cannot read a token from a multipart body, so upload forms send it there as `_csrf`.
 */
const postponedChecks = new WeakMap<Request, () => boolean>();

const UPLOAD_ROUTE = 'affari:csrf-token-in-upload-body';

/** A request whose CSRF token is missing, invalid or expired. Its error page asks the user to reload the form. */
export class CsrfTokenException extends ForbiddenException {}

/** Postpones the CSRF check of a multipart request until `runUpload` has read its body. */
export function postponeCsrfCheck(request: Request, check: () => boolean): void {
  postponedChecks.set(request, check);
}

/**
 * Runs the postponed CSRF check of a request once Multer has read its fields. Returns true when the request
 * had no postponed check, because the middleware then already checked its token.
 */
export function passesPostponedCsrfCheck(request: Request): boolean {
  const check = postponedChecks.get(request);
  if (!check) return true;
  postponedChecks.delete(request);
  return check();
}

/**
 * Marks a route handler that reads a multipart form through `runUpload`, which checks the CSRF token of the
 * form's body. Any other route gets 403 for a multipart request without the `x-csrf-token` header.
 */
export const CsrfTokenInUploadBody = () => SetMetadata(UPLOAD_ROUTE, true);

/**
 * Rejects a multipart request whose CSRF check was postponed when its route does not read an upload. Such
 * a route never parses the body, so nothing would check the token at all.
 */
@Injectable()
export class PostponedCsrfGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!postponedChecks.has(request)) return true;
    if (this.reflector.get<boolean | undefined>(UPLOAD_ROUTE, context.getHandler())) return true;
    throw new CsrfTokenException();
  }
}
