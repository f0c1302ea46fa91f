import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { formatDateTime } from '../../src/records/values.js';
import type { DocumentVersionRow } from './document-version.entity.js';

/** Builds the model of a document's versions section, newest first, each with its download link. */
export function versionsModel(user: CurrentUser, documentId: number, versions: DocumentVersionRow[]) {
  return {
    heading: translate(user.locale, 'documents.version.heading'),
    versions: versions.map((row, index) => ({
      version: row.version,
      current: index === 0,
      name: row.originalName,
      size: formatSize(user, Number(row.size)),
      type: row.contentType,
      uploadedAt: formatDateTime(row.uploadedAt, user.locale),
      href: `/documents/${documentId}/versions/${row.version}/download`,
    })),
  };
}

/** Formats a size in bytes as B, KB or MB (1 KB = 1,024 bytes), with the locale's decimal separator. */
export function formatSize(user: CurrentUser, bytes: number): string {
  const locale = user.locale === 'it' ? 'it-IT' : 'en-US';
  if (bytes < 1024) return translate(user.locale, 'documents.size.bytes', { count: bytes });
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'kb'] : [bytes / 1024 / 1024, 'mb'];
  const number = value.toLocaleString(locale, { maximumFractionDigits: 1 });
  return translate(user.locale, `documents.size.${unit}`, { number });
}
