import { translate } from '../i18n/i18n.service.js';
import { FieldError, FieldErrors } from '../records/record-validation.js';
import { Locale } from '../records/values.js';
import { EditorValue, RemovalPreview } from './picklist-editor.service.js';
import { PicklistValueInput, Replacement, STAGE_OUTCOMES } from './picklist-rules.js';

/** The typed values and errors that the picklist page shows again after a failed change. */
export interface PicklistPageState {
  /** The id of the value whose form failed, or 'new' for the add form. */
  form?: number | 'new';
  input?: PicklistValueInput & { position?: string };
  errors?: FieldErrors;
}

/** Translates an error code under `picklists.errors.`, with an outcome parameter translated too. */
function errorMessage(locale: Locale, error: FieldError): string {
  const params: Record<string, string | number> = { ...(error.params ?? {}) };
  if (typeof params.outcome === 'string')
    params.outcome = translate(locale, `picklists.outcomes.${params.outcome}`);
  return translate(locale, `picklists.errors.${error.code}`, params);
}

function outcomeOptions(locale: Locale, selected: string) {
  return STAGE_OUTCOMES.map((outcome) => ({
    value: outcome,
    label: translate(locale, `picklists.outcomes.${outcome}`),
    selected: outcome === selected,
  }));
}

/**
 * Builds the picklist page: a row per value with its edit form, and the add form. The form that failed
 * shows what was typed, with each error beside its input and in the summary above.
 */
export function picklistPageModel(locale: Locale, values: EditorValue[], state: PicklistPageState) {
  const errors = state.errors ?? {};
  const errorOf = (form: number | 'new', input: string) =>
    state.form === form && errors[input] ? errorMessage(locale, errors[input]) : undefined;

  const rows = values.map((value, index) => {
    const stored = {
      value: value.value,
      probability: String(value.probability ?? ''),
      outcome: value.outcome ?? '',
    };
    const typed = state.form === value.id && state.input ? state.input : stored;
    return {
      id: value.id,
      position: index + 1,
      value: value.value,
      typedValue: typed.value,
      typedProbability: typed.probability,
      outcomeOptions: outcomeOptions(locale, typed.outcome ?? ''),
      recordCount: value.recordCount,
      canMoveUp: index > 0,
      canMoveDown: index < values.length - 1,
      errors: {
        value: errorOf(value.id, 'value'),
        probability: errorOf(value.id, 'probability'),
        outcome: errorOf(value.id, 'outcome'),
      },
    };
  });

  const emptyForm = { value: '', probability: '', outcome: 'open', position: '' };
  const added = state.form === 'new' && state.input ? state.input : emptyForm;
  // A new value goes after the last one unless the administrator chose another place.
  const lastId = values.length > 0 ? String(values[values.length - 1].id) : 'start';
  const position = added.position || lastId;
  const errorSummary = Object.entries(errors).map(([input, error]) => ({
    href: state.form === 'new' ? `#new-${input}` : `#${input}-${String(state.form)}`,
    message: errorMessage(locale, error),
  }));

  return {
    values: rows,
    errorSummary,
    added: {
      value: added.value,
      probability: added.probability,
      outcomeOptions: outcomeOptions(locale, added.outcome ?? 'open'),
      errors: {
        value: errorOf('new', 'value'),
        probability: errorOf('new', 'probability'),
        outcome: errorOf('new', 'outcome'),
        position: errorOf('new', 'position'),
      },
      positionOptions: [
        { value: 'start', label: translate(locale, 'picklists.atStart'), selected: position === 'start' },
        ...values.map((value) => ({
          value: String(value.id),
          label: translate(locale, 'picklists.after', { value: value.value }),
          selected: position === String(value.id),
        })),
      ],
    },
  };
}

/**
 * Builds the removal page: how many records have the value, the replacement to choose, and the errors
 * of a failed removal or, before any attempt, those that block it whatever the replacement.
 */
export function removalPageModel(
  locale: Locale,
  preview: RemovalPreview,
  replacementId: Replacement,
  failedErrors: FieldErrors | undefined,
  multiple: boolean,
) {
  const errors = failedErrors ?? preview.blocking;
  return {
    value: preview.value,
    recordCount: preview.recordCount,
    blocking: Object.keys(preview.blocking).length > 0,
    messages: Object.values(errors).map((error) => errorMessage(locale, error)),
    replacementError: errors.replacement ? errorMessage(locale, errors.replacement) : undefined,
    replacementOptions: [
      { value: '', label: '', selected: replacementId === null },
      ...preview.remaining.map((value) => ({
        value: String(value.id),
        label: value.value,
        selected: value.id === replacementId,
      })),
      // A multi-select picklist may simply lose the value: the records keep their other values.
      ...(multiple
        ? [
            {
              value: 'drop',
              label: translate(locale, 'picklists.dropFromRecords'),
              selected: replacementId === 'drop',
            },
          ]
        : []),
    ],
  };
}
