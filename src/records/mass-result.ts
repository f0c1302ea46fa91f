import type { Request, Response } from 'express';
import type { MassOutcome, MassRefusal } from './mass-actions.service.js';

/** The maximum number of refused records that the result page lists by name. It counts the others. */
export const MAX_LISTED_REFUSALS = 50;

/**
 * The outcome of the user's last mass action as its result page shows it. It is kept in the session, so
 * that the page is reached by a redirect after the POST and a reload shows it again without acting again.
 */
export interface StoredMassResult {
  module: string;
  /** Whether the action deleted the records, which then went to the recycle bin, or changed them. */
  deleted: boolean;
  changed: number;
  refusedCount: number;
  /** Refusals by reason, each with the ids of its first records (MAX_LISTED_REFUSALS over all groups). */
  groups: { refusal: MassRefusal; count: number; ids: number[] }[];
}

type SessionWithMassResult = { massResult?: StoredMassResult };

/** Groups the refusals of an outcome by reason and keeps the ids of the first refused records only. */
export function summariseOutcome(
  moduleName: string,
  outcome: MassOutcome,
  deleted: boolean,
): StoredMassResult {
  const groups = new Map<string, StoredMassResult['groups'][number]>();
  for (const [index, { id, refusal }] of outcome.refused.entries()) {
    const key =
      refusal.reason === 'invalid' ? `invalid:${refusal.field}:${refusal.error.code}` : refusal.reason;
    const group = groups.get(key) ?? { refusal, count: 0, ids: [] };
    group.count++;
    if (index < MAX_LISTED_REFUSALS) group.ids.push(id);
    groups.set(key, group);
  }
  return {
    module: moduleName,
    deleted,
    changed: outcome.changed,
    refusedCount: outcome.refused.length,
    groups: [...groups.values()],
  };
}

/** Keeps the result for the result page, replacing the result of an earlier mass action. */
export function storeMassResult(response: Response, result: StoredMassResult): void {
  const session = response.req.session as unknown as SessionWithMassResult | undefined;
  if (session) session.massResult = result;
}

/** Returns the stored result of the last mass action when it was one on the given module. */
export function storedMassResult(request: Request, moduleName: string): StoredMassResult | undefined {
  const session = request.session as unknown as SessionWithMassResult | undefined;
  const result = session?.massResult;
  return result?.module === moduleName ? result : undefined;
}
