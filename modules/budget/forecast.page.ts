import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { Clock } from '../../src/layout/clock.js';
import { formatDate, formatDecimal, formatMoney, Locale, localToday } from '../../src/records/values.js';
import {
  lastTwelveMonths,
  StageWinRate,
  StageWinRatesService,
} from '../potentials/stage-win-rates.service.js';
import { barChart, chartMarkup, funnelChart } from './charts.js';
import { ForecastService, PipelineFields, PipelineFigures, PotentialFilters } from './forecast.service.js';

/** A win rate more than this many percentage points from the stage's probability is marked as far off. */
export const FAR_OFF_POINTS = 15;
/** Stages with fewer closed potentials than this are never marked, because a few deals prove little. */
export const FAR_OFF_MIN_POTENTIALS = 5;

/** A row of figures as the sections' tables show them, each linked to the potentials list they count. */
interface FiguresRow {
  label: string;
  href: string;
  count: string;
  amount?: string;
  weightedAmount?: string;
}

/**
 * Builds the models of the forecast, funnel and win-rate sections. Each section is a partial of
 * views/partials that takes its model as context, so that any Budget page can include it.
 */
@Injectable()
export class ForecastPage {
  constructor(
    private readonly forecasts: ForecastService,
    private readonly winRates: StageWinRatesService,
    private readonly clock: Clock,
  ) {}

  /** Builds the model of the /budget/forecast page: the three sections. */
  async model(user: CurrentUser) {
    return {
      title: 'budget.forecast.pageTitle',
      forecast: await this.forecastSection(user),
      funnel: await this.funnelSection(user),
      winRates: await this.winRatesSection(user),
    };
  }

  /** Builds the model of the `budget-forecast` partial. */
  async forecastSection(user: CurrentUser) {
    const locale = user.locale;
    const today = localToday(this.clock.now());
    const fields = await this.forecasts.fields(user);
    const forecast = await this.forecasts.forecast(user, today);

    const months = forecast.months.map((bucket) =>
      figuresRow(
        locale,
        translate(locale, `budget.monthNames.${bucket.month.month}`) + ` ${bucket.month.year}`,
        bucket,
      ),
    );
    const series = seriesOf(locale, fields);
    const chartRows = [forecast.overdue, ...forecast.months].map((figures, index) => ({
      label:
        index === 0
          ? translate(locale, 'budget.forecast.overdue')
          : `${translate(locale, `budget.months.${forecast.months[index - 1].month.month}`)} ${forecast.months[index - 1].month.year}`,
      values: [figures.amount, figures.weightedAmount].filter(
        (_, seriesIndex) => series.visible[seriesIndex],
      ),
    }));

    return {
      available: fields.available,
      showAmount: fields.amount,
      showWeighted: fields.weightedAmount,
      intro: translate(locale, 'budget.forecast.intro', { today: formatDate(today, locale) }),
      overdue: figuresRow(locale, translate(locale, 'budget.forecast.overdue'), forecast.overdue),
      months,
      total: figuresRow(locale, translate(locale, 'budget.forecast.total'), forecast.total),
      chart: chartMarkup(
        barChart({
          id: 'forecast-chart',
          title: translate(locale, 'budget.forecast.chartTitle'),
          locale,
          unit: 'money',
          rowHeader: translate(locale, 'budget.charts.month'),
          series: series.labels,
          rows: series.labels.length > 0 ? chartRows : [],
        }),
      ),
    };
  }

  /** Builds the model of the `budget-funnel` partial: the open pipeline by stage. */
  async funnelSection(user: CurrentUser) {
    const locale = user.locale;
    const fields = await this.forecasts.fields(user);
    const stages = await this.forecasts.funnel(user);
    return {
      available: fields.available,
      showAmount: fields.amount,
      showWeighted: fields.weightedAmount,
      rows: stages.map((stage) => figuresRow(locale, stage.stage, stage)),
      chart: chartMarkup(
        funnelChart({
          id: 'funnel-chart',
          title: translate(locale, 'budget.funnel.chartTitle'),
          locale,
          stages: stages.map((stage) => ({ label: stage.stage, count: stage.count, amount: stage.amount })),
        }),
      ),
    };
  }

  /** Builds the model of the `budget-win-rates` partial: per open stage, the share won beside the set probability. */
  async winRatesSection(user: CurrentUser) {
    const locale = user.locale;
    const window = lastTwelveMonths(localToday(this.clock.now()));
    const { stages } = await this.winRates.winRates(user, window);
    const rows = stages.map((stage) => winRateRow(locale, stage));

    return {
      available: stages.length > 0,
      intro: translate(locale, 'budget.winRates.intro', {
        from: formatDate(window.from, locale),
        to: formatDate(window.to, locale),
        points: FAR_OFF_POINTS,
        minimum: FAR_OFF_MIN_POTENTIALS,
      }),
      rows,
      chart: chartMarkup(
        barChart({
          id: 'win-rates-chart',
          title: translate(locale, 'budget.winRates.chartTitle'),
          locale,
          unit: 'percent',
          rowHeader: translate(locale, 'budget.charts.stage'),
          series: [
            translate(locale, 'budget.winRates.share'),
            translate(locale, 'budget.winRates.probability'),
          ],
          rows: stages.map((stage) => ({
            label: stage.stage,
            values: [stage.winPercent, stage.probability === null ? null : new Decimal(stage.probability)],
          })),
        }),
      ),
    };
  }
}

/** Returns the chart series the user's profile lets them see: the amount and the weighted amount. */
function seriesOf(locale: Locale, fields: PipelineFields): { labels: string[]; visible: boolean[] } {
  const visible = [fields.amount, fields.weightedAmount];
  const labels = [
    translate(locale, 'budget.charts.amount'),
    translate(locale, 'budget.charts.weightedAmount'),
  ];
  return { labels: labels.filter((_, index) => visible[index]), visible };
}

function figuresRow(locale: Locale, label: string, figures: PipelineFigures): FiguresRow {
  return {
    label,
    href: potentialsListUrl(figures.filters),
    count: formatDecimal(new Decimal(figures.count), locale, 0),
    amount: figures.amount ? formatMoney(figures.amount, locale) : undefined,
    weightedAmount: figures.weightedAmount ? formatMoney(figures.weightedAmount, locale) : undefined,
  };
}

function winRateRow(locale: Locale, stage: StageWinRate) {
  const difference =
    stage.winPercent !== null && stage.probability !== null
      ? stage.winPercent.minus(stage.probability)
      : null;
  const farOff =
    difference !== null &&
    difference.abs().greaterThan(FAR_OFF_POINTS) &&
    stage.potentials >= FAR_OFF_MIN_POTENTIALS;
  const points = (value: Decimal) => formatDecimal(value, locale, 1);
  return {
    stage: stage.stage,
    potentials: formatDecimal(new Decimal(stage.potentials), locale, 0),
    won: formatDecimal(new Decimal(stage.won), locale, 0),
    share: stage.winPercent === null ? '\u2013' : `${points(stage.winPercent)} %`,
    probability: stage.probability === null ? '\u2013' : `${stage.probability} %`,
    difference:
      difference === null
        ? '\u2013'
        : `${difference.isPositive() && !difference.isZero() ? '+' : ''}${points(difference)}`,
    farOff,
  };
}

/** Returns the potentials list filtered as a figure counts, so that the list's total is the figure. */
export function potentialsListUrl(filters: PotentialFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, item);
  }
  return `/potentials?${query.toString()}`;
}
