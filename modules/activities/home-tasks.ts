import { Injectable, OnModuleInit } from '@nestjs/common';
import { Brackets } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { Clock } from '../../src/layout/clock.js';
import { ALIAS, RecordsService } from '../../src/records/records.service.js';
import { formatDate, localToday } from '../../src/records/values.js';
import { HomeSection, HomeSections } from '../../src/web/home-sections.js';
import { activitiesManifest, CLOSED_STATUSES } from './activities.manifest.js';
import { ActivityRow, activityTitle, dueDateOf, selectActivityRow, toActivityRow } from './activity-rows.js';

/** Maximum number of activities in each list of the home page. The count above the list includes the rest. */
const HOME_LIST_SIZE = 50;

/**
 * The home page's lists of the user's open activities: overdue (due before today) and due today. A task is due
 * on its due date, a call or meeting on its start date. Completed and cancelled ones are left out.
 */
@Injectable()
export class HomeTasks implements OnModuleInit {
  constructor(
    private readonly records: RecordsService,
    private readonly sections: HomeSections,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sections.register(activitiesManifest.name, (user, permissions) => this.section(user, permissions));
  }

  async section(user: CurrentUser, permissions: UserPermissions): Promise<HomeSection | undefined> {
    if (!permissions.can(activitiesManifest.name, 'view')) return undefined;
    // NOTE: "today" is the server's date, because users have no time zone of their own.
    const today = localToday(this.clock.now());
    const overdue = await this.list(user, 'overdue', today);
    const dueToday = await this.list(user, 'today', today);

    const view = (row: ActivityRow) => {
      const due = dueDateOf(row);
      return {
        title: activityTitle(row, permissions),
        href: `/${activitiesManifest.name}/${row.id}`,
        due: due ? formatDate(due, user.locale) : '',
        time: row.dueDate === null && row.startTime ? row.startTime : '',
        status: row.status ?? '',
      };
    };
    return {
      partial: 'activities-home-tasks',
      model: {
        overdue: { count: overdue.count, rows: overdue.rows.map(view) },
        today: { count: dueToday.count, rows: dueToday.rows.map(view) },
        listHref: `/${activitiesManifest.name}?assigned_user_id=${user.id}`,
        createHref: `/${activitiesManifest.name}/new`,
        canCreate: permissions.can(activitiesManifest.name, 'create'),
      },
    };
  }

  /** Counts and reads the user's open activities due before today, or today, through the access scope. */
  private async list(
    user: CurrentUser,
    which: 'overdue' | 'today',
    today: string,
  ): Promise<{ count: number; rows: ActivityRow[] }> {
    const due = `COALESCE(${ALIAS}.due_date, ${ALIAS}.start_date)`;
    const query = () =>
      this.records
        .visibleQuery(activitiesManifest, user, undefined, 'none')
        .andWhere(`${ALIAS}.assigned_user_id = :userId`, { userId: user.id })
        .andWhere(
          new Brackets((open) =>
            open.where(`${ALIAS}.status IS NULL`).orWhere(`${ALIAS}.status NOT IN (:...closed)`, {
              closed: CLOSED_STATUSES,
            }),
          ),
        )
        .andWhere(which === 'overdue' ? `${due} < :today` : `${due} = :today`, { today });

    const counted = await query().select('COUNT(*)', 'total').getRawOne<{ total: number | string }>();
    const rows = await selectActivityRow(query())
      .orderBy(due, 'ASC')
      .addOrderBy(`${ALIAS}.start_time`, 'ASC')
      .addOrderBy(`${ALIAS}.id`, 'ASC')
      .limit(HOME_LIST_SIZE)
      .getRawMany<Record<string, unknown>>();
    return { count: Number(counted?.total ?? 0), rows: rows.map(toActivityRow) };
  }
}
