import { ForbiddenException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService, UserPermissions } from '../access/permissions.service.js';
import { EventBus } from '../events/event-bus.js';
import { RecordDeletedEvent } from '../events/record-changes.event.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { RecordsService } from '../records/records.service.js';
import type { TimelineEntry, TimelineRecord } from '../records/timeline.js';
import { TimelineSources } from '../records/timeline.js';
import { utcNow } from '../records/values.js';
import { RecordNote, RecordNoteEntity } from './record-note.entity.js';

/** The maximum length of a note, in characters: about three printed pages. */
export const NOTE_MAX_LENGTH = 10000;

/** The outcome of checking a note's text: the trimmed text, or the catalogue key and values of its error. */
export type NoteText = { ok: true; body: string } | { ok: false; error: { key: string; params: object } };

/**
 * Notes on records of every module. A user who may see a record may read and add its notes, because a note
 * adds to the record's story without changing its fields, as comments do in vtiger. Only the author and an
 * administrator may edit or delete a note.
 */
@Injectable()
export class NotesService implements OnModuleInit {
  private readonly logger = new Logger(NotesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly events: EventBus,
    private readonly timeline: TimelineSources,
  ) {}

  onModuleInit(): void {
    this.events.on(RecordDeletedEvent, (event) => this.forgetDeletedRecord(event), {
      order: 50,
      owner: NotesService.name,
    });
    this.timeline.register('note', (user, record, permissions, limit) =>
      this.timelineEntries(user, record, permissions, limit),
    );
  }

  /** Checks that the user may see the record, and throws NotFound otherwise, as for a record that does not exist. */
  async requireVisibleRecord(user: CurrentUser, moduleName: string, recordId: number): Promise<void> {
    if (!this.registry.has(moduleName)) throw new NotFoundException();
    const permissions = await this.permissions.forUser(user);
    if (!permissions.can(moduleName, 'view')) throw new NotFoundException();
    await this.records.findVisible(moduleName, user, recordId);
  }

  /** Adds a note to a record the user may see, or returns the error of its text. */
  async add(user: CurrentUser, moduleName: string, recordId: number, text: string): Promise<NoteText> {
    await this.requireVisibleRecord(user, moduleName, recordId);
    const checked = checkNoteText(text);
    if (!checked.ok) return checked;

    await this.dataSource.manager.insert(RecordNoteEntity, {
      module: moduleName,
      recordId,
      body: checked.body,
      authorId: user.id,
      createdAt: utcNow(),
      editedAt: null,
    });
    this.logger.log(`User ${user.id} added a note to ${moduleName} ${recordId}`);
    return checked;
  }

  /**
   * Loads a note that the user may change: its record must be visible (NotFound otherwise, as for a note that
   * does not exist), and the user must be its author or an administrator (Forbidden otherwise).
   */
  async findChangeable(user: CurrentUser, noteId: number): Promise<RecordNote> {
    const note = await this.dataSource.manager.findOne(RecordNoteEntity, { where: { id: noteId } });
    if (!note) throw new NotFoundException();
    await this.requireVisibleRecord(user, note.module, note.recordId);
    if (!mayChange(user, note)) throw new ForbiddenException();
    return note;
  }

  async update(user: CurrentUser, noteId: number, text: string): Promise<NoteText & { note: RecordNote }> {
    const note = await this.findChangeable(user, noteId);
    const checked = checkNoteText(text);
    if (!checked.ok) return { ...checked, note };

    await this.dataSource.manager.update(
      RecordNoteEntity,
      { id: noteId },
      { body: checked.body, editedAt: utcNow() },
    );
    this.logger.log(`User ${user.id} edited note ${noteId} of ${note.module} ${note.recordId}`);
    return { ...checked, note };
  }

  async remove(user: CurrentUser, noteId: number): Promise<RecordNote> {
    const note = await this.findChangeable(user, noteId);
    await this.dataSource.manager.delete(RecordNoteEntity, { id: noteId });
    this.logger.log(`User ${user.id} deleted note ${noteId} of ${note.module} ${note.recordId}`);
    return note;
  }

  /**
   * Copies every note of one record to another in the caller's transaction, keeping author and times, and
   * returns how many were copied.
   */
  async copy(manager: EntityManager, from: TimelineRecord, to: TimelineRecord): Promise<number> {
    const notes = await manager.find(RecordNoteEntity, {
      where: { module: from.moduleName, recordId: from.id },
      order: { id: 'ASC' },
    });
    if (notes.length === 0) return 0;
    await manager.insert(
      RecordNoteEntity,
      notes.map(({ body, authorId, createdAt, editedAt }) => ({
        module: to.moduleName,
        recordId: to.id,
        body,
        authorId,
        createdAt,
        editedAt,
      })),
    );
    return notes.length;
  }

  /** Reads a record's newest notes with their authors, for the timeline, with Edit and Delete where allowed. */
  private async timelineEntries(
    user: CurrentUser,
    record: TimelineRecord,
    _permissions: UserPermissions,
    limit: number,
  ): Promise<TimelineEntry[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('n.id', 'id')
      .addSelect('n.body', 'body')
      .addSelect('n.author_id', 'authorId')
      .addSelect('n.created_at', 'createdAt')
      .addSelect('n.edited_at', 'editedAt')
      .addSelect('u.full_name', 'authorName')
      .from(RecordNoteEntity, 'n')
      .leftJoin('users', 'u', 'u.id = n.author_id')
      .where('n.module = :module AND n.record_id = :recordId', {
        module: record.moduleName,
        recordId: record.id,
      })
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(limit)
      .getRawMany<{
        id: number;
        body: string;
        authorId: number | null;
        createdAt: string;
        editedAt: string | null;
        authorName: string | null;
      }>();

    return rows.map((row) => {
      const note = { authorId: row.authorId === null ? null : Number(row.authorId) };
      const links = mayChange(user, note)
        ? [
            { href: `/notes/${row.id}/edit`, label: translate(user.locale, 'notes.edit') },
            { href: `/notes/${row.id}/delete`, label: translate(user.locale, 'notes.delete') },
          ]
        : [];
      return {
        kind: 'note' as const,
        at: String(row.createdAt).slice(0, 19),
        userName: row.authorName ?? undefined,
        title: translate(user.locale, row.editedAt ? 'notes.titleEdited' : 'notes.title'),
        lines: String(row.body).split(/\r?\n/),
        links,
      };
    });
  }

  /** Deletes the notes of a deleted record in the deletion's transaction. */
  private async forgetDeletedRecord(event: RecordDeletedEvent): Promise<void> {
    await event.manager.delete(RecordNoteEntity, { module: event.moduleName, recordId: event.id });
  }
}

/** Tells whether the user may edit or delete the note: its author or an administrator. */
function mayChange(user: CurrentUser, note: Pick<RecordNote, 'authorId'>): boolean {
  return user.isAdmin || note.authorId === user.id;
}

/** Trims a note's text and checks that it is neither empty nor longer than NOTE_MAX_LENGTH. */
export function checkNoteText(text: string): NoteText {
  const body = text.trim();
  if (body === '') return { ok: false, error: { key: 'notes.errors.empty', params: {} } };
  if (body.length > NOTE_MAX_LENGTH)
    return {
      ok: false,
      error: { key: 'notes.errors.tooLong', params: { max: NOTE_MAX_LENGTH, length: body.length } },
    };
  return { ok: true, body };
}
