import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../../src/events/event-bus.js';
import {
  CONVERSION_ORDER,
  LeadConvertedEvent,
  saveConversionTarget,
} from '../../src/events/lead-converted.event.js';
import { RecordsService } from '../../src/records/records.service.js';

/** The contacts module's part in other modules' work: the contact of a converted lead. */
@Injectable()
export class ContactsService implements OnModuleInit {
  constructor(
    private readonly bus: EventBus,
    private readonly records: RecordsService,
  ) {}

  onModuleInit(): void {
    this.bus.on(LeadConvertedEvent, (event) => this.contactForLead(event), {
      order: CONVERSION_ORDER.contacts,
      owner: 'contacts',
    });
  }

  /** Creates the converted lead's contact, linked to the account the conversion created or chose. */
  async contactForLead(event: LeadConvertedEvent): Promise<void> {
    if (!event.contact) return;
    const input = { ...event.contact.input };
    if (event.accountId !== null) input.account_id = String(event.accountId);
    event.contactId = await saveConversionTarget(this.records, 'contacts', event, input);
  }
}
