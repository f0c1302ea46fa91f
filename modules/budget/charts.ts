import { Decimal } from 'decimal.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { Locale } from '../../src/records/values.js';
import {
  CHARACTER_WIDTH,
  CHART_WIDTH,
  ChartUnit,
  checkChartId,
  emptyFigure,
  escapeXml,
  figure,
  FONT_SIZE,
  formatValue,
  legend,
  linearScale,
  lineLegend,
  round,
  seriesFill,
  seriesPatterns,
  shorten,
  STYLE,
  valueAxis,
} from './chart-parts.js';

/**
 * Server-drawn SVG charts of the Budget pages. Each function returns the markup of a `<figure>`: an SVG
 * image named by its title and description, with a visually hidden table of the same figures as text.
 * Every text is escaped here, so a view puts the markup in as it is, through chartMarkup().
 */

export type { ChartUnit } from './chart-parts.js';
export { chartMarkup } from './chart-parts.js';

/** The maximum length of a row label in the drawing. The figures table gives the whole label. */
const LABEL_LENGTH = 26;
const BAR_HEIGHT = 14;
const ROW_GAP = 12;
const LEGEND_HEIGHT = 28;
const AXIS_HEIGHT = 24;

/** One row of a grouped bar chart: its label and one value per series, null where it has none. */
export interface BarRow {
  label: string;
  values: (Decimal | null)[];
}

export interface BarChartInput {
  /** Unique on the page: lower-case letters, digits and hyphens. */
  id: string;
  title: string;
  locale: Locale;
  unit: ChartUnit;
  /** The header of the rows' column in the figures table, such as "Salesperson" or "Month". */
  rowHeader: string;
  /** The series' labels, in the order of each row's values. */
  series: string[];
  rows: BarRow[];
}

/**
 * Draws a horizontal grouped bar chart: per row, one bar per series, each with its value written after it.
 * Negative values extend left of the zero line. Rows without any value are drawn empty.
 */
export function barChart(input: BarChartInput): string {
  const { id, title, locale, unit, series, rows } = input;
  checkChartId(id);
  if (rows.length === 0 || series.length === 0)
    return emptyFigure(id, title, translate(locale, 'budget.charts.noData'));

  const texts = rows.map((row) => row.values.map((value) => (value ? formatValue(value, unit, locale) : '')));
  const labelWidth = Math.min(LABEL_LENGTH, longest(rows.map((row) => row.label))) * CHARACTER_WIDTH + 12;
  const valueWidth = longest(texts.flat()) * CHARACTER_WIDTH + 10;
  const plot = { left: labelWidth, right: CHART_WIDTH - valueWidth };
  const numbers = rows.flatMap((row) => row.values.flatMap((value) => (value ? [value.toNumber()] : [])));
  const scale = linearScale(numbers, plot.left, plot.right);

  const bandHeight = series.length * BAR_HEIGHT + ROW_GAP;
  const top = LEGEND_HEIGHT;
  const bottom = top + rows.length * bandHeight;
  const zero = scale.position(0);

  const bars = rows.map((row, rowIndex) => {
    const bandTop = top + rowIndex * bandHeight + ROW_GAP / 2;
    const label = `<text x="${labelWidth - 8}" y="${round(bandTop + (series.length * BAR_HEIGHT) / 2 + 4)}" text-anchor="end">${escapeXml(shorten(row.label, LABEL_LENGTH))}</text>`;
    const rowBars = row.values.map((value, seriesIndex) => {
      if (!value) return '';
      const end = scale.position(value.toNumber());
      const y = bandTop + seriesIndex * BAR_HEIGHT;
      const x = Math.min(zero, end);
      const text = texts[rowIndex][seriesIndex];
      const textX = value.isNegative() ? x - 4 : Math.max(zero, end) + 4;
      return (
        `<rect x="${round(x)}" y="${round(y)}" width="${round(Math.abs(end - zero))}" height="${BAR_HEIGHT - 2}" fill="${seriesFill(id, seriesIndex)}" ${STYLE.bar}/>` +
        `<text x="${round(textX)}" y="${round(y + BAR_HEIGHT - 4)}" text-anchor="${value.isNegative() ? 'end' : 'start'}">${escapeXml(text)}</text>`
      );
    });
    return label + rowBars.join('');
  });

  const height = bottom + AXIS_HEIGHT;
  return figure({
    id,
    title,
    description: translate(locale, 'budget.charts.barDescription', { series: series.join(', ') }),
    width: CHART_WIDTH,
    height,
    body:
      seriesPatterns(id, series.length) +
      legend(id, series, 16, plot.left) +
      valueAxis(scale, { direction: 'x', from: top, to: bottom }, unit, locale) +
      bars.join(''),
    table: {
      caption: title,
      headers: [input.rowHeader, ...series],
      rows: rows.map((row, index) => [row.label, ...texts[index].map((text) => text || '\u2013')]),
    },
  });
}

/** One open stage of the pipeline: how many potentials are in it and their amount, null when it is hidden. */
export interface FunnelStage {
  label: string;
  count: number;
  amount: Decimal | null;
}

export interface FunnelChartInput {
  id: string;
  title: string;
  locale: Locale;
  /** The stages in pipeline order. */
  stages: FunnelStage[];
}

/**
 * Draws the pipeline as a funnel: one bar per stage in pipeline order, centred, as wide as the stage's amount
 * compared with the largest. The stage's name is on the left and its count and amount on the right, so
 * the figures need no colour to be read. Without amounts the bars follow the counts. A negative amount draws
 * no bar.
 */
export function funnelChart(input: FunnelChartInput): string {
  const { id, title, locale, stages } = input;
  checkChartId(id);
  if (stages.length === 0) return emptyFigure(id, title, translate(locale, 'budget.charts.noData'));

  const withAmounts = stages.every((stage) => stage.amount !== null);
  const sizes = stages.map((stage) => (withAmounts ? stage.amount! : new Decimal(stage.count)));
  const countTexts = stages.map((stage) => formatValue(new Decimal(stage.count), 'count', locale));
  const amountTexts = stages.map((stage) => (stage.amount ? formatValue(stage.amount, 'money', locale) : ''));
  const figures = stages.map((_, index) =>
    withAmounts ? `${countTexts[index]} \u00b7 ${amountTexts[index]}` : countTexts[index],
  );
  const labelWidth =
    Math.min(LABEL_LENGTH, longest(stages.map((stage) => stage.label))) * CHARACTER_WIDTH + 12;
  const figuresWidth = longest(figures) * CHARACTER_WIDTH + 12;
  const plot = { left: labelWidth, right: CHART_WIDTH - figuresWidth };
  const centre = (plot.left + plot.right) / 2;
  const largest = Decimal.max(0, ...sizes);
  const rowHeight = BAR_HEIGHT * 2;

  const rows = stages.map((stage, index) => {
    const y = 8 + index * rowHeight;
    const size = sizes[index];
    const share = largest.isZero() || size.isNegative() ? 0 : size.dividedBy(largest).toNumber();
    const width = share * (plot.right - plot.left);
    const textY = round(y + BAR_HEIGHT / 2 + 4 + 2);
    return (
      `<text x="${labelWidth - 8}" y="${textY}" text-anchor="end">${escapeXml(shorten(stage.label, LABEL_LENGTH))}</text>` +
      `<rect x="${round(centre - width / 2)}" y="${y}" width="${round(width)}" height="${rowHeight - 6}" fill="${seriesFill(id, 0)}" ${STYLE.bar}/>` +
      `<text x="${plot.right + 8}" y="${textY}">${escapeXml(figures[index])}</text>`
    );
  });

  return figure({
    id,
    title,
    description: translate(locale, 'budget.charts.funnelDescription'),
    width: CHART_WIDTH,
    height: 16 + stages.length * rowHeight,
    body: seriesPatterns(id, 1) + rows.join(''),
    table: {
      caption: title,
      headers: [
        translate(locale, 'budget.charts.stage'),
        translate(locale, 'budget.charts.potentials'),
        ...(withAmounts ? [translate(locale, 'budget.charts.amount')] : []),
      ],
      rows: stages.map((stage, index) => [
        stage.label,
        countTexts[index],
        ...(withAmounts ? [amountTexts[index]] : []),
      ]),
    },
  });
}

/** One month of a period: what was won in it (null for a month still to come) and its target. */
export interface CumulativeMonth {
  label: string;
  closedWon: Decimal | null;
  target: Decimal | null;
}

export interface CumulativeChartInput {
  id: string;
  title: string;
  locale: Locale;
  months: CumulativeMonth[];
}

const PLOT_TOP = LEGEND_HEIGHT + 8;
const PLOT_HEIGHT = 220;

/**
 * Draws two lines across the period's months: closed won and the target, each added up month by month. The
 * target line is dashed with square markers and the closed won line solid with round ones, and both end
 * with their value written, so that print in black and white keeps them apart. The closed won line stops
 * at the first month without a value, the months still to come; a month without a target adds nothing.
 */
export function cumulativeLineChart(input: CumulativeChartInput): string {
  const { id, title, locale, months } = input;
  checkChartId(id);
  if (months.length === 0) return emptyFigure(id, title, translate(locale, 'budget.charts.noData'));

  const targets = runningTotals(months.map((month) => month.target ?? new Decimal(0)));
  const firstFuture = months.findIndex((month) => month.closedWon === null);
  const wonMonths = firstFuture === -1 ? months : months.slice(0, firstFuture);
  const won = runningTotals(wonMonths.map((month) => month.closedWon!));

  const wonLabel = translate(locale, 'budget.charts.closedWonCumulative');
  const targetLabel = translate(locale, 'budget.charts.targetCumulative');
  const valueTexts = [...won, ...targets].map((value) => formatValue(value, 'money', locale));
  const tickWidth = longest(valueTexts) * CHARACTER_WIDTH;
  const plot = { left: tickWidth + 10, right: CHART_WIDTH - Math.max(tickWidth, 40) - 16 };
  const scale = linearScale(
    [...won, ...targets].map((value) => value.toNumber()),
    PLOT_TOP + PLOT_HEIGHT,
    PLOT_TOP,
  );
  const step = months.length > 1 ? (plot.right - plot.left) / (months.length - 1) : 0;
  const xOf = (index: number) =>
    round(months.length > 1 ? plot.left + index * step : (plot.left + plot.right) / 2);
  const points = (values: Decimal[]) =>
    values.map((value, index) => ({ x: xOf(index), y: round(scale.position(value.toNumber())) }));
  const wonPoints = points(won);
  const targetPoints = points(targets);

  const monthLabels = months
    .map(
      (month, index) =>
        `<text x="${xOf(index)}" y="${PLOT_TOP + PLOT_HEIGHT + FONT_SIZE + 6}" text-anchor="middle">${escapeXml(shorten(month.label, 10))}</text>`,
    )
    .join('');
  const square = (x: number, y: number) =>
    `<rect x="${x - 3}" y="${y - 3}" width="6" height="6" ${STYLE.targetMarker}/>`;
  const circle = (x: number, y: number) => `<circle cx="${x}" cy="${y}" r="3.5" ${STYLE.wonMarker}/>`;
  const line = (
    linePoints: { x: number; y: number }[],
    lineStyle: string,
    marker: (x: number, y: number) => string,
  ) =>
    linePoints.length === 0
      ? ''
      : `<polyline points="${linePoints.map((point) => `${point.x},${point.y}`).join(' ')}" ${lineStyle}/>` +
        linePoints.map((point) => marker(point.x, point.y)).join('');
  const body =
    valueAxis(scale, { direction: 'y', from: plot.left, to: plot.right }, 'money', locale) +
    monthLabels +
    line(targetPoints, STYLE.targetLine, square) +
    line(wonPoints, STYLE.wonLine, circle) +
    endLabels(
      wonPoints,
      targetPoints,
      won.length > 0 ? formatValue(won[won.length - 1], 'money', locale) : '',
      formatValue(targets[targets.length - 1], 'money', locale),
    ) +
    lineLegend(wonLabel, STYLE.wonLine, circle(plot.left + 12, 12), plot.left, 16) +
    lineLegend(
      targetLabel,
      STYLE.targetLine,
      square(plot.left + wonLabel.length * CHARACTER_WIDTH + 90, 12),
      plot.left + wonLabel.length * CHARACTER_WIDTH + 78,
      16,
    );

  return figure({
    id,
    title,
    description: translate(locale, 'budget.charts.cumulativeDescription'),
    width: CHART_WIDTH,
    height: PLOT_TOP + PLOT_HEIGHT + AXIS_HEIGHT + 4,
    body,
    table: {
      caption: title,
      headers: [translate(locale, 'budget.charts.month'), wonLabel, targetLabel],
      rows: months.map((month, index) => [
        month.label,
        index < won.length ? formatValue(won[index], 'money', locale) : '\u2013',
        formatValue(targets[index], 'money', locale),
      ]),
    },
  });
}

interface Point {
  x: number;
  y: number;
}

/**
 * Returns the labels with the last value of each line. The closed won label goes on the side of its line
 * away from the target line in the same month: above and to the left, or below and to the right, where
 * neither line runs. When both lines end in the same month, the target label goes on the other side.
 */
function endLabels(won: Point[], target: Point[], wonText: string, targetText: string): string {
  const label = (x: number, y: number, anchor: 'start' | 'end', text: string) =>
    `<text x="${x}" y="${y}" text-anchor="${anchor}">${escapeXml(text)}</text>`;
  const wonEnd = won.at(-1);
  const targetEnd = target[target.length - 1];
  const wonAbove = wonEnd !== undefined && wonEnd.y <= target[won.length - 1].y;

  let labels = '';
  if (wonEnd)
    labels += wonAbove
      ? label(wonEnd.x - 6, wonEnd.y - 10, 'end', wonText)
      : label(wonEnd.x + 8, wonEnd.y + 16, 'start', wonText);
  // The target label stays level with its point unless the closed won label ends in the same month.
  let targetOffset = 4;
  if (won.length === target.length) targetOffset = wonAbove ? 16 : -8;
  return labels + label(targetEnd.x + 8, targetEnd.y + targetOffset, 'start', targetText);
}

/** One row of the Budget table as the bar chart shows it: a salesperson, a team or a product line. */
export interface BudgetChartRow {
  label: string;
  target: Decimal | null;
  closedWon: Decimal | null;
  weightedPipeline: Decimal | null;
}

/** Draws the Budget table's bar chart: per row, its target, closed won and weighted pipeline in euro. */
export function budgetBarChart(input: {
  id: string;
  title: string;
  locale: Locale;
  rowHeader: string;
  rows: BudgetChartRow[];
}): string {
  const { locale } = input;
  return barChart({
    ...input,
    unit: 'money',
    series: [
      translate(locale, 'budget.charts.target'),
      translate(locale, 'budget.charts.closedWon'),
      translate(locale, 'budget.charts.weightedPipeline'),
    ],
    rows: input.rows.map((row) => ({
      label: row.label,
      values: [row.target, row.closedWon, row.weightedPipeline],
    })),
  });
}

function runningTotals(values: Decimal[]): Decimal[] {
  let total = new Decimal(0);
  return values.map((value) => (total = total.plus(value)));
}

function longest(texts: string[]): number {
  return Math.max(1, ...texts.map((text) => text.length));
}
