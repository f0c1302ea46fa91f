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
import { AdminBoundsService, RuleSide } from './admin-bounds.service.js';
import type { CurrentUser } from './current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { inTransaction } from '../database/transaction.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { utcNow } from '../records/values.js';
import { RoleEntity } from '../roles/role.entity.js';
import { GroupEntity } from '../groups/group.entity.js';
import {
  RULE_ACCESSES,
  RULE_SIDE_KINDS,
  RuleAccess,
  RuleSideKind,
  SharingRule,
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
    // A module the form does not name keeps its level, such as one enabled after the page was opened.
    const chosen = this.registry
      .all()
      .filter((manifest) => body[manifest.name] !== undefined)
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
    const source = await this.readSide(body.source);
    const target = await this.readSide(body.target);
    const valid =
      this.registry.has(String(body.module)) &&
      RULE_ACCESSES.includes(body.access as RuleAccess) &&
      source !== undefined &&
      target !== undefined;
    if (!valid) return this.render(response.status(422), user, [], false, true);
    if (!(await this.bounds.forUser(user)).mayChangeSharingRule(source, target))
      throw new ForbiddenException();

    const inserted = await this.dataSource.getRepository(SharingRuleEntity).insert({
      module: String(body.module),
      sourceKind: source.kind,
      sourceRoleId: source.roleId,
      sourceGroupId: source.groupId,
      targetKind: target.kind,
      targetRoleId: target.roleId,
      targetGroupId: target.groupId,
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
    if (
      !(await this.bounds.forUser(user)).mayChangeSharingRule(ruleSides(rule).source, ruleSides(rule).target)
    )
      throw new ForbiddenException();

    const result = await this.dataSource.getRepository(SharingRuleEntity).delete({ id });
    if (!result.affected) throw new NotFoundException();
    this.logger.log(`User ${user.id} deleted sharing rule ${id}`);
    response.redirect(303, '/admin/sharing');
  }

  /** Reads one side of a rule, `<kind>:<id>`, and checks that its role or group exists. */
  private async readSide(
    raw: unknown,
  ): Promise<{ kind: RuleSideKind; roleId: number | null; groupId: number | null } | undefined> {
    const match = typeof raw === 'string' ? /^([a-z_]+):(\d{1,10})$/.exec(raw) : null;
    if (!match || !RULE_SIDE_KINDS.includes(match[1] as RuleSideKind)) return undefined;
    const kind = match[1] as RuleSideKind;
    const id = Number(match[2]);
    if (kind === 'group') {
      const exists = await this.dataSource.getRepository(GroupEntity).existsBy({ id });
      return exists ? { kind, roleId: null, groupId: id } : undefined;
    }
    const exists = await this.dataSource.getRepository(RoleEntity).existsBy({ id });
    return exists ? { kind, roleId: id, groupId: null } : undefined;
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
    const groups = await this.dataSource.getRepository(GroupEntity).find({ order: { name: 'ASC' } });
    const groupName = new Map(groups.map((group) => [group.id, group.name]));
    const rules = await this.dataSource
      .getRepository(SharingRuleEntity)
      .find({ order: { module: 'ASC', id: 'ASC' } });
    const levelOf = new Map(stored.map((setting) => [setting.module, setting.level]));
    const bounds = await this.bounds.forUser(user);
    const locale = user.locale;

    const sideLabel = (kind: RuleSideKind, roleId: number | null, groupId: number | null) =>
      kind === 'group'
        ? translate(locale, 'sharing.kinds.group', { group: groupName.get(groupId!) ?? `#${groupId}` })
        : translate(locale, `sharing.kinds.${kind}`, { role: roleName.get(roleId!) ?? `#${roleId}` });
    // A closed drop-down hides its headings, so each option names its own kind of side.
    const optionLabel = (kind: RuleSideKind, name: string) =>
      translate(locale, `sharing.optionLabels.${kind}`, { name });
    // Each side is one drop-down of roles, roles with their subordinates, and groups, limited to the
    // sides the user may name.
    const sideOptions = (side: 'source' | 'target') =>
      RULE_SIDE_KINDS.map((kind) => ({
        label: translate(locale, `sharing.kindNames.${kind}`),
        options:
          kind === 'group'
            ? groups
                .filter((group) => bounds.mayNameInRule(side, { kind, roleId: null, groupId: group.id }))
                .map((group) => ({ value: `group:${group.id}`, label: optionLabel(kind, group.name) }))
            : roles
                .filter((role) => bounds.mayNameInRule(side, { kind, roleId: role.id, groupId: null }))
                .map((role) => ({ value: `${kind}:${role.id}`, label: optionLabel(kind, role.name) })),
      })).filter((section) => section.options.length > 0);
    response.render('admin/sharing', {
      title: 'sharing.title',
      saved,
      invalidRule,
      mayChangeLevels: bounds.isAdministrator,
      limitedRules: !bounds.isAdministrator,
      rules: rules.map((rule) => ({
        deletable: bounds.mayChangeSharingRule(ruleSides(rule).source, ruleSides(rule).target),
        id: rule.id,
        module: translate(
          locale,
          this.registry.has(rule.module) ? this.registry.get(rule.module).label : rule.module,
        ),
        source: sideLabel(rule.sourceKind, rule.sourceRoleId, rule.sourceGroupId),
        target: sideLabel(rule.targetKind, rule.targetRoleId, rule.targetGroupId),
        access: translate(locale, `sharing.access.${rule.access}`),
      })),
      moduleOptions: this.registry
        .all()
        .map((manifest) => ({ value: manifest.name, label: translate(locale, manifest.label) })),
      sourceOptions: sideOptions('source'),
      targetOptions: sideOptions('target'),
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

/** Returns the two sides of a stored rule, as the bounds of a user administrator check them. */
function ruleSides(rule: SharingRule): { source: RuleSide; target: RuleSide } {
  return {
    source: { kind: rule.sourceKind, roleId: rule.sourceRoleId, groupId: rule.sourceGroupId },
    target: { kind: rule.targetKind, roleId: rule.targetRoleId, groupId: rule.targetGroupId },
  };
}
