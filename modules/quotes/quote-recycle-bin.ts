import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventBus } from '../../src/events/event-bus.js';
import { RecordBinnedEvent, RecordRestoredEvent } from '../../src/events/record-changes.event.js';
import { ACTIVE_QUOTE_STAGES, QuoteReleasedEvent } from '../../src/events/quote-totals-changed.event.js';
import { utcNow } from '../../src/records/values.js';
import { QuoteLinesService } from './quote-lines.service.js';

/**
 * Keeps a potential's amount from following a quote in the recycle bin. A binned quote leaves its potential
 * as a quote moved out of the active stages does, and a restored active quote sets the amount again, as a
 * save of it would.
 */
@Injectable()
export class QuoteRecycleBin implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly quoteLines: QuoteLinesService,
  ) {}

  onModuleInit(): void {
    this.events.on(RecordBinnedEvent, (event) => this.releasePotential(event), {
      order: 10,
      owner: 'quotes',
    });
    this.events.on(RecordRestoredEvent, (event) => this.rejoinPotential(event), {
      order: 10,
      owner: 'quotes',
    });
  }

  private async releasePotential(event: RecordBinnedEvent): Promise<void> {
    if (event.moduleName !== 'quotes') return;
    const potentialId = await activePotentialOf(event.manager, event.id);
    if (potentialId === null) return;

    const replacement = await this.quoteLines.latestActiveQuote(event.manager, potentialId, event.id);
    await this.events.emit(
      QuoteReleasedEvent,
      new QuoteReleasedEvent(event.manager, event.user, event.id, potentialId, replacement, utcNow()),
    );
  }

  private async rejoinPotential(event: RecordRestoredEvent): Promise<void> {
    if (event.moduleName !== 'quotes') return;
    if ((await activePotentialOf(event.manager, event.id)) === null) return;
    await this.quoteLines.announceStoredTotals(event.manager, event.user, event.id);
  }
}

/** Returns the potential a quote is active on, or null when it has none or is in a stage that is not active. */
async function activePotentialOf(manager: EntityManager, quoteId: number): Promise<number | null> {
  const row = await manager
    .createQueryBuilder()
    .select('q.potential_id', 'potentialId')
    .addSelect('q.quote_stage', 'stage')
    .from('quotes', 'q')
    .where('q.id = :quoteId', { quoteId })
    .getRawOne<{ potentialId: number | string | null; stage: string | null }>();
  if (!row || row.potentialId === null || row.stage === null) return null;
  return ACTIVE_QUOTE_STAGES.includes(row.stage) ? Number(row.potentialId) : null;
}
