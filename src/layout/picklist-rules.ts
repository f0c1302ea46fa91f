import { COLUMN_LENGTH } from '../records/entity-schema.js';
import { FieldDefinition } from '../records/manifest.js';
import { MULTI_VALUE_DELIMITER } from '../records/multi-values.js';
import { FieldErrors } from '../records/record-validation.js';

export type StageOutcome = 'open' | 'won' | 'lost';
export const STAGE_OUTCOMES: StageOutcome[] = ['open', 'won', 'lost'];

/** A closed stage fixes the probability, as the potentials' save rule does: won is 100 %, lost 0 %. */
const CLOSED_PROBABILITY: Record<Exclude<StageOutcome, 'open'>, number> = { won: 100, lost: 0 };

/** One value of a picklist as the rules see it. */
export interface ListedValue {
  id: number;
  value: string;
  outcome: StageOutcome | null;
}

/** The typed form of a value: its name, and for pipeline stages its probability and outcome. */
export interface PicklistValueInput {
  value: string;
  probability?: string;
  outcome?: string;
}

/** A value checked and ready to store. Probability and outcome are null outside pipeline stages. */
export interface CheckedValue {
  value: string;
  probability: number | null;
  outcome: StageOutcome | null;
}

/** Returns the maximum length of a value: the length of the field's record column. */
export function maxValueLength(field: FieldDefinition): number {
  return Math.min(field.maxLength ?? COLUMN_LENGTH.text, COLUMN_LENGTH.text);
}

/** Returns the form of a checked value that uniqueness compares: lower case. */
function valueKey(value: string): string {
  return value.toLowerCase();
}

/**
 * Checks a typed value against the other values of its picklist. The name is trimmed and each run of
 * spaces, tabs or line breaks becomes one space. It must not be empty, too long, or equal to another
 * value without regard to case. Errors are keyed by their input: value, probability or outcome.
 */
export function checkValueInput(
  field: FieldDefinition,
  input: PicklistValueInput,
  others: ListedValue[],
): { ok: true; checked: CheckedValue } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const value = input.value.trim().replace(/\s+/g, ' ');
  const maxLength = maxValueLength(field);

  if (value === '') errors.value = { code: 'valueRequired' };
  else if (value.length > maxLength) errors.value = { code: 'valueTooLong', params: { max: maxLength } };
  else if (others.some((other) => valueKey(other.value) === valueKey(value)))
    errors.value = { code: 'valueTaken', params: { value } };
  else if (field.type === 'multipicklist' && value.includes(MULTI_VALUE_DELIMITER))
    errors.value = { code: 'valueHasDelimiter', params: { delimiter: MULTI_VALUE_DELIMITER } };

  let probability: number | null = null;
  let outcome: StageOutcome | null = null;
  if (field.pipelineStages) {
    outcome = STAGE_OUTCOMES.find((known) => known === input.outcome) ?? null;
    if (!outcome) errors.outcome = { code: 'outcomeInvalid' };
    if (outcome === 'won' || outcome === 'lost') probability = CLOSED_PROBABILITY[outcome];
    else probability = readProbability(input.probability ?? '');
    if (probability === null && outcome === 'open') errors.probability = { code: 'probabilityInvalid' };
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, checked: { value, probability, outcome } };
}

/** Reads a whole percentage from 0 to 100, with or without a trailing %, and returns null for anything else. */
function readProbability(raw: string): number | null {
  const text = raw.trim().replace(/\s*%$/, '');
  if (!/^\d{1,3}$/.test(text)) return null;
  const probability = Number(text);
  return probability <= 100 ? probability : null;
}

/** Returns the first outcome that no stage has, or undefined when open, won and lost all remain. */
export function missingOutcome(stages: ListedValue[]): StageOutcome | undefined {
  return STAGE_OUTCOMES.find((outcome) => !stages.some((stage) => stage.outcome === outcome));
}

/**
 * The choice for records that have a removed value: the id of a remaining value, `drop` to take the value
 * out of their lists (multi-select picklists only), or null when none was chosen.
 */
export type Replacement = number | 'drop' | null;

/**
 * Checks the removal of a value from a picklist whose other values are `remaining`. A required picklist
 * keeps at least one value, and a pipeline keeps a stage of each outcome. When records have the value,
 * the replacement must be one of the remaining values, or for a multi-select picklist `drop`. Returns the
 * errors, keyed `value` or `replacement`.
 */
export function removalErrors(
  field: FieldDefinition,
  remaining: ListedValue[],
  holdingCount: number,
  replacementId: Replacement,
): FieldErrors {
  if (field.required && remaining.length === 0) return { value: { code: 'lastValue' } };

  const missing = field.pipelineStages ? missingOutcome(remaining) : undefined;
  if (missing) return { value: { code: 'outcomeMissing', params: { outcome: missing } } };

  if (holdingCount === 0) return {};
  if (field.type === 'multipicklist' && replacementId === 'drop') return {};
  if (remaining.length === 0) return { replacement: { code: 'noReplacementLeft' } };
  if (!remaining.some((value) => value.id === replacementId))
    return { replacement: { code: 'replacementRequired', params: { count: holdingCount } } };
  return {};
}
