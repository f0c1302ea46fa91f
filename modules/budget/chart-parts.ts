import { Decimal } from 'decimal.js';
import hbs from 'hbs';
import { formatDecimal, formatMoney, Locale } from '../../src/records/values.js';

/** The unit of a chart's values: euro amounts, percentages or numbers of potentials. */
export type ChartUnit = 'money' | 'percent' | 'count';

/** A chart's id, unique on its page: the SVG's title, description and patterns take their ids from it. */
const CHART_ID = /^[a-z][a-z0-9-]{0,40}$/;

/** The chart's width in SVG user units. The SVG scales to its container through its viewBox. */
export const CHART_WIDTH = 720;
export const FONT_SIZE = 12;
/** An estimate of the width of one character at FONT_SIZE, for sizing label columns without measuring text. */
export const CHARACTER_WIDTH = 7;

/**
 * The fills of the series: a dark solid, a hatch, dots and a cross-hatch, each with a black outline, so
 * that the series stay apart in black and white print and for readers who cannot tell the colours apart.
 */
const SERIES_PATTERNS = [
  { colour: '#1d3f72', mark: '' },
  { colour: '#b5540c', mark: '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke-width="1.5"/>' },
  { colour: '#2e6b34', mark: '<circle cx="3" cy="3" r="1.3"/>' },
  { colour: '#6b2e5f', mark: '<path d="M0,0 l6,6 M6,0 l-6,6" stroke-width="1"/>' },
];

/**
 * Presentation attributes of the chart's parts. They are written into the SVG rather than a stylesheet, so a
 * chart keeps its look in any page or print layout that includes it.
 */
export const STYLE = {
  bar: 'stroke="#212529" stroke-width="0.75"',
  grid: 'stroke="#ced4da" stroke-width="1"',
  zero: 'stroke="#212529" stroke-width="1"',
  wonLine: 'fill="none" stroke="#1d3f72" stroke-width="2.5"',
  targetLine: 'fill="none" stroke="#b5540c" stroke-width="2" stroke-dasharray="6 4"',
  wonMarker: 'fill="#1d3f72"',
  targetMarker: 'fill="#ffffff" stroke="#b5540c" stroke-width="1.5"',
};

/** Escapes text for SVG and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function checkChartId(id: string): void {
  if (!CHART_ID.test(id))
    throw new Error(`Invalid chart id "${id}": use lower-case letters, digits and hyphens`);
}

/** Formats a value as a chart's bars and tables show it: money to the cent, a percentage to one decimal place. */
export function formatValue(value: Decimal, unit: ChartUnit, locale: Locale): string {
  if (unit === 'money') return formatMoney(value, locale);
  if (unit === 'percent') return `${formatDecimal(value, locale, 1)} %`;
  return formatDecimal(value, locale, 0);
}

/** Formats an axis tick, which is a round number: without decimals, and without the euro sign for money. */
function formatTick(value: number, unit: ChartUnit, locale: Locale): string {
  const text = formatDecimal(new Decimal(value), locale, 0);
  return unit === 'percent' ? `${text} %` : text;
}

/** Cuts a label that is longer than `length` characters and marks the cut with an ellipsis. */
export function shorten(label: string, length: number): string {
  return label.length <= length ? label : `${label.slice(0, length - 1)}\u2026`;
}

/** A linear scale from values to positions, with round ticks that include zero. */
export interface Scale {
  ticks: number[];
  position(value: number): number;
}

/** The maximum number of steps between the first and the last tick of an axis. */
const MAX_STEPS = 6;

/**
 * Builds a scale over the values and zero, from `start` to `end` in SVG units. The range is widened to whole
 * steps of 1, 2 or 5 times a power of ten, the finest that needs at most MAX_STEPS steps, so that the ticks
 * read easily. A step is at least 1, because ticks are written without decimals.
 */
export function linearScale(values: number[], start: number, end: number): Scale {
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(high - low, 1) / MAX_STEPS));
  const stepCount = (step: number) => Math.ceil(high / step) - Math.floor(low / step);
  const step = Math.max(
    1,
    [1, 2, 5, 10, 20, 50]
      .map((factor) => factor * magnitude)
      .find((candidate) => stepCount(candidate) <= MAX_STEPS)!,
  );
  const first = Math.floor(low / step) * step;
  const last = Math.max(Math.ceil(high / step) * step, first + step);

  const ticks: number[] = [];
  for (let tick = first; tick <= last + step / 2; tick += step) ticks.push(Math.round(tick / step) * step);
  const position = (value: number) => start + ((value - first) / (last - first)) * (end - start);
  return { ticks, position };
}

/**
 * Returns SVG for the grid lines and tick labels of a value axis. Along `x` the grid lines run down from
 * `from` to `to` with the labels below them, and along `y` they run across with the labels on the left.
 */
export function valueAxis(
  scale: Scale,
  axis: { direction: 'x' | 'y'; from: number; to: number },
  unit: ChartUnit,
  locale: Locale,
): string {
  return scale.ticks
    .map((tick) => {
      const at = round(scale.position(tick));
      const style = tick === 0 ? STYLE.zero : STYLE.grid;
      const text = escapeXml(formatTick(tick, unit, locale));
      if (axis.direction === 'x')
        return (
          `<line x1="${at}" y1="${axis.from}" x2="${at}" y2="${axis.to}" ${style}/>` +
          `<text x="${at}" y="${axis.to + FONT_SIZE + 4}" text-anchor="middle">${text}</text>`
        );
      return (
        `<line x1="${axis.from}" y1="${at}" x2="${axis.to}" y2="${at}" ${style}/>` +
        `<text x="${axis.from - 6}" y="${at + 4}" text-anchor="end">${text}</text>`
      );
    })
    .join('');
}

/** Returns the `<defs>` with one fill pattern per series, under ids made from the chart's id. */
export function seriesPatterns(id: string, count: number): string {
  const patterns = Array.from({ length: count }, (_, index) => {
    const { colour, mark } = SERIES_PATTERNS[index % SERIES_PATTERNS.length];
    const background = mark === '' ? colour : '#ffffff';
    return (
      `<pattern id="${id}-fill-${index}" width="6" height="6" patternUnits="userSpaceOnUse">` +
      `<rect width="6" height="6" fill="${background}"/>` +
      `<g stroke="${colour}" fill="${colour}">${mark}</g></pattern>`
    );
  });
  return `<defs>${patterns.join('')}</defs>`;
}

export function seriesFill(id: string, index: number): string {
  return `url(#${id}-fill-${index})`;
}

/** SVG for a legend in one row at `y`: a swatch with each series' fill, then its label. */
export function legend(id: string, labels: string[], y: number, left: number): string {
  let x = left;
  return labels
    .map((label, index) => {
      const item =
        `<rect x="${x}" y="${y - 10}" width="14" height="12" fill="${seriesFill(id, index)}" ${STYLE.bar}/>` +
        `<text x="${x + 19}" y="${y}">${escapeXml(label)}</text>`;
      x += 19 + label.length * CHARACTER_WIDTH + 18;
      return item;
    })
    .join('');
}

/** Returns a legend item of a line: a short stretch of the line with its marker, for the line charts' legends. */
export function lineLegend(label: string, lineStyle: string, marker: string, x: number, y: number): string {
  return (
    `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" ${lineStyle}/>${marker}` +
    `<text x="${x + 30}" y="${y}">${escapeXml(label)}</text>`
  );
}

/** A table of the chart's figures as text for screen readers, hidden from sight. */
export interface FigureTable {
  caption: string;
  headers: string[];
  rows: string[][];
}

/**
 * Wraps a chart's SVG in a `<figure>`: the SVG is an image named by its `<title>` and `<desc>`, and a
 * visually hidden table that follows it gives every figure as text.
 */
export function figure(options: {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  body: string;
  table: FigureTable;
}): string {
  const { id, title, description, width, height, body, table } = options;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="budget-chart-svg" role="img" viewBox="0 0 ${width} ${height}" ` +
    `aria-labelledby="${id}-title ${id}-desc" font-size="${FONT_SIZE}" fill="#212529">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(description)}</desc>` +
    `${body}</svg>`;
  return `<figure class="budget-chart" id="${id}">${svg}${figureTable(table)}</figure>`;
}

function figureTable(table: FigureTable): string {
  const header = table.headers
    .map((text, index) => `<th scope="col"${index > 0 ? ' class="text-end"' : ''}>${escapeXml(text)}</th>`)
    .join('');
  const rows = table.rows
    .map(
      ([rowHeader, ...cells]) =>
        `<tr><th scope="row">${escapeXml(rowHeader)}</th>` +
        cells.map((cell) => `<td class="text-end">${escapeXml(cell)}</td>`).join('') +
        '</tr>',
    )
    .join('');
  return (
    // The class is on a wrapper because a table is never narrower than its content, so a hidden table
    // itself would still widen the page.
    `<div class="visually-hidden"><table><caption>${escapeXml(table.caption)}</caption>` +
    `<thead><tr>${header}</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** Returns the figure of a chart without data: its title and a sentence in place of the drawing. */
export function emptyFigure(id: string, title: string, message: string): string {
  return (
    `<figure class="budget-chart" id="${id}"><figcaption class="budget-chart-title">${escapeXml(title)}</figcaption>` +
    `<p class="budget-chart-empty">${escapeXml(message)}</p></figure>`
  );
}

/** Rounds an SVG coordinate to one decimal place, which is finer than a printer dot and keeps the markup short. */
export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Marks a chart's markup as safe for a Handlebars view. The chart functions escape every text they put in it,
 * so the view must not escape it a second time.
 */
export function chartMarkup(markup: string): hbs.SafeString {
  return new hbs.handlebars.SafeString(markup);
}
