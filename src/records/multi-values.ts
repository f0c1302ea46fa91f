/**
 * The values of a multi-select picklist. A record stores them in one text column with the delimiter before,
 * between and after the values (`|##|North|##|South|##|`), so "has the value X" is the exact substring
 * `|##|X|##|` and never matches a value that merely starts or ends like X. Picklist values may not contain
 * the delimiter, which the picklist editor checks.
 */
export const MULTI_VALUE_DELIMITER = '|##|';

/** The separator between values in a CSV cell, as vtiger writes it, so files move between the two. */
export const CSV_MULTI_SEPARATOR = ' |##| ';

/** Returns the stored form of a list of values, or null for no value. */
export function encodeMultiValues(values: readonly string[]): string | null {
  if (values.length === 0) return null;
  return `${MULTI_VALUE_DELIMITER}${values.join(MULTI_VALUE_DELIMITER)}${MULTI_VALUE_DELIMITER}`;
}

/** Reads the stored form back into its values. Text without delimiters is one value. */
export function decodeMultiValues(stored: string): string[] {
  return stored.split(MULTI_VALUE_DELIMITER).filter((value) => value !== '');
}

/** Returns the substring that a stored list contains exactly when the value is among its values. */
export function storedValueNeedle(value: string): string {
  return `${MULTI_VALUE_DELIMITER}${value}${MULTI_VALUE_DELIMITER}`;
}

/**
 * Splits typed text into values, as a CSV cell has them: on `|##|` when the text contains it, otherwise
 * on `;`. Each value is trimmed, and empty ones are dropped.
 */
export function splitTypedValues(text: string): string[] {
  const separator = text.includes(MULTI_VALUE_DELIMITER) ? MULTI_VALUE_DELIMITER : ';';
  return text
    .split(separator)
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/**
 * Returns the values that a form's checkboxes sent, without the empty entry sent before them, or undefined
 * when the form sent something other than a list of strings.
 */
export function tickedValues(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string')) return undefined;
  return raw.filter((item) => item !== '');
}

/**
 * Returns the values in the picklist's order, without duplicates (compared without regard to case).
 * Values no longer listed keep their place after the listed ones.
 */
export function inListOrder(values: readonly string[], listed: readonly string[]): string[] {
  const positions = new Map(listed.map((value, index) => [value.toLowerCase(), index]));
  const unique = values.filter(
    (value, index) => values.findIndex((other) => other.toLowerCase() === value.toLowerCase()) === index,
  );
  const rank = (value: string) => positions.get(value.toLowerCase()) ?? listed.length;
  return unique
    .map((value, index) => ({ value, index }))
    .sort((a, b) => rank(a.value) - rank(b.value) || a.index - b.index)
    .map((entry) => entry.value);
}

/**
 * Returns the list with `previous` (in any case) replaced by `value`, keeping its place, or dropped when
 * `value` is null or the list already has `value`.
 */
export function replaceInList(values: string[], previous: string, value: string | null): string[] {
  const key = previous.toLowerCase();
  const has = (candidate: string) => values.some((other) => other.toLowerCase() === candidate.toLowerCase());
  const keepsValue = value !== null && value.toLowerCase() !== key && has(value);
  return values.flatMap((other) => {
    if (other.toLowerCase() !== key) return [other];
    return value === null || keepsValue ? [] : [value];
  });
}
