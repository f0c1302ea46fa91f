import { ConflictException } from '@nestjs/common';
import type { RecordValues } from './field-codec.js';
import type { ModuleManifest } from './manifest.js';

/**
 * Thrown when a change reaches a record that its module's `lockedWhenSet` field makes read-only. The error
 * page shows `messageKey`, the module's reason, with status 409.
 */
export class RecordLockedException extends ConflictException {
  constructor(
    readonly moduleName: string,
    readonly recordId: number,
    readonly messageKey: string,
  ) {
    super(`${moduleName} ${recordId} is locked and cannot be changed`);
  }
}

/** Tells whether the module's lock field is set on the record's values. */
export function isLocked(manifest: ModuleManifest, values: RecordValues): boolean {
  const lock = manifest.lockedWhenSet;
  if (!lock) return false;
  const value = values[lock.field];
  return value !== null && value !== undefined && value !== '';
}

/** Throws RecordLockedException when the module's lock field is set on the record. */
export function assertUnlocked(manifest: ModuleManifest, record: { id: number; values: RecordValues }): void {
  if (isLocked(manifest, record.values))
    throw new RecordLockedException(manifest.name, record.id, manifest.lockedWhenSet!.message);
}

/**
 * Returns the list filters with the module's default filters added for the fields the request leaves
 * without a value. A request's FILTER_ANY stays in the result, and the list query ignores it.
 */
export function withDefaultFilters(
  manifest: ModuleManifest,
  filters: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const result = { ...filters };
  for (const [name, value] of Object.entries(manifest.defaultFilters ?? {})) {
    const given = result[name];
    const empty =
      given === undefined || given === '' || (Array.isArray(given) && given.every((v) => v === ''));
    if (empty) result[name] = value;
  }
  return result;
}
