import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { RecordValues } from '../records/field-codec.js';
import type { FieldError } from '../records/record-validation.js';
import type { SaveSource } from '../records/record-hooks.js';
import type { TransactionalEvent } from './event-bus.js';

/** One record of a save: its id, the values saved, and the stored values before (null for a new record). */
export interface SavedRecord {
  id: number;
  values: RecordValues;
  previous: RecordValues | null;
}

/**
 * Records of one module were saved: one record by a form, a board move or a mass action, or a batch of new
 * records by an import. The record engine emits it inside the save's transaction, after the rows were
 * written, so a handler's error rolls the save (or the import batch) back.
 */
export class RecordsSavedEvent implements TransactionalEvent {
  static readonly eventName = 'records.saved';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly moduleName: string,
    readonly source: SaveSource,
    readonly records: SavedRecord[],
  ) {}
}

/**
 * A record was deleted for good: purged from the recycle bin. The record engine emits it inside the purge's
 * transaction, after the row went, so handlers remove what pointed to it (relations, campaign members).
 */
export class RecordDeletedEvent implements TransactionalEvent {
  static readonly eventName = 'record.deleted';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly moduleName: string,
    readonly id: number,
  ) {}
}

/**
 * A record went to the recycle bin: its row stays, with its links, but lists, pages and totals leave it out.
 * The record engine emits it inside the deletion's transaction.
 */
export class RecordBinnedEvent implements TransactionalEvent {
  static readonly eventName = 'record.binned';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly moduleName: string,
    readonly id: number,
  ) {}
}

/** A record came back from the recycle bin with its links. Emitted inside the restore's transaction. */
export class RecordRestoredEvent implements TransactionalEvent {
  static readonly eventName = 'record.restored';

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly moduleName: string,
    readonly id: number,
  ) {}
}

/**
 * Error a `records.saved` handler throws when it cannot accept a record's new values, such as a quote whose
 * total goes below zero in the tax mode a mass edit chose. The save rolls back and shows the error on the field.
 */
export class SaveRejectedError extends Error {
  constructor(
    readonly field: string,
    readonly error: FieldError,
  ) {
    super(`Save rejected on field ${field}: ${error.code}`);
  }
}
