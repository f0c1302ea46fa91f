import type { FieldErrors } from '../../src/records/record-validation.js';
import { CONVERSION_MODULES, ConversionModule } from './lead-field-mapping.js';

/**
 * The fields each section of the conversion page shows, in this order, before the target module's other
 * mandatory fields. The rest of the mapped lead values are written without being shown.
 */
export const SECTION_FIELDS: Record<ConversionModule, string[]> = {
  accounts: ['account_name'],
  contacts: ['first_name', 'last_name', 'email'],
  potentials: ['potential_name', 'expected_close_date', 'sales_stage', 'amount'],
};

/** Fields a conversion handler sets itself from the records created before it, so no section shows them. */
export const LINKED_BY_CONVERSION: Record<ConversionModule, string[]> = {
  accounts: [],
  contacts: ['account_id'],
  potentials: ['account_id', 'contact_id'],
};

/** The names of the page's inputs besides the sections' fields, which are named by inputName(). */
export const ASSIGNEE_INPUT = 'assigned_user_id';
export const ACCOUNT_CHOICE_INPUT = 'account_choice';
export const EXISTING_ACCOUNT_INPUT = 'existing_account';

/** Returns the name of the checkbox that requests a record of the module. */
export function createInput(module: ConversionModule): string {
  return `create_${module}`;
}

/** Returns the input name of a target module's field, such as `contacts.last_name`. */
export function inputName(module: ConversionModule, field: string): string {
  return `${module}.${field}`;
}

export type AccountChoice = 'new' | 'existing';

/** The conversion page's choices and form text, as shown and as submitted. */
export interface ConversionForm {
  /** The owner field's form text for every record created: a user's id or `group:<id>`. */
  assignee: string;
  create: Record<ConversionModule, boolean>;
  accountChoice: AccountChoice;
  /** The existing account chosen: its id, or its name where the page has a name box. */
  existingAccount: string;
  /** Form text of the sections' fields: module → field name → text. */
  values: Record<ConversionModule, Record<string, string>>;
}

/** The errors that stopped a conversion, shown on the page again. */
export interface ConversionErrors {
  /** An error of the whole choice, as an i18n key: no account and no contact chosen. */
  choice?: string;
  /** Errors of the page's own inputs: the assignee and the existing account. */
  inputs: FieldErrors;
  /** Errors of each target record's fields, by module. */
  targets: Partial<Record<ConversionModule, FieldErrors>>;
}

export function noErrors(): ConversionErrors {
  return { inputs: {}, targets: {} };
}

/**
 * Reads the submitted conversion page. Only the fields each section offers are read, so that a forged
 * field name never reaches a target record.
 */
export function readConversionForm(
  body: Record<string, unknown>,
  offeredFields: Record<ConversionModule, string[]>,
): ConversionForm {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  const values = {} as ConversionForm['values'];
  const create = {} as ConversionForm['create'];
  for (const module of CONVERSION_MODULES) {
    create[module] = text(createInput(module)) === '1';
    values[module] = {};
    for (const field of offeredFields[module]) values[module][field] = text(inputName(module, field));
  }
  return {
    assignee: text(ASSIGNEE_INPUT),
    create,
    accountChoice: text(ACCOUNT_CHOICE_INPUT) === 'existing' ? 'existing' : 'new',
    existingAccount: text(EXISTING_ACCOUNT_INPUT).trim(),
    values,
  };
}
