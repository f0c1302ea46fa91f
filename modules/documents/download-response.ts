import type { Response } from 'express';
import type { DocumentDownload } from './documents.service.js';
import { downloadType } from './download-headers.js';

/**
 * Sends a stored file as an attachment under its original name. Express writes the name as RFC 6266
 * `filename` and, for names beyond ASCII, RFC 5987 `filename*`. nosniff keeps browsers to the type sent, and
 * the sandbox policy keeps a file opened anyway from running scripts in this origin.
 */
export function sendDownload(response: Response, download: DocumentDownload): void {
  response.attachment(download.originalName);
  response.setHeader('Content-Type', downloadType(download.contentType));
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  response.setHeader('Cache-Control', 'private, no-store');
  response.sendFile(download.path, { dotfiles: 'deny' });
}
