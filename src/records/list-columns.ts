import { FieldDefinition, ModuleManifest } from './manifest.js';

/**
 * The columns of a module's list. The layout marks the default columns (`listColumn`),
 * and each user may choose their own columns and their order. The functions here are pure, and
 * ListColumnsService stores the choices.
 */

/** The chooser form as submitted: every listed field in its shown order, and the ticked ones. */
export interface ColumnsForm {
  /** Every field the page listed, in the order of its rows. */
  order?: string | string[];
  /** The ticked fields. */
  columns?: string | string[];
  /** `up:<field>` or `down:<field>` when a move button sent the form. */
  move?: string;
  /** `reset` when the reset button sent the form. */
  action?: string;
}

/** Returns the names of the default columns: the fields the layout lists by default, in layout order. */
export function defaultColumnNames(manifest: ModuleManifest): string[] {
  return manifest.fields.filter((field) => field.listColumn).map((field) => field.name);
}

/**
 * Returns the columns to show: the chosen names, or the default ones when there is no choice, in that
 * order, keeping only the fields offered to the user. A name the registry no longer has (a deleted custom
 * field) or that the user's profile now hides is skipped. The name field, which links each row to its
 * record, is added in front when a choice left it out. A choice that keeps no column gives the defaults.
 */
export function resolveColumns(input: {
  offered: FieldDefinition[];
  nameField: string;
  chosen: string[] | undefined;
  defaults: string[];
}): FieldDefinition[] {
  const byName = new Map(input.offered.map((field) => [field.name, field]));
  const pick = (names: string[]) => {
    const fields = [...new Set(names)].flatMap((name) => byName.get(name) ?? []);
    const nameField = byName.get(input.nameField);
    if (nameField && !fields.includes(nameField)) fields.unshift(nameField);
    return fields;
  };

  const chosen = input.chosen ? pick(input.chosen) : [];
  return chosen.length > 0 ? chosen : pick(input.defaults);
}

/**
 * Reads the chooser form: the ticked fields in the order of the page's rows, then applies a move. Names
 * that are not offered are ignored, and the name field stays a column. Returns the column names and the
 * field that moved, if any.
 */
export function readColumnsForm(
  form: ColumnsForm,
  offered: FieldDefinition[],
  nameField: string,
): { columns: string[]; moved?: string } {
  const offeredNames = new Set(offered.map((field) => field.name));
  const ticked = new Set(listOf(form.columns).filter((name) => offeredNames.has(name)));
  if (offeredNames.has(nameField)) ticked.add(nameField);

  // A field ticked but missing from the order (a page older than the last layout change) goes last.
  const order = [...new Set([...listOf(form.order), ...ticked])];
  const columns = order.filter((name) => ticked.has(name));

  const match = /^(up|down):(.+)$/.exec(typeof form.move === 'string' ? form.move : '');
  if (!match || !columns.includes(match[2])) return { columns };
  const index = columns.indexOf(match[2]);
  const other = match[1] === 'up' ? index - 1 : index + 1;
  if (other >= 0 && other < columns.length)
    [columns[index], columns[other]] = [columns[other], columns[index]];
  return { columns, moved: match[2] };
}

/** Returns the strings of a form value: one, a list, or the object a long indexed list parses to. */
function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).filter((item): item is string => typeof item === 'string');
}
