import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { ACTIVE_QUOTE_STAGES } from '../../src/events/quote-totals-changed.event.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';

/** A quote as the potential's page names it: its number and subject, and its page. */
export interface QuoteName {
  label: string;
  href?: string;
}

/**
 * Reads the quotes of a potential for its detail page through the record engine, so that the page names
 * only quotes the user may see.
 */
@Injectable()
export class PotentialQuotes {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
  ) {}

  /** Returns the id of the quote that set the potential's amount, or null when a user set it last. */
  async decidingQuoteId(potentialId: number): Promise<number | null> {
    const [row] = await this.dataSource.query<{ amount_quote_id: string | number | null }[]>(
      'SELECT amount_quote_id FROM potentials WHERE id = ?',
      [potentialId],
    );
    return !row || row.amount_quote_id === null ? null : Number(row.amount_quote_id);
  }

  /** Lists the active quotes linked to the potential that the user may see, newest first. */
  async activeQuotes(user: CurrentUser, potentialId: number): Promise<QuoteName[]> {
    const { records } = await this.records.list('quotes', user, {
      filters: { potential_id: String(potentialId), quote_stage: [...ACTIVE_QUOTE_STAGES] },
      sort: 'updated_at',
      direction: 'desc',
      pageSize: 50,
    });
    return records.map((quote) => ({ label: quoteLabel(quote), href: `/quotes/${quote.id}` }));
  }

  /** Reads a quote the user may see, or returns null when it is out of their reach or gone. */
  async visibleQuote(user: CurrentUser, id: number): Promise<StoredRecord | null> {
    try {
      return await this.records.findVisible('quotes', user, id);
    } catch (error) {
      if (error instanceof NotFoundException || error instanceof ForbiddenException) return null;
      throw error;
    }
  }
}

/** Returns a quote's number, or its id when it has none. */
export function quoteNumber(quote: StoredRecord): string {
  return String(quote.values.quote_no ?? `#${quote.id}`);
}

/** Returns a quote's number and subject, such as "QUO2 Two printers". */
export function quoteLabel(quote: StoredRecord): string {
  return `${quoteNumber(quote)} ${String(quote.values.subject ?? '')}`.trim();
}
