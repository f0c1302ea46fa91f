import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { InputFormat } from '../records/field-codec.js';
import type { FieldErrors } from '../records/record-validation.js';
import type { RecordsService } from '../records/records.service.js';
import type { TransactionalEvent } from './event-bus.js';

/** What one target module is asked to create: form text in the event's format, field name → text. */
export interface ConversionInput {
  input: Record<string, string>;
}

/**
 * A lead is being converted. The leads module emits it inside the conversion's transaction; the accounts,
 * contacts and potentials modules each create their record from it and write its id back, in that order,
 * so that the contact can link to the account and the potential to both. Any handler's error rolls the
 * whole conversion back.
 */
export class LeadConvertedEvent implements TransactionalEvent {
  static readonly eventName = 'lead.converted';

  accountId: number | null = null;
  contactId: number | null = null;
  potentialId: number | null = null;

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
 * The key of ConversionStepError's errors when the existing account chosen cannot be used, because it was
 * deleted or the user may not see it.
 */
export const EXISTING_ACCOUNT_ERROR = 'existing_id';

/**
 * Thrown by a handler whose record cannot be saved: names the module and the errors of its fields, which
 * the conversion page shows beside them.
 */
export class ConversionStepError extends Error {
  constructor(
    readonly moduleName: string,
    readonly errors: FieldErrors,
  ) {
    super(`The ${moduleName} record of the conversion has errors in ${Object.keys(errors).join(', ')}`);
  }
}

/**
 * Creates one record of a conversion from its form text, in the event's transaction and with the same
 * checks as a form, and returns its id. Throws ConversionStepError with the field errors when the record is
 * invalid, and ForbiddenException when the user may not create records of the module.
 */
export async function saveConversionTarget(
  records: RecordsService,
  moduleName: string,
  event: LeadConvertedEvent,
  input: Record<string, string>,
): Promise<number> {
  const result = await records.save(moduleName, event.user, null, input, event.format, 'form', event.manager);
  if (!result.ok) throw new ConversionStepError(moduleName, result.errors);
  return result.id;
}
