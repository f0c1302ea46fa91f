import { Body, Controller, Get, Logger, Post, Query, Res, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { CurrentUser } from './current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { AdminGuard } from '../auth/guards.js';
import { inTransaction } from '../database/transaction.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import {
  DEFAULT_SHARING_LEVEL,
  SHARING_LEVELS,
  SharingLevel,
  SharingSettingEntity,
} from './sharing.entity.js';

/** The organisation-wide sharing level of every module. Only administrators reach this page. */
@Controller('admin/sharing')
@UseGuards(AdminGuard)
export class SharingController {
  private readonly logger = new Logger(SharingController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  @Get()
  async page(
    @User() user: CurrentUser,
    @Query('saved') saved: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    await this.render(response, user, [], saved === '1');
  }

  @Post()
  async save(
    @User() user: CurrentUser,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const chosen = this.registry
      .all()
      .map((manifest) => ({ module: manifest.name, level: body[manifest.name] }));
    const invalid = chosen
      .filter((entry) => !SHARING_LEVELS.includes(entry.level as SharingLevel))
      .map((entry) => entry.module);
    if (invalid.length > 0) return this.render(response.status(422), user, invalid, false);

    await inTransaction(this.dataSource, async (manager) => {
      for (const entry of chosen)
        await manager.save(SharingSettingEntity, {
          module: entry.module,
          level: entry.level as SharingLevel,
        });
    });
    this.logger.log(
      `User ${user.id} set sharing levels: ${chosen.map((entry) => `${entry.module}=${String(entry.level)}`).join(', ')}`,
    );
    response.redirect(303, '/admin/sharing?saved=1');
  }

  private async render(
    response: Response,
    user: CurrentUser,
    invalidModules: string[],
    saved: boolean,
  ): Promise<void> {
    const stored = await this.dataSource.getRepository(SharingSettingEntity).find();
    const levelOf = new Map(stored.map((setting) => [setting.module, setting.level]));
    const locale = user.locale;

    response.render('admin/sharing', {
      title: 'sharing.title',
      saved,
      modules: this.registry.all().map((manifest) => ({
        name: manifest.name,
        label: translate(locale, manifest.label),
        invalid: invalidModules.includes(manifest.name),
        levels: SHARING_LEVELS.map((level) => ({
          value: level,
          label: translate(locale, `sharing.levels.${level}`),
          selected: level === (levelOf.get(manifest.name) ?? DEFAULT_SHARING_LEVEL),
        })),
      })),
    });
  }
}
