import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { TransactionalEvent } from './event-bus.js';

/** A record on one side of a many-to-many link. */
export interface LinkedRecord {
  moduleName: string;
  id: number;
}

/**
 * A many-to-many link between two records was added, removed, or had its attribute (a contact's role)
 * changed. The relations service emits it inside the change's transaction. `a` is the record of the module
 * that declares the relation and `b` the related one. A link that already existed emits nothing.
 */
export class RecordLinkChangedEvent implements TransactionalEvent {
  static readonly eventName = 'record.link-changed';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly change: 'linked' | 'unlinked' | 'relinked',
    /** `<declaring module>.<relation name>`: 'potentials.contacts'. */
    readonly relation: string,
    readonly a: LinkedRecord,
    readonly b: LinkedRecord,
    readonly attribute: { previous: string | null; current: string | null },
  ) {}
}
