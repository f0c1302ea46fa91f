import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { PermissionsService } from '../access/permissions.service.js';
import { User } from '../auth/current-user.decorator.js';
import { HomeSections } from './home-sections.js';

/** The home page of the signed-in user: what the modules put there for them, and the pages they start from. */
@Controller()
export class HomeController {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly sections: HomeSections,
  ) {}

  @Get()
  async home(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    const permissions = await this.permissions.forUser(user);
    response.render('home/home', {
      title: 'home.title',
      sections: await this.sections.sectionsFor(user, permissions),
    });
  }
}
