import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { LoginRequiredException } from '../auth/guards.js';
import { RecordLockedException } from '../records/record-lock.js';
import { CsrfTokenException } from './upload-csrf.js';

/** Shows every error as a page: 404 and 403 in the user's words, and a 500 with the request id that is in the log. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;

    if (exception instanceof LoginRequiredException) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.originalUrl)}` : '';
      response.redirect(303, `/login${next}`);
      return;
    }

    if (exception instanceof CsrfTokenException) {
      renderErrorPage(response, exception.getStatus(), 'csrf');
      return;
    }

    if (exception instanceof RecordLockedException) {
      response.status(exception.getStatus()).render('errors/error', {
        title: 'errors.page.409.title',
        messageKey: exception.messageKey,
        status: exception.getStatus(),
        backHref: `/${exception.moduleName}/${exception.recordId}`,
      });
      return;
    }

    const status =
      exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (status >= 500) {
      this.logger.error(
        `Request ${String(response.locals.requestId)} ${request.method} ${request.path} failed: ${
          exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)
        }`,
      );
    }
    renderErrorPage(response, status);
  }
}

/**
 * Renders the error page for a status. Known statuses have their own message in the catalogue, and
 * `reason` picks a more specific one (`csrf` when the form's token was missing or expired).
 */
export function renderErrorPage(response: Response, status: number, reason?: 'csrf'): void {
  let known = 400;
  if ([400, 403, 404, 413].includes(status)) known = status;
  else if (status >= 500) known = 500;
  const page = reason ? `${known}.${reason}` : String(known);
  response.status(status).render('errors/error', {
    title: `errors.page.${page}.title`,
    messageKey: `errors.page.${page}.message`,
    status,
  });
}
