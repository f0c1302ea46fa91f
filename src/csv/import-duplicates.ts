import { EntityManager } from 'typeorm';
import { CurrentUser } from '../access/current-user.js';
import { DuplicateFinder, DuplicateMatch } from '../records/duplicate-finder.service.js';
import { InputFormat, parseFieldInput } from '../records/field-codec.js';
import { ModuleManifest } from '../records/manifest.js';
import { nameKey } from '../records/records.service.js';
import { mappedInput } from './import-run.js';
import { ImportSettings } from './import-settings.js';

/** A row of the file whose checked value a visible record or an earlier row already has. */
export interface DuplicateRow {
  line: number;
  value: string;
  /** The first visible record that has the value. */
  existing?: DuplicateMatch;
  /** The first line of the file with the value, when no visible record has it. */
  earlierLine?: number;
}

/**
 * Finds the rows of an import that repeat the value of the module's duplicate check, a batch at a time
 * with one lookup per compared module, and remembers the values of earlier batches.
 */
export class DuplicateTracker {
  private readonly firstLines = new Map<string, number>();

  constructor(
    private readonly finder: DuplicateFinder,
    private readonly manifest: ModuleManifest,
    private readonly user: CurrentUser,
  ) {}

  /** Returns the duplicates among the rows, in their order, and notes each new value's first line. */
  async check(rows: { line: number; value: string }[], manager?: EntityManager): Promise<DuplicateRow[]> {
    const keys = [...new Set(rows.map((row) => nameKey(row.value)))];
    const found = await this.finder.find(this.manifest, this.user, keys, { manager });

    const duplicates: DuplicateRow[] = [];
    for (const row of rows) {
      const key = nameKey(row.value);
      const existing = found.get(key)?.[0];
      const earlierLine = this.firstLines.get(key);
      if (existing) duplicates.push({ line: row.line, value: row.value, existing });
      else if (earlierLine !== undefined) duplicates.push({ line: row.line, value: row.value, earlierLine });
      if (earlierLine === undefined) this.firstLines.set(key, row.line);
    }
    return duplicates;
  }
}

/**
 * Returns the checked value of a row as the import reads it: the mapped cell or the column's default,
 * parsed as the field, or undefined when the row has none or an invalid one.
 */
export function checkedValueOf(
  manifest: ModuleManifest,
  settings: ImportSettings,
  cells: string[],
  format: InputFormat,
): string | undefined {
  const field = manifest.fields.find((candidate) => candidate.name === manifest.duplicateCheck?.field);
  if (!field) return undefined;
  const text = mappedInput(settings, cells)[field.name];
  if (text === undefined) return undefined;
  const parsed = parseFieldInput(field, text, format);
  return parsed.ok && typeof parsed.value === 'string' ? parsed.value : undefined;
}
