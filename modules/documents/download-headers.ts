import { basename } from 'node:path';

/**
 * Content types sent as stored. Browsers show none of them as a page that runs scripts in this app's
 * origin. Every other type (HTML, SVG, XML, JavaScript, executables, unknown ones) is sent as
 * application/octet-stream, because the type a browser sends is chosen by the uploader.
 */
const SAFE_TYPES = new Set([
  'application/pdf',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
]);

export const OCTET_STREAM = 'application/octet-stream';

/** Returns the Content-Type a download is sent with: the stored type when it is a safe one, else octet-stream. */
export function downloadType(storedType: string): string {
  const type = storedType.split(';')[0].trim().toLowerCase();
  return SAFE_TYPES.has(type) ? type : OCTET_STREAM;
}

/**
 * Returns the name of an uploaded file as it is kept and sent back: without the folders a browser may send
 * (with / or \), without control characters, at most 255 characters, and "file" when nothing is left.
 */
export function cleanFileName(name: string): string {
  const withoutFolders = basename(name.replace(/\\/g, '/'));
  // eslint-disable-next-line no-control-regex
  const printable = withoutFolders.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  const fileName = printable === '.' || printable === '..' ? '' : printable;
  return fileName.slice(0, 255) || 'file';
}
