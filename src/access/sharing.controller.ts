import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { AdminBoundsService } from './admin-bounds.service.js';
import type { CurrentUser } from './current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { inTransaction } from '../database/transaction.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { utcNow } from '../records/values.js';
import { RoleEntity } from '../roles/role.entity.js';
import {
  RULE_ACCESSES,
  RULE_ROLE_KINDS,
  RuleAccess,
  RuleRoleKind,
  SharingRuleEntity,
} from './sharing-rule.entity.js';
import {
  DEFAULT_SHARING_LEVEL,
  SHARING_LEVELS,
  SharingLevel,
  SharingSettingEntity,
} from './sharing.entity.js';

/**
 * The organisation-wide sharing level of every module and the sharing rules. Administrators and users whose
 * profile grants user administration reach this page. Only administrators change the levels, because a
 * level opens records across the whole organisation. The others may add and delete the rules that their
 * bounds allow.
 */
@Controller('admin/sharing')
@RequiresAdminArea('users')
export class SharingController {
  private readonly logger = new Logger(SharingController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly bounds: AdminBoundsService,
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
    if (!(await this.bounds.forUser(user)).isAdministrator) throw new ForbiddenException();
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

  @Post('rules')
  async addRule(
    @User() user: CurrentUser,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const sourceRoleId = Number(body.sourceRoleId);
    const targetRoleId = Number(body.targetRoleId);
    const roles = this.dataSource.getRepository(RoleEntity);
    const valid =
      this.registry.has(String(body.module)) &&
      RULE_ROLE_KINDS.includes(body.sourceKind as RuleRoleKind) &&
      RULE_ROLE_KINDS.includes(body.targetKind as RuleRoleKind) &&
      RULE_ACCESSES.includes(body.access as RuleAccess) &&
      Number.isSafeInteger(sourceRoleId) &&
      Number.isSafeInteger(targetRoleId) &&
      (await roles.existsBy({ id: sourceRoleId })) &&
      (await roles.existsBy({ id: targetRoleId }));
    if (!valid) return this.render(response.status(422), user, [], false, true);
    if (!(await this.bounds.forUser(user)).mayChangeSharingRule(sourceRoleId, targetRoleId))
      throw new ForbiddenException();

    const inserted = await this.dataSource.getRepository(SharingRuleEntity).insert({
      module: String(body.module),
      sourceKind: body.sourceKind as RuleRoleKind,
      sourceRoleId,
      targetKind: body.targetKind as RuleRoleKind,
      targetRoleId,
      access: body.access as RuleAccess,
      createdAt: utcNow(),
    });
    this.logger.log(
      `User ${user.id} added sharing rule ${String((inserted.identifiers[0] as { id: number }).id)}`,
    );
    response.redirect(303, '/admin/sharing');
  }

  @Post('rules/:id/delete')
  async deleteRule(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const rule = await this.dataSource.getRepository(SharingRuleEntity).findOneBy({ id });
    if (!rule) throw new NotFoundException();
    if (!(await this.bounds.forUser(user)).mayChangeSharingRule(rule.sourceRoleId, rule.targetRoleId))
      throw new ForbiddenException();

    const result = await this.dataSource.getRepository(SharingRuleEntity).delete({ id });
    if (!result.affected) throw new NotFoundException();
    this.logger.log(`User ${user.id} deleted sharing rule ${id}`);
    response.redirect(303, '/admin/sharing');
  }

  private async render(
    response: Response,
    user: CurrentUser,
    invalidModules: string[],
    saved: boolean,
    invalidRule = false,
  ): Promise<void> {
    const stored = await this.dataSource.getRepository(SharingSettingEntity).find();
    const roles = await this.dataSource.getRepository(RoleEntity).find({ order: { path: 'ASC' } });
    const roleName = new Map(roles.map((role) => [role.id, role.name]));
    const rules = await this.dataSource
      .getRepository(SharingRuleEntity)
      .find({ order: { module: 'ASC', id: 'ASC' } });
    const levelOf = new Map(stored.map((setting) => [setting.module, setting.level]));
    const bounds = await this.bounds.forUser(user);
    const locale = user.locale;

    const kindLabel = (kind: RuleRoleKind, id: number) =>
      translate(locale, `sharing.kinds.${kind}`, { role: roleName.get(id) ?? `#${id}` });
    response.render('admin/sharing', {
      title: 'sharing.title',
      saved,
      invalidRule,
      mayChangeLevels: bounds.isAdministrator,
      limitedRules: !bounds.isAdministrator,
      rules: rules.map((rule) => ({
        deletable: bounds.mayChangeSharingRule(rule.sourceRoleId, rule.targetRoleId),
        id: rule.id,
        module: translate(
          locale,
          this.registry.has(rule.module) ? this.registry.get(rule.module).label : rule.module,
        ),
        source: kindLabel(rule.sourceKind, rule.sourceRoleId),
        target: kindLabel(rule.targetKind, rule.targetRoleId),
        access: translate(locale, `sharing.access.${rule.access}`),
      })),
      moduleOptions: this.registry
        .all()
        .map((manifest) => ({ value: manifest.name, label: translate(locale, manifest.label) })),
      sourceRoleOptions: roles
        .filter((role) => bounds.mayChangeRole(role.id))
        .map((role) => ({ value: String(role.id), label: role.name })),
      targetRoleOptions: roles
        .filter((role) => bounds.mayAddUnder(role.id))
        .map((role) => ({ value: String(role.id), label: role.name })),
      kindOptions: RULE_ROLE_KINDS.map((kind) => ({
        value: kind,
        label: translate(locale, `sharing.kindNames.${kind}`),
      })),
      accessOptions: RULE_ACCESSES.map((access) => ({
        value: access,
        label: translate(locale, `sharing.access.${access}`),
      })),
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
