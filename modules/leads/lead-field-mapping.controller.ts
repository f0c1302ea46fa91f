import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { RequiresAdminArea } from '../../src/auth/guards.js';
import { setFlash } from '../../src/web/flash.js';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { LeadFieldMappingPages, MAPPING_PATH } from './lead-field-mapping.pages.js';
import type { MappingForm } from './lead-field-mapping.pages.js';

const EDITOR_VIEW = 'leads/views/conversion-mapping';

/**
 * The editor of which lead fields fill which account, contact and potential fields on conversion. It is
 * part of the Layout Editor, so the same administrators may use it.
 */
@Controller('admin/layout/leads/conversion-mapping')
@RequiresAdminArea('layout')
export class LeadFieldMappingController {
  constructor(
    private readonly mappings: LeadFieldMappingService,
    private readonly pages: LeadFieldMappingPages,
  ) {}

  @Get()
  async editor(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    response.render(EDITOR_VIEW, await this.pages.editorPage(user.locale));
  }

  /** Saves the whole mapping, or shows the editor again with each rejected choice and why. */
  @Post()
  async save(@User() user: CurrentUser, @Body() body: MappingForm, @Res() response: Response): Promise<void> {
    const mapping = this.pages.mappingFrom(body);
    const problems = await this.mappings.save(mapping);
    if (problems.length > 0) {
      response
        .status(422)
        .render(EDITOR_VIEW, await this.pages.editorPage(user.locale, { mapping, problems }));
      return;
    }
    setFlash(response, 'leadMapping.saved');
    response.redirect(303, MAPPING_PATH);
  }

  /** Asks for confirmation before the saved mapping is replaced by the default one. */
  @Get('reset')
  resetPage(@Res() response: Response): void {
    response.render('leads/views/conversion-mapping-reset', {
      title: 'leadMapping.title',
      action: `${MAPPING_PATH}/reset`,
      backHref: MAPPING_PATH,
    });
  }

  @Post('reset')
  async reset(@Res() response: Response): Promise<void> {
    await this.mappings.reset();
    setFlash(response, 'leadMapping.resetDone');
    response.redirect(303, MAPPING_PATH);
  }
}
