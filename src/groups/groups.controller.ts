import { Body, Controller, Get, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { AdministratorGuard } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { readOwner } from '../records/field-codec.js';
import { RecordIdPipe } from '../records/record-id.pipe.js';
import { FieldErrors } from '../records/record-validation.js';
import { RecordViews } from '../records/record-views.js';
import { UsersService } from '../users/users.service.js';
import { setFlash } from '../web/flash.js';
import { GroupInput, GroupsService } from './groups.service.js';

interface GroupForm {
  name?: string;
  description?: string;
  /** One value for one ticked member, an array for several. */
  memberIds?: string | string[];
}

/** Groups of users: list, create, edit with members, and delete after moving the group's records. */
@Controller('admin/groups')
@UseGuards(AdministratorGuard)
export class GroupsController {
  constructor(
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly views: RecordViews,
  ) {}

  @Get()
  async list(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    response.render('admin/groups', { title: 'groups.title', groups: await this.groups.list() });
  }

  @Get('new')
  async newPage(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.renderForm(response, user, null, {}, {});
  }

  @Post()
  async create(@User() user: CurrentUser, @Body() body: GroupForm, @Res() response: Response): Promise<void> {
    const result = await this.groups.save(null, toInput(body));
    if (!result.ok) return this.renderForm(response.status(422), user, null, body, result.errors);
    setFlash(response, 'groups.saved', { name: result.group.name });
    response.redirect(303, '/admin/groups');
  }

  @Get(':id/edit')
  async editPage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const group = await this.groups.get(id);
    const memberIds = (await this.groups.memberIds(id)).map(String);
    await this.renderForm(
      response,
      user,
      id,
      { name: group.name, description: group.description, memberIds },
      {},
    );
  }

  @Post(':id')
  async update(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: GroupForm,
    @Res() response: Response,
  ): Promise<void> {
    const result = await this.groups.save(id, toInput(body));
    if (!result.ok) return this.renderForm(response.status(422), user, id, body, result.errors);
    setFlash(response, 'groups.saved', { name: result.group.name });
    response.redirect(303, '/admin/groups');
  }

  @Get(':id/delete')
  async deletePage(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderDelete(response, user, id);
  }

  @Post(':id/delete')
  async remove(
    @User() user: CurrentUser,
    @Param('id', RecordIdPipe) id: number,
    @Body() body: { transferTo?: string },
    @Res() response: Response,
  ): Promise<void> {
    const group = await this.groups.get(id);
    const transferTo = body.transferTo ? readOwner(body.transferTo) : undefined;
    const result =
      body.transferTo && transferTo === undefined
        ? ({ ok: false, code: 'targetMissing' } as const)
        : await this.groups.remove(user, id, transferTo);
    if (!result.ok) {
      const code = result.code === 'sameUser' ? 'sameGroup' : result.code;
      return this.renderDelete(
        response.status(422),
        user,
        id,
        translate(user.locale, `groups.delete.errors.${code}`),
      );
    }
    const moved = result.moved.reduce((sum, entry) => sum + entry.count, 0);
    setFlash(response, 'groups.deleted', { name: group.name, count: moved });
    response.redirect(303, '/admin/groups');
  }

  private async renderDelete(
    response: Response,
    user: CurrentUser,
    id: number,
    error?: string,
  ): Promise<void> {
    const group = await this.groups.get(id);
    const recordCount = await this.groups.recordCount(id);
    const targets = await this.views.ownerChoices(user, 'assign', '');
    response.render('admin/group-delete', {
      title: 'groups.delete.title',
      group,
      recordCount,
      error,
      // The group being deleted cannot receive its own records.
      targets: targets.map((section) => ({
        ...section,
        options: section.options.filter((option) => option.value !== `group:${id}`),
      })),
    });
  }

  private async renderForm(
    response: Response,
    user: CurrentUser,
    id: number | null,
    values: GroupForm,
    errors: FieldErrors,
  ): Promise<void> {
    const locale = user.locale;
    const chosen = new Set(toList(values.memberIds));
    const message = (field: string) =>
      errors[field] ? this.views.errorMessage(locale, errors[field]) : undefined;
    const fields = [
      {
        name: 'name',
        label: translate(locale, 'groups.fields.name'),
        kind: 'text',
        value: values.name ?? '',
        required: true,
        maxLength: 100,
        error: message('name'),
      },
      {
        name: 'description',
        label: translate(locale, 'groups.fields.description'),
        kind: 'text',
        value: values.description ?? '',
        required: false,
        maxLength: 255,
        error: message('description'),
      },
    ];
    const members = (await this.users.list()).map((member) => ({
      id: member.id,
      fullName: member.fullName,
      username: member.username,
      inactive: !member.isActive,
      checked: chosen.has(String(member.id)),
    }));
    response.render('admin/group-form', {
      title: id === null ? 'groups.new' : 'groups.edit',
      id,
      action: id === null ? '/admin/groups' : `/admin/groups/${id}`,
      fields,
      members,
      membersError: message('memberIds'),
      errorSummary: [
        ...fields.filter((field) => field.error),
        ...(errors.memberIds
          ? [
              {
                name: 'members',
                label: translate(locale, 'groups.fields.members'),
                error: message('memberIds'),
              },
            ]
          : []),
      ],
    });
  }
}

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function toInput(body: GroupForm): GroupInput {
  return { name: body.name, description: body.description, memberIds: toList(body.memberIds) };
}
