import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { InputFormat } from '../records/field-codec.js';
import type { FieldErrors } from '../records/record-validation.js';
import type { RecordsService } from '../records/records.service.js';
import type { TransactionalEvent } from './event-bus.js';

/** The record one target module is asked to create: form text in the event's format, by field name. */
export interface ConversionInput {
  input: Record<string, string>;
}

/**
 * A lead is being converted. The leads module emits it inside the conversion's transaction. The accounts,
 * contacts and potentials modules each create their record from it and write its id back, in that order,
 * so that the contact can link to the account and the potential to both. A record that fails its checks is
 * added to `failures` and the next handlers still run, so that the page can show every target's errors at
 * once; the emitter then rolls the whole conversion back, as it does on any handler's error.
 */
export class LeadConvertedEvent implements TransactionalEvent {
  static readonly eventName = 'lead.converted';

  accountId: number | null = null;
  contactId: number | null = null;
  potentialId: number | null = null;
  /** The target records that failed their checks, with the errors of their fields. */
  readonly failures: { moduleName: string; errors: FieldErrors }[] = [];

  constructor(
    readonly manager: EntityManager,
    readonly user: CurrentUser,
    readonly leadId: number,
    readonly format: InputFormat,
    /** An existing account chosen by id, a new one to create, or none. */
    readonly account: { existingId: number } | ConversionInput | null,
    readonly contact: ConversionInput | null,
    readonly potential: ConversionInput | null,
  ) {}
}

/** Handler order of the modules that create records from a converted lead. */
export const CONVERSION_ORDER = { accounts: 10, contacts: 20, potentials: 30, related: 40 } as const;

/**
 * The key of a failure's errors when the existing account chosen cannot be used, because it was
 * deleted or the user may not see it.
 */
export const EXISTING_ACCOUNT_ERROR = 'existing_id';

/**
 * Thrown by the emitter after the handlers when any target failed its checks, so that the transaction rolls
 * back. Carries every failure, which the conversion page shows beside the fields.
 */
export class ConversionStepError extends Error {
  constructor(readonly failures: { moduleName: string; errors: FieldErrors }[]) {
    super(
      `The conversion has errors in ${failures
        .map((failure) => `${failure.moduleName} (${Object.keys(failure.errors).join(', ')})`)
        .join(', ')}`,
    );
  }
}

/**
 * Creates one record of a conversion from its form text, in the event's transaction and with the same
 * checks as a form, and returns its id. A record that fails the checks is added to the event's failures and
 * gives null. Throws ForbiddenException when the user may not create records of the module.
 */
export async function saveConversionTarget(
  records: RecordsService,
  moduleName: string,
  event: LeadConvertedEvent,
  input: Record<string, string>,
): Promise<number | null> {
  const result = await records.save(
    moduleName,
    event.user,
    null,
    input,
    event.format,
    'conversion',
    event.manager,
  );
  if (result.ok) return result.id;
  event.failures.push({ moduleName, errors: result.errors });
  return null;
}
