import { FieldValue, RecordValues } from './field-codec.js';
import { PicklistSet } from './picklists.service.js';
import type { FieldErrors } from './record-validation.js';

/**
 * The origin of a save. Some rules differ for an import of records that are already closed. A board move or
 * a mass action changes a few fields of a record without showing its form, so a mandatory field that was
 * already empty is asked for at the next form edit instead. A lead conversion saves its targets through the
 * form's checks, as 'conversion'.
 */
export type SaveSource = 'form' | 'import' | 'board' | 'mass' | 'conversion';

export interface SaveContext {
  isNew: boolean;
  /** The stored values before this save; null for a new record. */
  previous: RecordValues | null;
  /** The values to be saved: the previous ones merged with what this save sets. The hook may change them. */
  values: RecordValues;
  /** Fields this save set explicitly, even to the value they already had. */
  submitted: ReadonlySet<string>;
  picklists: PicklistSet;
  /** Today's date as YYYY-MM-DD. */
  today: string;
  source: SaveSource;
  /** Extra values an import mapped that are not writable fields (the effective close date of a closed deal). */
  imported?: Record<string, FieldValue>;
  /** The save's field errors so far; a hook adds the errors of its module's own rules here. */
  errors?: FieldErrors;
}

/** Module rules that run on every save, after the values were parsed and before they are validated. */
export interface RecordHooks {
  beforeSave(context: SaveContext): void;
}
