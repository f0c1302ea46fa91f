import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';

/** The kinds of entry a record's timeline shows, in the order of its filter. */
export const TIMELINE_KINDS = ['note', 'activity', 'document', 'change'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One entry of a record's timeline. Texts are already translated; the view escapes them. */
export interface TimelineEntry {
  kind: TimelineKind;
  /** When it happened, in UTC as stored ('YYYY-MM-DD HH:MM:SS'); entries of every kind sort on it. */
  at: string;
  /** Whether `at` is a wall-clock time as typed (an activity's start) rather than UTC. */
  wallClock?: boolean;
  /** The display name of the user who did it; absent for the system. */
  userName?: string;
  /** One line in the user's words: "Call: Pricing review", "Sales Stage changed". */
  title: string;
  href?: string;
  /** Further lines: a note's text, "Sales Stage: Negotiation/Review → Closed Won". */
  lines?: string[];
  /** Links beside the entry, such as a document's download. */
  links?: { href: string; label: string }[];
}

/** The record whose timeline is read. */
export interface TimelineRecord {
  moduleName: string;
  id: number;
}

/**
 * Reads the newest entries of one kind for a record that the user may see, at most `limit`, newest first.
 * A source leaves out what the user may not see (a hidden field's changes, a document out of scope).
 */
export type TimelineSource = (
  user: CurrentUser,
  record: TimelineRecord,
  permissions: UserPermissions,
  limit: number,
) => Promise<TimelineEntry[]>;

/**
 * The sources of the timeline on every detail page: notes, activities, documents and field changes. Each
 * feature registers its source in onModuleInit, because the core imports no business module.
 */
@Injectable()
export class TimelineSources {
  private readonly sources: { kind: TimelineKind; read: TimelineSource; moduleName?: string }[] = [];

  /**
   * Registers a source. A source that reads the records of a module (activities, documents) names it, so
   * that a user whose profile cannot view the module is not offered its kind in the filter.
   */
  register(kind: TimelineKind, read: TimelineSource, moduleName?: string): void {
    this.sources.push({ kind, read, moduleName });
  }

  /** Kinds that have a source the user may read, in filter order. */
  kinds(permissions: UserPermissions): TimelineKind[] {
    return TIMELINE_KINDS.filter((kind) =>
      this.sources.some(
        (source) =>
          source.kind === kind && (!source.moduleName || permissions.can(source.moduleName, 'view')),
      ),
    );
  }

  /**
   * Returns the newest `limit` entries of the given kinds (every kind when `kinds` is empty), newest first,
   * and whether older ones exist.
   */
  async entries(
    user: CurrentUser,
    record: TimelineRecord,
    permissions: UserPermissions,
    kinds: readonly TimelineKind[],
    limit: number,
  ): Promise<{ entries: TimelineEntry[]; more: boolean }> {
    const chosen = this.sources.filter((source) => kinds.length === 0 || kinds.includes(source.kind));
    const read = await Promise.all(chosen.map((source) => source.read(user, record, permissions, limit + 1)));
    const entries = read.flat().sort((left, right) => right.at.localeCompare(left.at));
    return { entries: entries.slice(0, limit), more: entries.length > limit };
  }
}
