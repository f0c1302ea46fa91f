import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import { InputFormat } from './field-codec.js';
import { ModuleRegistry } from './module-registry.js';
import { listQueryFrom } from './record-pages.controller.js';
import { FieldError } from './record-validation.js';
import { RecordsService } from './records.service.js';
import { RecordLockedException } from './record-lock.js';

/** The maximum number of records one mass action may change; a larger selection is rejected before any change. */
// NOTE: the records are saved one at a time within the request, and the result page appears only at the end.
// A sales stage change of 500 potentials took 0.8 s on SQLite and 2.6 s on MariaDB 10.11 (2 cores, a
// throwaway jest test through MassActionsService.apply), so 5,000 records wait about 8 s and 26 s with no progress.
export const MAX_MASS_RECORDS = 5000;

/** Records saved between two pauses that let other requests run. */
const BATCH_SIZE = 100;

/** The records a mass action applies to: ids ticked on the page, or every record matching a list query. */
export type MassSelection = { kind: 'ids'; ids: number[] } | { kind: 'query'; query: string };

/** The reason one record was not changed. */
export type MassRefusal =
  | { reason: 'notFound' }
  | { reason: 'readOnly' }
  | { reason: 'locked' }
  | { reason: 'noDelete' }
  | { reason: 'error' }
  | { reason: 'invalid'; field: string; error: FieldError };

export interface MassOutcome {
  changed: number;
  refused: { id: number; refusal: MassRefusal }[];
}

/** A change to many records. An update's input is the form text of each field (a list for a multi-select picklist). */
export type MassChange = { kind: 'update'; input: Record<string, string | string[]> } | { kind: 'delete' };

/**
 * Applies one change to many records, each through the same rules as a single save or delete, and
 * each in its own transaction, so that one refusal leaves the other records changed.
 */
@Injectable()
export class MassActionsService {
  private readonly logger = new Logger(MassActionsService.name);

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
  ) {}

  /**
   * Returns the ids of the selection, or undefined when it contains more than MAX_MASS_RECORDS. A query
   * selection is read now, through the access scope, so it contains only records the user may see.
   */
  async resolve(
    moduleName: string,
    user: CurrentUser,
    selection: MassSelection,
  ): Promise<number[] | undefined> {
    this.registry.get(moduleName);
    if (selection.kind === 'ids') {
      const ids = [...new Set(selection.ids)];
      return ids.length > MAX_MASS_RECORDS ? undefined : ids;
    }

    const request = listQueryFrom(Object.fromEntries(groupParams(selection.query)));
    const rows = await this.records
      .filteredQuery(moduleName, user, request)
      .select('t.id', 'id')
      .orderBy('t.id', 'ASC')
      .limit(MAX_MASS_RECORDS + 1)
      .getRawMany<{ id: number | string }>();
    if (rows.length > MAX_MASS_RECORDS) return undefined;
    return rows.map((row) => Number(row.id));
  }

  async apply(
    moduleName: string,
    user: CurrentUser,
    ids: number[],
    change: MassChange,
    format: InputFormat,
  ): Promise<MassOutcome> {
    const outcome: MassOutcome = { changed: 0, refused: [] };
    this.logger.log(`Mass ${change.kind} of ${ids.length} ${moduleName} by user ${user.id} started`);

    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      for (const id of ids.slice(start, start + BATCH_SIZE)) {
        const refusal = await this.applyOne(moduleName, user, id, change, format);
        if (refusal) outcome.refused.push({ id, refusal });
        else outcome.changed++;
      }
      // Saves are sequential, so a pause between batches lets other users' requests through.
      await new Promise((resolve) => setImmediate(resolve));
    }

    this.logger.log(
      `Mass ${change.kind} of ${moduleName} by user ${user.id} finished: ${outcome.changed} changed, ${outcome.refused.length} refused`,
    );
    return outcome;
  }

  private async applyOne(
    moduleName: string,
    user: CurrentUser,
    id: number,
    change: MassChange,
    format: InputFormat,
  ): Promise<MassRefusal | undefined> {
    try {
      if (change.kind === 'delete') {
        await this.records.remove(moduleName, user, id);
        return undefined;
      }
      const result = await this.records.save(moduleName, user, id, change.input, format, 'mass');
      if (result.ok) return undefined;
      const [field, error] = Object.entries(result.errors)[0];
      return { reason: 'invalid', field, error };
    } catch (error) {
      if (error instanceof NotFoundException) return { reason: 'notFound' };
      if (error instanceof RecordLockedException) return { reason: 'locked' };
      if (error instanceof ForbiddenException)
        return { reason: change.kind === 'delete' ? 'noDelete' : 'readOnly' };
      // One record's failure must not stop the others, so it is logged and reported with the refusals.
      this.logger.warn(
        `Mass ${change.kind} of ${moduleName} ${id} by user ${user.id} failed: ${String(error)}`,
      );
      return { reason: 'error' };
    }
  }
}

/** Reads a query string into parameters, keeping every value of a repeated name. */
function groupParams(query: string): Map<string, string | string[]> {
  const params = new Map<string, string | string[]>();
  for (const [key, value] of new URLSearchParams(query.replace(/^\?/, ''))) {
    const previous = params.get(key);
    if (previous === undefined) params.set(key, value);
    else params.set(key, [...(Array.isArray(previous) ? previous : [previous]), value]);
  }
  return params;
}
