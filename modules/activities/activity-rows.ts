import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ALIAS } from '../../src/records/records.service.js';
import { formatDate, Locale } from '../../src/records/values.js';
import { activitiesManifest } from './activities.manifest.js';

/** The columns of an activity that the timeline and the home page show. */
export interface ActivityRow {
  id: number;
  subject: string | null;
  activityType: string | null;
  status: string | null;
  startDate: string | null;
  startTime: string | null;
  dueDate: string | null;
  assigneeName: string | null;
}

/** Selects an ActivityRow's columns on a query of the activities table under ALIAS, with the assignee's name. */
export function selectActivityRow(
  query: SelectQueryBuilder<ObjectLiteral>,
): SelectQueryBuilder<ObjectLiteral> {
  return query
    .select(`${ALIAS}.id`, 'id')
    .addSelect(`${ALIAS}.subject`, 'subject')
    .addSelect(`${ALIAS}.activity_type`, 'activityType')
    .addSelect(`${ALIAS}.status`, 'status')
    .addSelect(`${ALIAS}.start_date`, 'startDate')
    .addSelect(`${ALIAS}.start_time`, 'startTime')
    .addSelect(`${ALIAS}.due_date`, 'dueDate')
    .addSelect('COALESCE(assignee.full_name, assignee_group.name)', 'assigneeName')
    .leftJoin('users', 'assignee', `assignee.id = ${ALIAS}.assigned_user_id`)
    .leftJoin('user_groups', 'assignee_group', `assignee_group.id = ${ALIAS}.assigned_group_id`);
}

/** Reads the raw rows of selectActivityRow(), with dates as 'YYYY-MM-DD' on both databases. */
export function toActivityRow(row: Record<string, unknown>): ActivityRow {
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  const date = (value: unknown) => text(value)?.slice(0, 10) ?? null;
  return {
    id: Number(row.id),
    subject: text(row.subject),
    activityType: text(row.activityType),
    status: text(row.status),
    startDate: date(row.startDate),
    startTime: text(row.startTime),
    dueDate: date(row.dueDate),
    assigneeName: text(row.assigneeName),
  };
}

/**
 * Returns the date an activity is due: a task's due date, or the start date of a call or meeting (and of a
 * task without a due date).
 */
export function dueDateOf(row: Pick<ActivityRow, 'dueDate' | 'startDate'>): string | null {
  return row.dueDate ?? row.startDate;
}

/** Returns "Call: Pricing review", or the subject alone when the type is hidden or empty. */
export function activityTitle(row: ActivityRow, permissions: UserPermissions): string {
  const subject = row.subject ?? `#${row.id}`;
  return row.activityType && shown(permissions, 'activity_type')
    ? `${row.activityType}: ${subject}`
    : subject;
}

/**
 * Returns the lines that describe an activity, "Start Date: 12/05/2026 09:30", "Status: Planned" and "Assigned To:
 * Anna Bianchi", leaving out the fields the user's profile hides. Dates and times are wall-clock, as stored.
 */
export function activityLines(row: ActivityRow, permissions: UserPermissions, locale: Locale): string[] {
  const lines: string[] = [];
  const line = (field: string, text: string | null) => {
    const definition = activitiesManifest.fields.find((candidate) => candidate.name === field)!;
    if (text && shown(permissions, field)) lines.push(`${translate(locale, definition.label)}: ${text}`);
  };
  const start = row.startDate ? `${formatDate(row.startDate, locale)} ${row.startTime ?? ''}`.trim() : null;
  line('start_date', start);
  line('due_date', row.dueDate ? formatDate(row.dueDate, locale) : null);
  line('status', row.status);
  line('assigned_user_id', row.assigneeName);
  return lines;
}

function shown(permissions: UserPermissions, field: string): boolean {
  const definition = activitiesManifest.fields.find((candidate) => candidate.name === field);
  return definition !== undefined && !permissions.isHidden(activitiesManifest.name, definition);
}
