import { Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../../src/events/event-bus.js';
import {
  CONVERSION_ORDER,
  EXISTING_ACCOUNT_ERROR,
  LeadConvertedEvent,
  saveConversionTarget,
} from '../../src/events/lead-converted.event.js';
import { RecordsService } from '../../src/records/records.service.js';

/** The accounts module's part in other modules' work: the account of a converted lead. */
@Injectable()
export class AccountsService implements OnModuleInit {
  constructor(
    private readonly bus: EventBus,
    private readonly records: RecordsService,
  ) {}

  onModuleInit(): void {
    this.bus.on(LeadConvertedEvent, (event) => this.accountForLead(event), {
      order: CONVERSION_ORDER.accounts,
      owner: 'accounts',
    });
  }

  /** Creates the converted lead's account, or checks that the user may see the existing one chosen. */
  async accountForLead(event: LeadConvertedEvent): Promise<void> {
    const { account } = event;
    if (!account) return;
    if ('existingId' in account) {
      if (await this.isVisible(event, account.existingId)) event.accountId = account.existingId;
      else
        event.failures.push({
          moduleName: 'accounts',
          errors: {
            [EXISTING_ACCOUNT_ERROR]: {
              code: 'referenceNotFound',
              params: { value: `#${account.existingId}` },
            },
          },
        });
      return;
    }
    event.accountId = await saveConversionTarget(this.records, 'accounts', event, account.input);
  }

  private async isVisible(event: LeadConvertedEvent, id: number): Promise<boolean> {
    try {
      await this.records.findVisible('accounts', event.user, id, event.manager);
      return true;
    } catch (error) {
      if (error instanceof NotFoundException) return false;
      throw error;
    }
  }
}
