import { Body, Controller, ForbiddenException, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../../src/access/current-user.js';
import { User } from '../../src/auth/current-user.decorator.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { localToday } from '../../src/records/values.js';
import { setFlash } from '../../src/web/flash.js';
import { BUDGET_GROUPINGS, BudgetGrouping } from './budget-figures.js';
import { budgetCsv } from './budget-csv.js';
import { sendCsvDownload } from './csv-download.js';
import { BudgetMonthsBuilder } from './budget-months.js';
import {
  BudgetPage,
  BudgetPageState,
  periodSlug,
  readThresholdsForm,
  stateQuery,
  ThresholdsFormErrors,
} from './budget.page.js';
import { BudgetService } from './budget.service.js';
import { BudgetTableBuilder } from './budget-table.js';
import { ForecastPage } from './forecast.page.js';
import { isValidYear } from './periods.js';
import { parsePeriod } from './targets.page.js';

type QueryParams = Record<string, unknown>;

/** The Budget page: targets against the pipeline and closed won of a period, its CSV export and its settings. */
@Controller('budget')
export class BudgetController {
  constructor(
    private readonly budget: BudgetService,
    private readonly tables: BudgetTableBuilder,
    private readonly page: BudgetPage,
    private readonly months: BudgetMonthsBuilder,
    private readonly forecastPage: ForecastPage,
  ) {}

  @Get()
  async show(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    response.render('budget/views/budget', await this.model(user, stateFrom(query)));
  }

  @Get('export.csv')
  async export(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    const state = stateFrom(query);
    const table = await this.tables.build(user, state.period, state.grouping);
    const fallback = translate(user.locale, `budget.page.without.${state.grouping}`);
    const text = budgetCsv(
      table,
      user.locale,
      table.rows.map((row) => row.name || fallback),
      translate(user.locale, 'budget.page.totals'),
    );

    const fileName = `budget-${periodSlug(state.period)}-by-${state.grouping.replace('_', '-')}.csv`;
    sendCsvDownload(response, fileName, text);
  }

  /** Saves the best case and commit thresholds; administrators only. Nothing is saved when a value is invalid. */
  @Post('settings')
  async saveSettings(
    @User() user: CurrentUser,
    @Query() query: QueryParams,
    @Body() body: QueryParams,
    @Res() response: Response,
  ): Promise<void> {
    if (!user.isAdmin) throw new ForbiddenException();
    const state = stateFrom(query);
    const form = readThresholdsForm(body);
    if (!form.ok)
      return response.status(422).render('budget/views/budget', await this.model(user, state, form));

    await this.budget.saveThresholds(form.thresholds);
    setFlash(response, 'budget.settings.saved', { ...form.thresholds });
    response.redirect(303, `/budget?${stateQuery(state)}`);
  }

  /** Builds the page's model: the table, then the charts and sections that follow it. */
  private async model(user: CurrentUser, state: BudgetPageState, form?: ThresholdsFormErrors) {
    const table = await this.tables.build(user, state.period, state.grouping);
    const sections = {
      months: await this.months.months(user, table),
      funnel: await this.forecastPage.funnelSection(user),
      winRates: await this.forecastPage.winRatesSection(user),
    };
    return this.page.model(user, state, table, sections, form);
  }
}

/**
 * Reads the page's year, period (`quarter-2`) and grouping from the query. A missing or invalid year is the
 * current one, a missing or invalid period the whole year, and a missing or unknown grouping by salesperson.
 */
function stateFrom(params: QueryParams): BudgetPageState {
  const year = Number(params.year);
  const chosenYear = isValidYear(year) ? year : Number(localToday().slice(0, 4));
  const period = (typeof params.period === 'string' ? parsePeriod(params.period, chosenYear) : undefined) ?? {
    year: chosenYear,
    kind: 'year' as const,
    index: 1,
  };
  const grouping = BUDGET_GROUPINGS.includes(params.groupBy as BudgetGrouping)
    ? (params.groupBy as BudgetGrouping)
    : 'salesperson';
  return { period, grouping };
}
