import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { setFlash } from '../web/flash.js';
import { NOTE_MAX_LENGTH, NotesService, NoteText } from './notes.service.js';

/** The URL of a record's timeline, where every note form returns. */
function timelineHref(moduleName: string, recordId: number): string {
  return `/${moduleName}/${recordId}#timeline`;
}

/**
 * Routes that add, edit and delete notes. The add form is part of every detail page's timeline. A rejected
 * text comes back on a page of its own with the message and the typed text.
 */
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  async add(
    @User() user: CurrentUser,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const moduleName = typeof body.module === 'string' ? body.module : '';
    const recordId = Number(body.recordId);
    const text = typeof body.text === 'string' ? body.text : '';
    const result = await this.notes.add(
      user,
      moduleName,
      Number.isSafeInteger(recordId) ? recordId : 0,
      text,
    );
    if (!result.ok)
      return this.renderForm(response, user, result, {
        action: '/notes',
        text,
        hidden: { module: moduleName, recordId: String(recordId) },
        cancelHref: timelineHref(moduleName, recordId),
      });

    setFlash(response, 'notes.added');
    response.redirect(303, timelineHref(moduleName, recordId));
  }

  @Get(':id/edit')
  async editPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const note = await this.notes.findChangeable(user, id);
    this.renderForm(response, user, undefined, {
      action: `/notes/${id}/edit`,
      text: note.body,
      hidden: {},
      cancelHref: timelineHref(note.module, note.recordId),
    });
  }

  @Post(':id/edit')
  async edit(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const text = typeof body.text === 'string' ? body.text : '';
    const result = await this.notes.update(user, id, text);
    const back = timelineHref(result.note.module, result.note.recordId);
    if (!result.ok)
      return this.renderForm(response, user, result, {
        action: `/notes/${id}/edit`,
        text,
        hidden: {},
        cancelHref: back,
      });

    setFlash(response, 'notes.saved');
    response.redirect(303, back);
  }

  @Get(':id/delete')
  async deletePage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const note = await this.notes.findChangeable(user, id);
    response.render('notes/delete', {
      title: 'notes.deleteTitle',
      action: `/notes/${id}/delete`,
      excerpt: note.body.length > 200 ? `${note.body.slice(0, 200)}…` : note.body,
      cancelHref: timelineHref(note.module, note.recordId),
    });
  }

  @Post(':id/delete')
  async delete(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const note = await this.notes.remove(user, id);
    setFlash(response, 'notes.deleted');
    response.redirect(303, timelineHref(note.module, note.recordId));
  }

  /** Shows the note form, with the error of a rejected text (status 422) and the text as typed. */
  private renderForm(
    response: Response,
    user: CurrentUser,
    rejected: Extract<NoteText, { ok: false }> | undefined,
    form: { action: string; text: string; hidden: Record<string, string>; cancelHref: string },
  ): void {
    response.status(rejected ? 422 : 200).render('notes/form', {
      title: rejected && form.action === '/notes' ? 'notes.addTitle' : 'notes.editTitle',
      ...form,
      hidden: Object.entries(form.hidden).map(([name, value]) => ({ name, value })),
      maxLength: NOTE_MAX_LENGTH,
      error: rejected ? translate(user.locale, rejected.error.key, { ...rejected.error.params }) : undefined,
    });
  }
}
