import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { ForecastPage } from './forecast.page.js';

/** The forecast page: open potentials by expected close month, the funnel by stage and the win rates. */
@Controller('budget/forecast')
export class ForecastController {
  constructor(private readonly page: ForecastPage) {}

  @Get()
  async show(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    response.render('budget/views/forecast', await this.page.model(user));
  }
}
