import type { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { TransactionalEvent } from './event-bus.js';

/**
 * A quote's lines and totals were written: by its form, on create and on every edit, or by a mass edit or an
 * import that priced its stored lines again. The quotes module emits it inside the save's transaction, after
 * the totals are stored, so a handler's error rolls the whole quote save back.
 */
export class QuoteTotalsChangedEvent implements TransactionalEvent {
  static readonly eventName = 'quote.totals-changed';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly quote: {
      id: number;
      /** The record number, such as QUO3. */
      number: string;
      subject: string;
      /** The linked potential, or null. */
      potentialId: number | null;
      /** The stored value of the quote stage picklist, such as Created. */
      stage: string;
      grandTotal: Decimal;
    },
    /** When the totals were written, in UTC as utcNow() gives it. */
    readonly savedAt: string,
  ) {}
}

/** The quote stages in which a quote is still being offered, so that its total sets its potential's amount. */
export const ACTIVE_QUOTE_STAGES: readonly string[] = ['Created', 'Delivered'];

/**
 * A quote stopped being an active quote of a potential: it was linked to another potential or none, or left
 * the active stages. The quotes module emits it inside the save's transaction with the potential's most
 * recently saved remaining active quote, if any, so that the potential can follow that one instead.
 */
export class QuoteReleasedEvent implements TransactionalEvent {
  static readonly eventName = 'quote.released';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly quoteId: number,
    readonly potentialId: number,
    /** The potential's active quote saved last after this one left, or null when none is left. */
    readonly replacement: QuoteTotalsChangedEvent['quote'] | null,
    readonly savedAt: string,
  ) {}
}
