import { Controller, Get, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { translate } from '../i18n/i18n.service.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { formatDateTime } from '../records/values.js';
import { setFlash } from '../web/flash.js';
import { BIN_PAGE_SIZE, BinnedRecord, RecycleBinService } from './recycle-bin.service.js';

/**
 * The recycle bin's pages: the binned records with Restore, and confirmation pages to delete one for good or
 * to empty the bin. Every user may open it, and only an administrator lists the records other users deleted.
 */
@Controller('recycle-bin')
export class RecycleBinController {
  constructor(private readonly bin: RecycleBinService) {}

  @Get()
  async list(
    @User() user: CurrentUser,
    @Query('module') moduleFilter: unknown,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderList(response, user, moduleFilter);
  }

  @Post(':module/:id/restore')
  async restore(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const result = await this.bin.restore(user, moduleName, id);
    if (!result.ok) {
      const error = translate(user.locale, `recycleBin.errors.${result.code}`, result.params);
      return this.renderList(response.status(409), user, undefined, error);
    }
    setFlash(response, 'recycleBin.restored', { name: result.name });
    response.redirect(303, `/${moduleName}/${id}`);
  }

  @Get(':module/:id/delete')
  async purgePage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const record = await this.bin.find(user, moduleName, id);
    response.render('recycle-bin/confirm', {
      title: 'recycleBin.purgeTitle',
      action: `/recycle-bin/${moduleName}/${id}/delete`,
      question: translate(user.locale, 'recycleBin.purgeConfirm', { name: record.name }),
      submit: 'recycleBin.purgeSubmit',
    });
  }

  @Post(':module/:id/delete')
  async purge(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const name = await this.bin.purge(user, moduleName, id);
    setFlash(response, 'recycleBin.purged', { name });
    response.redirect(303, '/recycle-bin');
  }

  @Get('empty')
  async emptyPage(
    @User() user: CurrentUser,
    @Query('module') moduleFilter: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const moduleName = await this.moduleFilterOf(user, moduleFilter);
    // The list stops at one page, and emptying purges them all, so the question counts them all.
    const count = await this.bin.count(user, moduleName);
    const query = moduleName ? `?module=${encodeURIComponent(moduleName)}` : '';
    response.render('recycle-bin/confirm', {
      title: 'recycleBin.emptyTitle',
      action: `/recycle-bin/empty${query}`,
      question: translate(
        user.locale,
        user.isAdmin ? 'recycleBin.emptyConfirmAll' : 'recycleBin.emptyConfirmOwn',
        { count },
      ),
      submit: 'recycleBin.emptySubmit',
    });
  }

  @Post('empty')
  async empty(
    @User() user: CurrentUser,
    @Query('module') moduleFilter: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const moduleName = await this.moduleFilterOf(user, moduleFilter);
    const { purged, failed } = await this.bin.empty(user, moduleName);
    setFlash(response, failed > 0 ? 'recycleBin.emptiedWithFailures' : 'recycleBin.emptied', {
      count: purged,
      failed,
    });
    response.redirect(303, '/recycle-bin');
  }

  private async renderList(
    response: Response,
    user: CurrentUser,
    moduleFilter: unknown,
    error?: string,
  ): Promise<void> {
    const moduleName = await this.moduleFilterOf(user, moduleFilter);
    const modules = await this.bin.modulesOf(user);
    const labels = new Map(
      modules.map((manifest) => [manifest.name, translate(user.locale, manifest.label)]),
    );
    const records = await this.bin.list(user, moduleName);
    response.render('recycle-bin/list', {
      title: 'recycleBin.title',
      error,
      moduleName,
      emptyHref: `/recycle-bin/empty${moduleName ? `?module=${encodeURIComponent(moduleName)}` : ''}`,
      intro: user.isAdmin ? 'recycleBin.introAdmin' : 'recycleBin.introUser',
      modules: modules.map((manifest) => ({
        name: manifest.name,
        label: labels.get(manifest.name),
        selected: manifest.name === moduleName,
      })),
      records: records.map((record: BinnedRecord) => ({
        ...record,
        moduleLabel: labels.get(record.module),
        deletedAtText: formatDateTime(record.deletedAt, user.locale),
      })),
      limited: records.length >= BIN_PAGE_SIZE,
      pageSize: BIN_PAGE_SIZE,
    });
  }

  /** Reads the module filter: absent or empty for every module, otherwise a module the user may handle. */
  private async moduleFilterOf(user: CurrentUser, value: unknown): Promise<string | undefined> {
    if (value === undefined || value === '') return undefined;
    const modules = await this.bin.modulesOf(user);
    if (typeof value !== 'string' || !modules.some((manifest) => manifest.name === value))
      throw new NotFoundException();
    return value;
  }
}
