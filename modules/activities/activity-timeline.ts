import { Injectable, OnModuleInit } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { ALIAS, RecordsService } from '../../src/records/records.service.js';
import { TimelineEntry, TimelineRecord, TimelineSources } from '../../src/records/timeline.js';
import { ACTIVITY_TARGETS, activitiesManifest } from './activities.manifest.js';
import { activityLines, activityTitle, selectActivityRow, toActivityRow } from './activity-rows.js';

/**
 * The activities of a record's timeline: those linked to it that the user may see. An activity sorts on its
 * start date and time, else its due date, else its creation, so a meeting planned for next week is listed above
 * today's notes.
 */
@Injectable()
export class ActivityTimeline implements OnModuleInit {
  constructor(
    private readonly records: RecordsService,
    private readonly sources: TimelineSources,
  ) {}

  onModuleInit(): void {
    this.sources.register(
      'activity',
      (user, record, permissions, limit) => this.entries(user, record, permissions, limit),
      activitiesManifest.name,
    );
  }

  async entries(
    user: CurrentUser,
    record: TimelineRecord,
    permissions: UserPermissions,
    limit: number,
  ): Promise<TimelineEntry[]> {
    const target = ACTIVITY_TARGETS.find((module) => module === record.moduleName);
    if (!target || !permissions.can(activitiesManifest.name, 'view')) return [];

    // NOTE: an activity's date and time are wall-clock while notes carry UTC, so on a server far from UTC an
    // activity and a note of the same hour may sort in the wrong order.
    // Undated activities sort on when they were created.
    const when = `COALESCE(${ALIAS}.start_date, ${ALIAS}.due_date, ${ALIAS}.created_at)`;
    const query = selectActivityRow(this.records.visibleQuery(activitiesManifest, user, undefined, 'none'))
      .innerJoin(
        'record_relations',
        'link',
        `link.relation = :relation AND link.id_a = ${ALIAS}.id AND link.module_b = :module AND link.id_b = :id`,
        { relation: `${activitiesManifest.name}.${target}`, module: record.moduleName, id: record.id },
      )
      .addSelect(`${ALIAS}.created_at`, 'createdAt')
      .orderBy(when, 'DESC')
      .addOrderBy(`${ALIAS}.start_time`, 'DESC')
      .addOrderBy(`${ALIAS}.id`, 'DESC')
      .limit(limit);
    const rows = await query.getRawMany<Record<string, unknown>>();

    return rows.map((raw) => {
      const row = toActivityRow(raw);
      const date = row.startDate ?? row.dueDate;
      const at = date
        ? `${date} ${row.startDate && row.startTime ? row.startTime : '00:00'}:00`
        : String(raw.createdAt).slice(0, 19);
      return {
        kind: 'activity' as const,
        at,
        wallClock: date !== null,
        title: activityTitle(row, permissions),
        href: `/${activitiesManifest.name}/${row.id}`,
        lines: activityLines(row, permissions, user.locale),
      };
    });
  }
}
