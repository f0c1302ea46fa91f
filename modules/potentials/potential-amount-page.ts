import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDateTime, formatMoney, Locale } from '../../src/records/values.js';
import { PotentialQuotes, QuoteName, quoteNumber } from './potential-quotes.js';

/** A column as the drivers return it: numbers as strings on MariaDB, as numbers on SQLite. */
type NumberColumn = string | number | null;

interface ChangeRow {
  changed_at: string;
  old_cents: NumberColumn;
  new_cents: NumberColumn;
  cause: 'user' | 'quote';
  quote_id: NumberColumn;
  user_name: string | null;
}

const CHART = { width: 600, height: 160, margin: 12 } as const;

/**
 * Builds the amount section of a potential's detail page: which quote sets the amount, a warning when more
 * than one active quote is linked, the history of the amount newest first, and a line chart of it.
 */
@Injectable()
export class PotentialAmountPage {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly quotes: PotentialQuotes,
  ) {}

  async section(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<{ partial: string; model: Record<string, unknown> }> {
    const locale = user.locale;
    const mayViewQuotes = permissions.can('quotes', 'view');
    const names = new Map<number, QuoteName>();
    const nameOf = async (id: number): Promise<QuoteName> => {
      const known = names.get(id);
      if (known) return known;
      const name = mayViewQuotes ? await this.quoteName(user, id) : null;
      const result = name ?? { label: translate(locale, 'potentials.amount.hiddenQuote') };
      names.set(id, result);
      return result;
    };

    const rows = await this.dataSource.query<ChangeRow[]>(
      `SELECT c.changed_at, c.old_cents, c.new_cents, c.cause, c.quote_id, u.full_name AS user_name
         FROM potential_amount_changes c LEFT JOIN users u ON u.id = c.user_id
        WHERE c.potential_id = ? ORDER BY c.changed_at DESC, c.id DESC`,
      [record.id],
    );
    const money = (cents: NumberColumn) =>
      cents === null
        ? translate(locale, 'potentials.amount.empty')
        : formatMoney(centsToMoney(cents), locale);
    const changes = [];
    for (const row of rows) {
      changes.push({
        date: formatDateTime(row.changed_at, locale),
        oldAmount: money(row.old_cents),
        newAmount: money(row.new_cents),
        quote:
          row.cause === 'quote' && row.quote_id !== null ? await nameOf(Number(row.quote_id)) : undefined,
        userName: row.user_name ?? translate(locale, 'potentials.amount.unknownUser'),
      });
    }

    return {
      partial: 'potentials-amount-history',
      model: {
        deciding: await this.decidingQuote(user, record, mayViewQuotes),
        activeQuotes: mayViewQuotes ? await this.quotes.activeQuotes(user, record.id) : [],
        changes,
        chart: chartOf(rows, locale),
      },
    };
  }

  /** Returns the quote that set the amount, for its sentence, or undefined when a user set it last. */
  private async decidingQuote(
    user: CurrentUser,
    record: StoredRecord,
    mayViewQuotes: boolean,
  ): Promise<{ quote?: QuoteName; savedAt?: string } | undefined> {
    const quoteId = await this.quotes.decidingQuoteId(record.id);
    if (quoteId === null) return undefined;
    const quote = mayViewQuotes ? await this.quotes.visibleQuote(user, quoteId) : null;
    if (!quote) return {};
    const savedAt = quote.values.updated_at;
    return {
      quote: { label: quoteNumber(quote), href: `/quotes/${quote.id}` },
      savedAt: typeof savedAt === 'string' ? formatDateTime(savedAt, user.locale) : undefined,
    };
  }

  private async quoteName(user: CurrentUser, id: number): Promise<QuoteName | null> {
    const quote = await this.quotes.visibleQuote(user, id);
    return quote ? { label: quoteNumber(quote), href: `/quotes/${id}` } : null;
  }
}

/**
 * Draws the amount over time as the points of an SVG polyline, oldest first, evenly spaced, and writes the
 * same figures as text for the chart's label. An empty amount counts as 0. Undefined with fewer than two
 * amounts, where a line shows nothing.
 */
function chartOf(
  rowsNewestFirst: ChangeRow[],
  locale: Locale,
):
  | { width: number; height: number; points: string; dots: { x: number; y: number }[]; label: string }
  | undefined {
  const rows = [...rowsNewestFirst].reverse();
  const amounts = [
    ...(rows.length > 0 && rows[0].old_cents !== null
      ? [{ cents: Number(rows[0].old_cents), date: '' }]
      : []),
    ...rows.map((row) => ({
      cents: Number(row.new_cents ?? 0),
      date: formatDateTime(row.changed_at, locale),
    })),
  ];
  if (amounts.length < 2) return undefined;

  const { width, height, margin } = CHART;
  const highest = Math.max(...amounts.map((amount) => amount.cents), 1);
  const dots = amounts.map((amount, index) => ({
    x: Math.round(margin + (index * (width - 2 * margin)) / (amounts.length - 1)),
    y: Math.round(height - margin - (amount.cents * (height - 2 * margin)) / highest),
  }));
  const figures = amounts
    .map((amount) => {
      const text = formatMoney(centsToMoney(amount.cents), locale);
      return amount.date === '' ? text : `${amount.date}: ${text}`;
    })
    .join('; ');
  return {
    width,
    height,
    points: dots.map((dot) => `${dot.x},${dot.y}`).join(' '),
    dots,
    label: translate(locale, 'potentials.amount.chartLabel', { figures }),
  };
}
