import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { buildQuoteDocument, QuoteDocument, visibleTotals } from './quote-document.js';
import { QuoteLinesService } from './quote-lines.service.js';

/**
 * Builds a quote's lines, totals and tax summary for its pages. The detail page and the print page both
 * take them from here, so that they show the same figures.
 */
@Injectable()
export class QuoteDetailPage {
  constructor(
    private readonly lines: QuoteLinesService,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Builds the lines and totals of a stored quote as the user may see them. */
  async document(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<QuoteDocument> {
    const snapshot = await this.lines.storedSnapshot(record.id);
    const visible = visibleTotals(permissions, this.registry.fields('quotes'));
    return buildQuoteDocument(record, snapshot, visible, user.locale);
  }

  /** Builds the product lines section of the detail page, with the totals and tax summary under it. */
  async section(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<{ partial: string; model: Record<string, unknown> }> {
    const document = await this.document(user, record, permissions);
    // A profile without Products would meet a 403 behind the link, so it reads the name alone.
    const mayViewProducts = permissions.can('products', 'view');
    return {
      partial: 'quotes-lines',
      model: {
        ...document,
        lines: document.lines.map((line) => ({
          ...line,
          productHref:
            line.productId === null || !mayViewProducts ? undefined : `/products/${line.productId}`,
        })),
      },
    };
  }
}
