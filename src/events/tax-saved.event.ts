import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { TransactionalEvent } from './event-bus.js';

/**
 * Event of a tax created or changed on /admin/taxes. The core emits it inside the save's transaction, so a module
 * that lists tax names (the products' tax class) can follow a new or renamed tax, or roll the save back.
 */
export class TaxSavedEvent implements TransactionalEvent {
  static readonly eventName = 'tax.saved';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly name: string,
    /** The name before this save, or null for a new tax. */
    readonly previousName: string | null,
  ) {}
}
