import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../../src/events/event-bus.js';
import {
  CONVERSION_ORDER,
  LeadConvertedEvent,
  saveConversionTarget,
} from '../../src/events/lead-converted.event.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordHooks, SaveContext } from '../../src/records/record-hooks.js';
import { RecordsService } from '../../src/records/records.service.js';

/** The rules of a potential's sales stage, probability and effective close date, and a converted lead's potential. */
@Injectable()
export class PotentialsService implements RecordHooks, OnModuleInit {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly bus: EventBus,
    private readonly records: RecordsService,
  ) {}

  onModuleInit(): void {
    this.registry.registerHooks('potentials', this);
    this.bus.on(LeadConvertedEvent, (event) => this.potentialForLead(event), {
      order: CONVERSION_ORDER.potentials,
      owner: 'potentials',
    });
  }

  /**
   * Creates the converted lead's potential, linked to the account and the contact the conversion created
   * or chose. Its lead source and campaign come in the input, through the lead field mapping.
   */
  async potentialForLead(event: LeadConvertedEvent): Promise<void> {
    if (!event.potential) return;
    const input = { ...event.potential.input };
    if (event.accountId !== null) input.account_id = String(event.accountId);
    if (event.contactId !== null) input.contact_id = String(event.contactId);
    event.potentialId = await saveConversionTarget(this.records, 'potentials', event, input);
  }

  beforeSave(context: SaveContext): void {
    const { values, previous, submitted, picklists } = context;
    const stage =
      typeof values.sales_stage === 'string' ? picklists.match('sales_stage', values.sales_stage) : undefined;
    if (!stage) return;

    const stageChanged = previous === null || previous.sales_stage !== stage.value;
    const probabilityTyped =
      submitted.has('probability') &&
      values.probability !== null &&
      (previous === null || values.probability !== previous.probability);

    // A closed stage fixes the probability; otherwise the stage's default applies unless the user typed one.
    if (stage.outcome === 'won') values.probability = 100;
    else if (stage.outcome === 'lost') values.probability = 0;
    else if (stageChanged && !probabilityTyped) values.probability = stage.probability;
    else if (values.probability === null || values.probability === undefined)
      values.probability = stage.probability;

    this.setEffectiveCloseDate(context, stage.outcome, stageChanged);
  }

  private setEffectiveCloseDate(context: SaveContext, outcome: string | null, stageChanged: boolean): void {
    const { values, previous, today, source, imported } = context;
    const closed = outcome === 'won' || outcome === 'lost';

    if (!closed) {
      values.effective_close_date = null;
      return;
    }
    if (source === 'import' && previous === null) {
      values.effective_close_date =
        (imported?.effective_close_date as string | null) ?? values.expected_close_date ?? null;
      return;
    }
    // A deal entered already closed is usually recorded after the fact, so a close date not after today is
    // the day it closed. A later expected date means it closed today, earlier than expected.
    if (previous === null) {
      const expected = values.expected_close_date;
      values.effective_close_date = typeof expected === 'string' && expected <= today ? expected : today;
      return;
    }
    const wasClosed = previous !== null && previous.effective_close_date !== null && !stageChanged;
    if (!wasClosed || values.effective_close_date === null) {
      values.effective_close_date = stageChanged ? today : (values.effective_close_date ?? today);
    }
  }
}
