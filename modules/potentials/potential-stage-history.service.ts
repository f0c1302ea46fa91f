import { Injectable, OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { EventBus } from '../../src/events/event-bus.js';
import { RecordsSavedEvent, SavedRecord } from '../../src/events/record-changes.event.js';
import { moneyToCents, utcNow } from '../../src/records/values.js';
import { PotentialStageChangeEntity, PotentialStageChangeRow } from './potential-stage-change.entity.js';

/**
 * Rows a multi-row INSERT of an import batch writes at once. At 10 columns a row, that stays far below the
 * 32,766 parameters SQLite accepts by default since version 3.32.
 */
const INSERT_CHUNK = 500;

/**
 * Records every change of a potential's sales stage, in the transaction of the save that made it, so that the
 * save and its history commit or roll back together. Creating a potential counts as entering its first stage.
 */
@Injectable()
export class PotentialStageHistoryService implements OnModuleInit {
  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    // Runs after the amount history (order 20) and reads only the saved values.
    this.bus.on(RecordsSavedEvent, (event) => this.recordStageChanges(event), {
      order: 30,
      owner: 'potentials',
    });
  }

  /** Writes one row per saved potential whose stage changed, and one per new potential, for every save path. */
  async recordStageChanges(event: RecordsSavedEvent): Promise<void> {
    if (event.moduleName !== 'potentials') return;
    const changedAt = utcNow();
    const rows: Omit<PotentialStageChangeRow, 'id' | 'potential' | 'user'>[] = [];
    for (const record of event.records) {
      const change = stageChangeOf(record);
      if (change === null) continue;
      rows.push({
        potentialId: record.id,
        changedAt,
        ...change,
        source: event.source,
        userId: event.user.id,
      });
    }
    for (let start = 0; start < rows.length; start += INSERT_CHUNK)
      await event.manager.insert(PotentialStageChangeEntity, rows.slice(start, start + INSERT_CHUNK));
  }
}

/**
 * Returns the stage change a save made, with the amount, probability and effective close date it left, or
 * null when the stage stayed the same or is empty.
 */
function stageChangeOf(
  record: SavedRecord,
): Pick<
  PotentialStageChangeRow,
  'fromStage' | 'toStage' | 'amountCents' | 'probability' | 'effectiveCloseDate'
> | null {
  const { values, previous } = record;
  const toStage = typeof values.sales_stage === 'string' ? values.sales_stage : null;
  const fromStage = typeof previous?.sales_stage === 'string' ? previous.sales_stage : null;
  if (toStage === null || (previous !== null && fromStage === toStage)) return null;

  return {
    fromStage,
    toStage,
    amountCents: values.amount instanceof Decimal ? moneyToCents(values.amount) : null,
    probability: typeof values.probability === 'number' ? values.probability : null,
    effectiveCloseDate: typeof values.effective_close_date === 'string' ? values.effective_close_date : null,
  };
}
