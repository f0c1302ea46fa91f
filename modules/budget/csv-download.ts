import type { Response } from 'express';

/** Sends a CSV file as a download with the name given, never to be shown inline. */
export function sendCsvDownload(response: Response, fileName: string, text: string): void {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // The byte-order mark makes spreadsheets read the file as UTF-8, so accented letters survive.
  response.send(`\uFEFF${text}`);
}
