import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { TimelineKind, TimelineRecord, TimelineSources } from './timeline.js';
import { formatDateTime } from './values.js';

/** Entries the timeline shows at first, and how many more each "Show older" adds. */
export const TIMELINE_PAGE_SIZE = 20;

/** The maximum number of entries one page shows, so that a long "Show older" chain cannot request thousands of rows. */
const TIMELINE_MAX_SHOWN = 500;

/** Kinds that the relations menu links to beside the timeline: documents and activities have lists there. */
const MENU_KINDS: readonly TimelineKind[] = ['note', 'change'];

/** The query parameters of the timeline on a detail page: `timeline` (the kind shown) and `shown` (how many). */
export interface TimelineQuery {
  timeline?: unknown;
  shown?: unknown;
}

/**
 * Builds the timeline section of a detail page from the registered sources: the kind filter as links, the
 * entries with their times in the user's locale, "Show older" while older entries exist, and the note form.
 */
@Injectable()
export class TimelineSection {
  constructor(private readonly sources: TimelineSources) {}

  async model(user: CurrentUser, record: TimelineRecord, permissions: UserPermissions, query: TimelineQuery) {
    const kinds = this.sources.kinds(permissions);
    if (kinds.length === 0) return undefined;

    const chosen = kinds.find((kind) => kind === query.timeline);
    const shown = shownCount(query.shown);
    const { entries, more } = await this.sources.entries(
      user,
      record,
      permissions,
      chosen ? [chosen] : [],
      shown,
    );
    const base = `/${record.moduleName}/${record.id}`;
    const filterHref = (kind: TimelineKind | undefined) =>
      `${base}${kind ? `?timeline=${kind}` : ''}#timeline`;

    return {
      // The relations menu reaches the notes and the history as the timeline's filters show them.
      menuLinks: MENU_KINDS.filter((kind) => kinds.includes(kind)).map((kind) => ({
        label: translate(user.locale, `timeline.menu.${kind}`),
        href: filterHref(kind),
      })),
      filters: [undefined, ...kinds].map((kind) => ({
        label: translate(user.locale, `timeline.kinds.${kind ?? 'all'}`),
        href: filterHref(kind),
        current: kind === chosen,
      })),
      entries: entries.map((entry) => ({
        ...entry,
        kindLabel: translate(user.locale, `timeline.kind.${entry.kind}`),
        // Stored times are UTC and users have no time zone of their own, so UTC times carry the label.
        when: `${formatDateTime(entry.at, user.locale)}${entry.wallClock ? '' : ' UTC'}`,
      })),
      olderHref: more
        ? `${base}?${chosen ? `timeline=${chosen}&` : ''}shown=${shown + TIMELINE_PAGE_SIZE}#timeline-older`
        : undefined,
      // The entry after the ones shown before "Show older" was followed, where the browser scrolls to.
      olderAnchorIndex: shown > TIMELINE_PAGE_SIZE ? shown - TIMELINE_PAGE_SIZE : undefined,
      noteForm: kinds.includes('note') ? { module: record.moduleName, recordId: record.id } : undefined,
    };
  }
}

/** Reads the number of entries to show: a multiple of the page size, at least one page, at most the cap. */
function shownCount(value: unknown): number {
  const requested = typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  if (!Number.isSafeInteger(requested) || requested <= TIMELINE_PAGE_SIZE) return TIMELINE_PAGE_SIZE;
  const pages = Math.ceil(requested / TIMELINE_PAGE_SIZE);
  return Math.min(pages * TIMELINE_PAGE_SIZE, TIMELINE_MAX_SHOWN);
}
