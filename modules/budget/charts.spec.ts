import { Decimal } from 'decimal.js';
import { linearScale } from './chart-parts.js';
import { barChart, budgetBarChart, cumulativeLineChart, funnelChart } from './charts.js';

const d = (value: string) => new Decimal(value);

/** Returns the rows of a chart's hidden figures table, each as its cells' text. */
function tableRows(markup: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(markup)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]),
  );
}

/** Returns the bars of a chart: every `<rect>` filled with a series pattern, legend swatches included. */
function bars(markup: string): { x: number; width: number; series: number }[] {
  return [
    ...markup.matchAll(
      /<rect x="([-\d.]+)" y="[-\d.]+" width="([-\d.]+)" height="\d+" fill="url\(#[a-z-]+-fill-(\d)\)"/g,
    ),
  ].map((match) => ({ x: Number(match[1]), width: Number(match[2]), series: Number(match[3]) }));
}

const budgetRows = [
  { label: 'Anna Bianchi', target: d('12000.00'), closedWon: d('8000.50'), weightedPipeline: d('2500.25') },
  { label: 'Marco Verdi', target: d('10000.00'), closedWon: null, weightedPipeline: d('0') },
];

describe('barChart', () => {
  it('labels the image and lists every figure', () => {
    const markup = budgetBarChart({
      id: 'budget-chart',
      title: 'Budget 2027',
      locale: 'en',
      rowHeader: 'Salesperson',
      rows: budgetRows,
    });

    expect(markup).toContain('role="img"');
    expect(markup).toContain('aria-labelledby="budget-chart-title budget-chart-desc"');
    expect(markup).toContain('<title id="budget-chart-title">Budget 2027</title>');
    expect(markup).toContain('<div class="visually-hidden"><table><caption>Budget 2027</caption>');
    expect(tableRows(markup)).toEqual([
      ['Anna Bianchi', '€ 12,000.00', '€ 8,000.50', '€ 2,500.25'],
      ['Marco Verdi', '€ 10,000.00', '\u2013', '€ 0.00'],
    ]);
  });

  it('writes each value beside its bar', () => {
    const markup = budgetBarChart({
      id: 'budget-chart',
      title: 'Budget',
      locale: 'en',
      rowHeader: 'Salesperson',
      rows: budgetRows,
    });

    for (const text of ['€ 12,000.00', '€ 8,000.50', '€ 2,500.25', '€ 10,000.00', '€ 0.00'])
      expect(markup).toContain(`>${text}</text>`);
    // Three legend swatches, then five bars: Marco has no closed won.
    expect(bars(markup).map((bar) => bar.series)).toEqual([0, 1, 2, 0, 1, 2, 0, 2]);
  });

  it('formats numbers in Italian', () => {
    const markup = budgetBarChart({
      id: 'budget-chart',
      title: 'Budget',
      locale: 'it',
      rowHeader: 'Venditore',
      rows: budgetRows,
    });

    expect(tableRows(markup)[0]).toEqual(['Anna Bianchi', '€ 12.000,00', '€ 8.000,50', '€ 2.500,25']);
    expect(markup).toContain('>Obiettivo</text>');
    // The axis ticks step by 5,000, written with the Italian thousands separator.
    expect(markup).toContain('>10.000</text>');
  });

  it('escapes labels, titles and series', () => {
    const markup = barChart({
      id: 'escape-chart',
      title: 'Q1 <b>"best"</b> & more',
      locale: 'en',
      unit: 'count',
      rowHeader: "Owner's team",
      series: ['<i>won</i>'],
      rows: [{ label: '<script>alert(1)</script>', values: [d('3')] }],
    });

    expect(markup).not.toContain('<script>');
    expect(markup).not.toContain('<b>');
    expect(markup).not.toContain('<i>');
    expect(markup).toContain('Q1 &lt;b&gt;&quot;best&quot;&lt;/b&gt; &amp; more');
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup).toContain('Owner&#39;s team');
  });

  it('shows a sentence without rows', () => {
    const markup = barChart({
      id: 'empty-chart',
      title: 'Nothing',
      locale: 'en',
      unit: 'money',
      rowHeader: 'Month',
      series: ['Amount'],
      rows: [],
    });

    expect(markup).not.toContain('<svg');
    expect(markup).toContain('<figcaption class="budget-chart-title">Nothing</figcaption>');
    expect(markup).toContain('There is nothing to draw yet.');
  });

  it('draws negative values left of zero', () => {
    const markup = barChart({
      id: 'signed-chart',
      title: 'Signed',
      locale: 'en',
      unit: 'money',
      rowHeader: 'Row',
      series: ['Amount'],
      rows: [
        { label: 'Loss', values: [d('-500.00')] },
        { label: 'Gain', values: [d('1000.00')] },
      ],
    });
    const [, loss, gain] = bars(markup);

    expect(loss.width).toBeGreaterThan(0);
    expect(gain.width).toBeGreaterThan(0);
    expect(loss.x + loss.width).toBeCloseTo(gain.x, 1);
    expect(gain.width / loss.width).toBeCloseTo(2, 1);
    expect(markup).toContain('text-anchor="end">€ -500.00</text>');
  });

  it('draws zero values as empty bars', () => {
    const markup = barChart({
      id: 'zero-chart',
      title: 'Zero',
      locale: 'en',
      unit: 'money',
      rowHeader: 'Row',
      series: ['Amount'],
      rows: [{ label: 'None', values: [d('0')] }],
    });

    expect(bars(markup)[1].width).toBe(0);
    expect(markup).not.toContain('NaN');
    expect(markup).toContain('>€ 0.00</text>');
  });

  it('keeps large amounts exact', () => {
    const markup = barChart({
      id: 'large-chart',
      title: 'Large',
      locale: 'en',
      unit: 'money',
      rowHeader: 'Row',
      series: ['Amount'],
      rows: [{ label: 'Largest', values: [d('999999999999.99')] }],
    });

    expect(tableRows(markup)[0]).toEqual(['Largest', '€ 999,999,999,999.99']);
    expect(markup).toContain('>1,000,000,000,000</text>');
    expect(markup).not.toMatch(/e\+\d/);
  });

  it('rejects an id that is not a plain name', () => {
    expect(() =>
      barChart({
        id: 'x" onload="alert(1)',
        title: 'T',
        locale: 'en',
        unit: 'count',
        rowHeader: 'R',
        series: ['S'],
        rows: [],
      }),
    ).toThrow('Invalid chart id');
  });
});

describe('funnelChart', () => {
  const stages = [
    { label: 'Prospecting', count: 4, amount: d('4000.00') },
    { label: 'Qualification', count: 2, amount: d('1000.00') },
    { label: 'Negotiation/Review', count: 0, amount: d('0') },
  ];

  it('sizes stages by amount in pipeline order', () => {
    const markup = funnelChart({ id: 'funnel-chart', title: 'Funnel', locale: 'en', stages });
    const [first, second, third] = bars(markup);

    expect(second.width / first.width).toBeCloseTo(0.25, 2);
    expect(third.width).toBe(0);
    expect(tableRows(markup)).toEqual([
      ['Prospecting', '4', '€ 4,000.00'],
      ['Qualification', '2', '€ 1,000.00'],
      ['Negotiation/Review', '0', '€ 0.00'],
    ]);
    expect(markup).toContain('>4 · € 4,000.00</text>');
  });

  it('sizes stages by count without amounts', () => {
    const markup = funnelChart({
      id: 'funnel-chart',
      title: 'Funnel',
      locale: 'it',
      stages: stages.map((stage) => ({ ...stage, amount: null })),
    });
    const [first, second] = bars(markup);

    expect(second.width / first.width).toBeCloseTo(0.5, 2);
    expect(tableRows(markup)[0]).toEqual(['Prospecting', '4']);
    expect(markup).not.toContain('€');
  });

  it('draws no bar for a negative amount', () => {
    const markup = funnelChart({
      id: 'funnel-chart',
      title: 'Funnel',
      locale: 'en',
      stages: [
        { label: 'Odd', count: 1, amount: d('-10.00') },
        { label: 'Even', count: 1, amount: d('10.00') },
      ],
    });

    expect(bars(markup).map((bar) => bar.width >= 0)).toEqual([true, true]);
    expect(bars(markup)[0].width).toBe(0);
    expect(tableRows(markup)[0]).toEqual(['Odd', '1', '€ -10.00']);
  });

  it('escapes stage names', () => {
    const markup = funnelChart({
      id: 'funnel-chart',
      title: 'Funnel',
      locale: 'en',
      stages: [{ label: 'A&B <img src=x>', count: 1, amount: d('1') }],
    });

    expect(markup).not.toContain('<img');
    expect(markup).toContain('A&amp;B &lt;img src=x&gt;');
  });

  it('shows a sentence without stages', () => {
    expect(funnelChart({ id: 'funnel-chart', title: 'Funnel', locale: 'it', stages: [] })).toContain(
      'Non c&#39;è ancora nulla da disegnare.',
    );
  });
});

describe('cumulativeLineChart', () => {
  const months = [
    { label: 'Jan', closedWon: d('1000.00'), target: d('1500.00') },
    { label: 'Feb', closedWon: d('0'), target: d('1500.00') },
    { label: 'Mar', closedWon: d('2500.10'), target: null },
    { label: 'Apr', closedWon: null, target: d('1500.00') },
  ];

  it('adds up closed won and target by month', () => {
    const markup = cumulativeLineChart({ id: 'cumulative-chart', title: 'Year', locale: 'en', months });

    expect(tableRows(markup)).toEqual([
      ['Jan', '€ 1,000.00', '€ 1,500.00'],
      ['Feb', '€ 1,000.00', '€ 3,000.00'],
      ['Mar', '€ 3,500.10', '€ 3,000.00'],
      ['Apr', '\u2013', '€ 4,500.00'],
    ]);
  });

  it('stops the closed won line at the first month to come', () => {
    const markup = cumulativeLineChart({ id: 'cumulative-chart', title: 'Year', locale: 'en', months });
    const lines = [...markup.matchAll(/<polyline points="([^"]+)"/g)].map(
      (match) => match[1].split(' ').length,
    );

    // The target line first, across four months, then closed won across three.
    expect(lines).toEqual([4, 3]);
    expect(markup).toContain('>€ 3,500.10</text>');
    expect(markup).toContain('>€ 4,500.00</text>');
    expect(markup).toContain('stroke-dasharray');
  });

  it('formats and escapes in Italian', () => {
    const markup = cumulativeLineChart({
      id: 'cumulative-chart',
      title: 'Anno <2027>',
      locale: 'it',
      months: [{ label: 'gen "1"', closedWon: d('1234.5'), target: d('2000') }],
    });

    expect(markup).toContain('Anno &lt;2027&gt;');
    expect(markup).toContain('gen &quot;1&quot;');
    expect(tableRows(markup)).toEqual([['gen &quot;1&quot;', '€ 1.234,50', '€ 2.000,00']]);
    expect(markup).toContain('>Chiuso vinto, cumulato</text>');
    expect(markup).not.toContain('NaN');
  });

  it('draws a period without any value', () => {
    const markup = cumulativeLineChart({
      id: 'cumulative-chart',
      title: 'Year',
      locale: 'en',
      months: [
        { label: 'Jan', closedWon: null, target: null },
        { label: 'Feb', closedWon: null, target: null },
      ],
    });

    expect(markup).not.toContain('NaN');
    expect(tableRows(markup)).toEqual([
      ['Jan', '\u2013', '€ 0.00'],
      ['Feb', '\u2013', '€ 0.00'],
    ]);
  });

  it('shows a sentence without months', () => {
    expect(
      cumulativeLineChart({ id: 'cumulative-chart', title: 'Year', locale: 'en', months: [] }),
    ).toContain('There is nothing to draw yet.');
  });
});

describe('linearScale', () => {
  it('steps finely past a small negative', () => {
    expect(linearScale([-3000, 220000], 0, 100).ticks).toEqual([
      -50000, 0, 50000, 100000, 150000, 200000, 250000,
    ]);
  });

  it('keeps whole steps for zero values', () => {
    const scale = linearScale([0, 0], 0, 100);

    expect(scale.ticks).toEqual([0, 1]);
    expect(scale.position(0)).toBe(0);
  });

  it('maps values between start and end', () => {
    const scale = linearScale([80], 200, 0);

    expect(scale.ticks).toEqual([0, 20, 40, 60, 80]);
    expect(scale.position(0)).toBe(200);
    expect(scale.position(40)).toBe(100);
  });
});
