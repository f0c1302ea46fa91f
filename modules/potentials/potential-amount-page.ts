import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDate, formatDateTime, formatMoney, Locale } from '../../src/records/values.js';
import { PotentialQuotes, QuoteName, quoteNumber } from './potential-quotes.js';

/** A column as the drivers return it: numbers as strings on MariaDB, as numbers on SQLite. */
type NumberColumn = string | number | null;

export interface ChangeRow {
  changed_at: string;
  old_cents: NumberColumn;
  new_cents: NumberColumn;
  cause: 'user' | 'quote';
  quote_id: NumberColumn;
  user_name: string | null;
}

/**
 * The chart's size in SVG units. `dateSpace` is the room under the plot for the dates, and `characterWidth`
 * an estimate of one character of the 11-unit labels, which sizes the room left of the plot for the ticks.
 */
const CHART = { width: 600, height: 180, margin: 12, dateSpace: 24, characterWidth: 6.5 } as const;

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

/** One labelled mark of the chart: a tick of the value axis, or a date under the line. */
interface ChartLabel {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

/** An amount history chart: the SVG polyline and dots, the axes with their labels, and the text label. */
export interface AmountChart {
  width: number;
  height: number;
  points: string;
  dots: { x: number; y: number }[];
  /** The plot area, which the axes border on the left and at the bottom. */
  plot: { left: number; right: number; top: number; bottom: number };
  ticks: (ChartLabel & { lineY: number })[];
  dates: ChartLabel[];
  label: string;
}

/**
 * Draws the amount over time as the points of an SVG polyline, oldest first, evenly spaced, and writes the
 * same figures as text for the chart's label. The value axis has ticks at 0, half and all of a round top
 * value, and the first and last changes' dates are shown under the line. An empty amount counts as 0. Undefined
 * with fewer than two amounts, where a line shows nothing.
 */
export function chartOf(rowsNewestFirst: ChangeRow[], locale: Locale): AmountChart | undefined {
  const rows = [...rowsNewestFirst].reverse();
  const amounts = [
    ...(rows.length > 0 && rows[0].old_cents !== null
      ? [{ cents: Number(rows[0].old_cents), changedAt: '' }]
      : []),
    ...rows.map((row) => ({ cents: Number(row.new_cents ?? 0), changedAt: row.changed_at })),
  ];
  if (amounts.length < 2) return undefined;

  const { width, height, margin, dateSpace, characterWidth } = CHART;
  const top = roundTop(Math.max(...amounts.map((amount) => amount.cents), 1));
  const tickCents = [top, top / 2, 0];
  const tickTexts = tickCents.map((cents) => formatMoney(centsToMoney(cents), locale));
  const plot = {
    left: margin + Math.max(...tickTexts.map((text) => text.length)) * characterWidth,
    right: width - margin,
    top: margin,
    bottom: height - dateSpace,
  };
  const yOf = (cents: number) => Math.round(plot.bottom - (cents * (plot.bottom - plot.top)) / top);
  const dots = amounts.map((amount, index) => ({
    x: Math.round(plot.left + (index * (plot.right - plot.left)) / (amounts.length - 1)),
    y: yOf(amount.cents),
  }));

  return {
    width,
    height,
    points: dots.map((dot) => `${dot.x},${dot.y}`).join(' '),
    dots,
    plot,
    ticks: tickCents.map((cents, index) => ({
      x: plot.left - 6,
      // The text's middle sits on its tick line.
      y: yOf(cents) + 4,
      lineY: yOf(cents),
      text: tickTexts[index],
      anchor: 'end',
    })),
    dates: dateLabels(amounts, dots, height - 6, locale),
    label: translate(locale, 'potentials.amount.chartLabel', { figures: figuresOf(amounts, locale) }),
  };
}

/**
 * Returns the smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `cents`, so that the value
 * axis ends on a round figure above the highest amount.
 */
function roundTop(cents: number): number {
  const power = 10 ** Math.floor(Math.log10(cents));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= cents)!;
  return step * power;
}

/**
 * Labels the ends of the line with the dates of the first and the last change. An amount from before the
 * history began has no date, so the first label is then placed under the first change.
 */
function dateLabels(
  amounts: { changedAt: string }[],
  dots: { x: number }[],
  y: number,
  locale: Locale,
): ChartLabel[] {
  const dateOf = (index: number) => formatDate(amounts[index].changedAt.slice(0, 10), locale);
  const last = amounts.length - 1;
  const first = amounts[0].changedAt === '' ? 1 : 0;
  const end: ChartLabel = { x: dots[last].x, y, text: dateOf(last), anchor: 'end' };
  if (first === last) return [end];
  return [{ x: dots[first].x, y, text: dateOf(first), anchor: first === 0 ? 'start' : 'middle' }, end];
}

/** Writes every amount with its date and time, oldest first, for the chart's text label. */
function figuresOf(amounts: { cents: number; changedAt: string }[], locale: Locale): string {
  return amounts
    .map((amount) => {
      const text = formatMoney(centsToMoney(amount.cents), locale);
      return amount.changedAt === '' ? text : `${formatDateTime(amount.changedAt, locale)}: ${text}`;
    })
    .join('; ');
}
