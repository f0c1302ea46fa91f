import { Injectable, OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { EventBus } from '../../src/events/event-bus.js';
import {
  ACTIVE_QUOTE_STAGES,
  QuoteReleasedEvent,
  QuoteTotalsChangedEvent,
} from '../../src/events/quote-totals-changed.event.js';
import { RecordsSavedEvent } from '../../src/events/record-changes.event.js';
import type { FieldValue } from '../../src/records/field-codec.js';
import { moneyToCents, utcNow } from '../../src/records/values.js';
import { VERSION_COLUMN } from '../../src/records/manifest.js';
import { AmountChangeCause, PotentialAmountChangeEntity } from './potential-amount-change.entity.js';

/** A BIGINT or INTEGER column as the drivers return it: a string on MariaDB, a number on SQLite. */
type NumberColumn = string | number | null;

/**
 * Keeps a potential's amount in step with its active quote and records every change of the amount. Both
 * handlers write in the transaction of the save that emitted the event, so the save and its history commit
 * or roll back together.
 */
@Injectable()
export class PotentialAmountsService implements OnModuleInit {
  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.bus.on(QuoteTotalsChangedEvent, (event) => this.followQuote(event), {
      order: 10,
      owner: 'potentials',
    });
    this.bus.on(QuoteReleasedEvent, (event) => this.releaseQuote(event), {
      order: 10,
      owner: 'potentials',
    });
    // After the quotes module's handler, which prices quotes again; this one reads potentials only.
    this.bus.on(RecordsSavedEvent, (event) => this.recordUserChanges(event), {
      order: 20,
      owner: 'potentials',
    });
  }

  /**
   * Sets the amount of the quote's potential to the quote's grand total when the quote is active, and makes
   * the quote the one that decides the amount: the active quote saved last decides.
   *
   * The amount is written by a direct UPDATE, not by the record engine's save. A save would run the
   * potential's stage rules again (probability, effective close date). It would also emit records.saved as
   * if the user had changed the amount, so the change would be recorded twice and the deciding quote cleared.
   */
  async followQuote(event: QuoteTotalsChangedEvent): Promise<void> {
    const { quote, manager } = event;
    if (quote.potentialId === null || !ACTIVE_QUOTE_STAGES.includes(quote.stage)) return;

    const potential = await manager
      .createQueryBuilder()
      .select(['amount_cents', 'amount_quote_id'])
      .from('potentials', 'p')
      .where('p.id = :id', { id: quote.potentialId })
      .getRawOne<{ amount_cents: NumberColumn; amount_quote_id: NumberColumn }>();
    if (!potential) return;

    const oldCents = centsText(potential.amount_cents);
    const newCents = moneyToCents(quote.grandTotal);
    if (oldCents === newCents) {
      if (Number(potential.amount_quote_id) !== quote.id)
        await this.updatePotential(manager, quote.potentialId, { amount_quote_id: quote.id });
      return;
    }
    await this.updatePotential(manager, quote.potentialId, {
      amount_cents: newCents,
      amount_quote_id: quote.id,
      updated_at: event.savedAt,
      modified_by_id: event.user.id,
      // A potential's form opened before the quote changed its amount is stale, so it cannot put the old one back.
      [VERSION_COLUMN]: () => `${VERSION_COLUMN} + 1`,
    });
    await this.recordChange(manager, event.user, quote.potentialId, {
      oldCents,
      newCents,
      cause: 'quote',
      quoteId: quote.id,
      changedAt: event.savedAt,
    });
  }

  /**
   * Follows the potential's remaining active quote saved last when the quote that set its amount leaves it.
   * With none left, the amount stays as it was, and the page no longer names a quote as its source.
   */
  async releaseQuote(event: QuoteReleasedEvent): Promise<void> {
    const { manager, potentialId } = event;
    const potential = await manager
      .createQueryBuilder()
      .select('p.amount_quote_id', 'amount_quote_id')
      .from('potentials', 'p')
      .where('p.id = :id', { id: potentialId })
      .getRawOne<{ amount_quote_id: NumberColumn }>();
    if (!potential || Number(potential.amount_quote_id) !== event.quoteId) return;

    if (event.replacement)
      await this.followQuote(
        new QuoteTotalsChangedEvent(manager, event.user, event.replacement, event.savedAt),
      );
    else await this.updatePotential(manager, potentialId, { amount_quote_id: null });
  }

  /**
   * Records the amount a user set by a form, a mass edit, the board or an import. A new potential with an
   * amount gets a change from empty. After a user's change no quote sets the amount, until an active quote is
   * saved again.
   */
  async recordUserChanges(event: RecordsSavedEvent): Promise<void> {
    if (event.moduleName !== 'potentials') return;
    const changedAt = utcNow();
    for (const record of event.records) {
      const newCents = amountCents(record.values.amount);
      const oldCents = record.previous === null ? null : amountCents(record.previous.amount);
      if (record.previous === null ? newCents === null : oldCents === newCents) continue;
      if (record.previous !== null)
        await this.updatePotential(event.manager, record.id, { amount_quote_id: null });
      await this.recordChange(event.manager, event.user, record.id, {
        oldCents,
        newCents,
        cause: 'user',
        quoteId: null,
        changedAt,
      });
    }
  }

  private async updatePotential(
    manager: EntityManager,
    id: number,
    set: Record<string, string | number | null | (() => string)>,
  ): Promise<void> {
    await manager.createQueryBuilder().update('potentials').set(set).where('id = :id', { id }).execute();
  }

  private async recordChange(
    manager: EntityManager,
    user: CurrentUser,
    potentialId: number,
    change: {
      oldCents: string | null;
      newCents: string | null;
      cause: AmountChangeCause;
      quoteId: number | null;
      changedAt: string;
    },
  ): Promise<void> {
    await manager.insert(PotentialAmountChangeEntity, { potentialId, userId: user.id, ...change });
  }
}

/** Returns the cents of a stored amount column as text, or null when empty. */
function centsText(value: NumberColumn): string | null {
  return value === null ? null : String(value);
}

/** Returns the cents of an amount as the record engine gives it, as text, or null when empty. */
function amountCents(value: FieldValue | undefined): string | null {
  return value instanceof Decimal ? moneyToCents(value) : null;
}
