import { Decimal } from 'decimal.js';
import { hasTranslation } from '../../src/i18n/i18n.service.js';
import {
  computeQuoteTotals,
  QuoteInput,
  QuoteLineInput,
  QuoteTotals,
  QuoteTotalsError,
  spreadOverallDiscount,
} from './quote-totals.js';

const line = (values: Partial<QuoteLineInput> = {}): QuoteLineInput => ({
  product: 'Widget',
  quantity: '1',
  unitPrice: '100.00',
  ...values,
});

const quote = (values: Partial<QuoteInput>): QuoteInput => ({
  format: 'dot',
  taxMode: 'individual',
  lines: [line()],
  ...values,
});

function totalsOf(input: QuoteInput): QuoteTotals {
  const result = computeQuoteTotals(input);
  if (!result.ok) throw new Error(`Expected totals, got errors: ${JSON.stringify(result.errors)}`);
  return result.totals;
}

function errorsOf(input: QuoteInput): QuoteTotalsError[] {
  const result = computeQuoteTotals(input);
  if (result.ok)
    throw new Error(`Expected errors, got a grand total of ${result.totals.grandTotal.toFixed(2)}`);
  return result.errors;
}

const money = (value: Decimal): string => value.toFixed(2);

/** The figures a case checks, as the page shows them: strings of exactly 2 decimals. */
type Figures = Record<string, string>;

/** Reads the figures named in `expected` from the totals: `grandTotal`, `line1.net`, `tax.VAT`… */
function figures(totals: QuoteTotals, expected: Figures): Figures {
  const read = (name: string): string => {
    const lineMatch = /^line(\d+)\.(\w+)$/.exec(name);
    if (lineMatch) {
      const lineTotals = totals.lines[Number(lineMatch[1]) - 1];
      return money(lineTotals[lineMatch[2] as 'net']);
    }
    const taxMatch = /^(tax|shippingTax)\.(.+)$/.exec(name);
    if (taxMatch) {
      const list = taxMatch[1] === 'tax' ? totals.taxes : totals.shippingTaxes;
      const tax = list.find((entry) => entry.name === taxMatch[2]);
      return tax ? money(tax.amount) : 'missing';
    }
    return money(totals[name as 'grandTotal']);
  };
  return Object.fromEntries(Object.keys(expected).map((name) => [name, read(name)]));
}

interface TotalsCase {
  name: string;
  input: QuoteInput;
  expected: Figures;
}

const totalsCases: TotalsCase[] = [
  {
    name: 'a taxed line without discounts',
    input: quote({
      lines: [line({ quantity: '2', unitPrice: '10.00', taxes: [{ name: 'VAT', rate: '22' }] })],
    }),
    expected: { 'line1.gross': '20.00', 'line1.net': '20.00', taxTotal: '4.40', grandTotal: '24.40' },
  },
  {
    // 100 → 90 → 85.50: the second step applies to what the first left.
    name: 'a cascaded line discount 10+5',
    input: quote({ lines: [line({ discount: { kind: 'cascade', value: '10+5' } })] }),
    expected: { 'line1.discount': '14.50', 'line1.net': '85.50', grandTotal: '85.50' },
  },
  {
    // 200 → 180 → 171.
    name: 'a cascaded overall discount 10+5',
    input: quote({
      taxMode: 'group',
      lines: [line(), line()],
      overallDiscount: { kind: 'cascade', value: '10 % + 5 %' },
    }),
    expected: {
      netTotal: '200.00',
      overallDiscount: '29.00',
      discountedTotal: '171.00',
      grandTotal: '171.00',
    },
  },
  {
    name: 'lines at 22, 10 and 4 % in individual mode',
    input: quote({
      lines: [
        line({ unitPrice: '100.00', taxes: [{ name: 'VAT 22', rate: '22' }] }),
        line({ unitPrice: '50.00', taxes: [{ name: 'VAT 10', rate: '10' }] }),
        line({ unitPrice: '25.00', taxes: [{ name: 'VAT 4', rate: '4' }] }),
      ],
    }),
    expected: {
      'line1.taxTotal': '22.00',
      'line2.taxTotal': '5.00',
      'line3.taxTotal': '1.00',
      'tax.VAT 22': '22.00',
      'tax.VAT 10': '5.00',
      'tax.VAT 4': '1.00',
      taxTotal: '28.00',
      grandTotal: '203.00',
    },
  },
  {
    // 99.99 less 10 % (9.999 → 10.00) = 89.99; 22 % of it 19.7978 → 19.80; 1.5 % of it 1.34985 → 1.35.
    name: 'group mode with two taxes',
    input: quote({
      taxMode: 'group',
      lines: [line({ quantity: '3', unitPrice: '33.33', taxes: [{ name: 'ignored', rate: '50' }] })],
      overallDiscount: { kind: 'percent', value: '10' },
      groupTaxes: [
        { name: 'VAT', rate: '22' },
        { name: 'Eco', rate: '1.5' },
      ],
    }),
    expected: {
      overallDiscount: '10.00',
      discountedTotal: '89.99',
      'tax.VAT': '19.80',
      'tax.Eco': '1.35',
      'line1.taxTotal': '0.00',
      taxTotal: '21.15',
      grandTotal: '111.14',
    },
  },
  {
    // Shares of the 15.00 overall discount: 10.00 and 5.00; taxes on 90.00 and 45.00.
    name: 'the overall discount lowering individual taxes',
    input: quote({
      lines: [
        line({ unitPrice: '100.00', taxes: [{ name: 'VAT 22', rate: '22' }] }),
        line({ unitPrice: '50.00', taxes: [{ name: 'VAT 10', rate: '10' }] }),
      ],
      overallDiscount: { kind: 'percent', value: '10' },
    }),
    expected: {
      'line1.overallDiscountShare': '10.00',
      'line1.taxableAmount': '90.00',
      'line2.taxableAmount': '45.00',
      'tax.VAT 22': '19.80',
      'tax.VAT 10': '4.50',
      discountedTotal: '135.00',
      grandTotal: '159.30',
    },
  },
  {
    name: 'a negative adjustment',
    input: quote({ adjustment: '-0.50' }),
    expected: { adjustment: '-0.50', grandTotal: '99.50' },
  },
  {
    // Gross 0.01 × 3 = 0.03. Discount 0.03 × 33.333 % = 0.0099999, rounded half up to 0.01. Net 0.02.
    name: 'a third off three cents',
    input: quote({
      lines: [line({ quantity: '3', unitPrice: '0.01', discount: { kind: 'percent', value: '33.333' } })],
    }),
    expected: { 'line1.gross': '0.03', 'line1.discount': '0.01', 'line1.net': '0.02', grandTotal: '0.02' },
  },
  {
    name: 'amount discounts on a line and overall',
    input: quote({
      lines: [line({ quantity: '2', unitPrice: '12.50', discount: { kind: 'amount', value: '5.25' } })],
      overallDiscount: { kind: 'amount', value: '0.75' },
    }),
    expected: {
      'line1.net': '19.75',
      overallDiscount: '0.75',
      discountedTotal: '19.00',
      grandTotal: '19.00',
    },
  },
  {
    name: 'an amount discount equal to the gross',
    input: quote({
      lines: [line({ discount: { kind: 'amount', value: '100' } }), line({ unitPrice: '5.00' })],
    }),
    expected: { 'line1.net': '0.00', netTotal: '5.00', grandTotal: '5.00' },
  },
  {
    // 22 % of 7.50 is 1.65.
    name: 'shipping and handling with its tax',
    input: quote({
      lines: [line({ unitPrice: '10.00' })],
      shippingAmount: '7.50',
      shippingTaxes: [{ name: 'VAT', rate: '22' }],
    }),
    expected: {
      shippingAmount: '7.50',
      'shippingTax.VAT': '1.65',
      shippingTaxTotal: '1.65',
      grandTotal: '19.15',
    },
  },
  {
    // 50 % of 0.25 is 0.125, which rounds half up to 0.13.
    name: 'a discount of exactly half a cent',
    input: quote({ lines: [line({ unitPrice: '0.25', discount: { kind: 'percent', value: '50 %' } })] }),
    expected: { 'line1.discount': '0.13', 'line1.net': '0.12' },
  },
  {
    // 25 % of 10.70 and 21.4 % of 12.50 are both 2.675: binary floats print 2.67, half up gives 2.68.
    name: 'amounts ending in 2.675',
    input: quote({
      lines: [
        line({ unitPrice: '10.70', discount: { kind: 'percent', value: '25' } }),
        line({ unitPrice: '12.50', taxes: [{ name: 'Odd', rate: '21.4' }] }),
      ],
    }),
    expected: {
      'line1.discount': '2.68',
      'line1.net': '8.02',
      'line2.taxTotal': '2.68',
      grandTotal: '23.20',
    },
  },
  {
    // 22 % of 999,999,999.99 is 219,999,999.9978, rounded to 220,000,000.00.
    name: 'large amounts',
    input: quote({
      lines: [line({ unitPrice: '999,999,999.99', taxes: [{ name: 'VAT', rate: '22' }] })],
    }),
    expected: { netTotal: '999999999.99', taxTotal: '220000000.00', grandTotal: '1219999999.99' },
  },
  {
    name: 'a thousand lines of the largest price',
    input: quote({ lines: [line({ quantity: '1,000', unitPrice: '999,999,999.99' })] }),
    expected: { 'line1.gross': '999999999990.00', grandTotal: '999999999990.00' },
  },
  {
    // 2 × 1,234.56 = 2,469.12; 10.5 % of it is 259.2576 → 259.26.
    name: 'numbers typed in Italian',
    input: quote({
      format: 'comma',
      lines: [line({ quantity: '2', unitPrice: '1.234,56', discount: { kind: 'cascade', value: '10,5' } })],
      adjustment: '-0,12',
    }),
    expected: {
      'line1.gross': '2469.12',
      'line1.discount': '259.26',
      'line1.net': '2209.86',
      grandTotal: '2209.74',
    },
  },
  {
    // 10 % of 0.05 is 0.005 → 0.01 on each line; the summary adds 0.01 + 0.01, not 10 % of 0.10.
    name: 'a tax summary adding the rounded line taxes',
    input: quote({
      lines: [
        line({ unitPrice: '0.05', taxes: [{ name: 'VAT', rate: '10' }] }),
        line({ unitPrice: '0.05', taxes: [{ name: 'VAT', rate: '10' }] }),
      ],
    }),
    expected: { 'tax.VAT': '0.02', taxTotal: '0.02', grandTotal: '0.12' },
  },
  {
    name: 'a free line',
    input: quote({ lines: [line({ unitPrice: '0', taxes: [{ name: 'VAT', rate: '22' }] })] }),
    expected: { 'line1.net': '0.00', taxTotal: '0.00', grandTotal: '0.00' },
  },
  {
    name: 'rates and values given as Decimal',
    input: quote({
      lines: [
        line({
          quantity: new Decimal('1.5'),
          unitPrice: new Decimal('10'),
          taxes: [{ name: 'VAT', rate: new Decimal(22) }],
        }),
      ],
    }),
    expected: { 'line1.gross': '15.00', taxTotal: '3.30', grandTotal: '18.30' },
  },
];

describe('computeQuoteTotals', () => {
  it.each(totalsCases)('computes $name', ({ input, expected }) => {
    expect(figures(totalsOf(input), expected)).toEqual(expected);
  });

  it('keeps the sum of the printed figures equal to the grand total', () => {
    const totals = totalsOf(
      quote({
        lines: [
          line({
            quantity: '3',
            unitPrice: '19.99',
            discount: { kind: 'cascade', value: '12.5+3' },
            taxes: [{ name: 'VAT', rate: '22' }],
          }),
          line({ quantity: '7', unitPrice: '0.33', taxes: [{ name: 'VAT', rate: '22' }] }),
          line({ quantity: '1.333', unitPrice: '45.45', taxes: [{ name: 'VAT 4', rate: '4' }] }),
        ],
        overallDiscount: { kind: 'percent', value: '7.777' },
        shippingAmount: '9.99',
        shippingTaxes: [{ name: 'VAT', rate: '22' }],
        adjustment: '-0.03',
      }),
    );
    const lineNets = totals.lines.reduce(
      (total, entry) => total.plus(entry.gross).minus(entry.discount),
      new Decimal(0),
    );
    const lineTaxes = totals.lines.reduce((total, entry) => total.plus(entry.taxTotal), new Decimal(0));
    const reAdded = lineNets
      .minus(totals.overallDiscount)
      .plus(lineTaxes)
      .plus(totals.shippingAmount)
      .plus(totals.shippingTaxTotal)
      .plus(totals.adjustment);

    expect(money(lineNets)).toBe(money(totals.netTotal));
    expect(money(reAdded)).toBe(money(totals.grandTotal));
    expect(totals.grandTotal.decimalPlaces()).toBeLessThanOrEqual(2);
  });

  it('passes the product and comment of each line through', () => {
    const totals = totalsOf(quote({ lines: [line({ product: 'Gear 12', comment: 'Delivered in May' })] }));

    expect(totals.lines[0].product).toBe('Gear 12');
    expect(totals.lines[0].comment).toBe('Delivered in May');
  });
});

interface ErrorCase {
  name: string;
  input: QuoteInput;
  errors: QuoteTotalsError[];
}

const errorCases: ErrorCase[] = [
  {
    name: 'a quote without lines',
    input: quote({ lines: [] }),
    errors: [{ field: 'lines', code: 'noLines' }],
  },
  {
    name: 'a zero quantity',
    input: quote({ lines: [line(), line({ quantity: '0' })] }),
    errors: [{ line: 2, field: 'quantity', code: 'zeroQuantity' }],
  },
  {
    name: 'a negative quantity',
    input: quote({ lines: [line({ quantity: '-1' })] }),
    errors: [{ line: 1, field: 'quantity', code: 'negativeQuantity' }],
  },
  {
    name: 'an empty quantity',
    input: quote({ lines: [line({ quantity: ' ' })] }),
    errors: [{ line: 1, field: 'quantity', code: 'required' }],
  },
  {
    name: 'a quantity with 4 decimals',
    input: quote({ lines: [line({ quantity: '1.2345' })] }),
    errors: [{ line: 1, field: 'quantity', code: 'tooManyDecimalPlaces', params: { count: 3 } }],
  },
  {
    name: 'a negative price',
    input: quote({ lines: [line({ unitPrice: '-5.00' })] }),
    errors: [{ line: 1, field: 'unitPrice', code: 'negativePrice' }],
  },
  {
    name: 'a price in the other locale',
    input: quote({ lines: [line({ unitPrice: '1.234,56' })] }),
    errors: [{ line: 1, field: 'unitPrice', code: 'invalidNumber' }],
  },
  {
    name: 'a price with 3 decimals',
    input: quote({ lines: [line({ unitPrice: '1.005' })] }),
    errors: [{ line: 1, field: 'unitPrice', code: 'tooManyDecimalPlaces', params: { count: 2 } }],
  },
  {
    name: 'a discount over 100 %',
    input: quote({ lines: [line(), line({ discount: { kind: 'percent', value: '100.001' } })] }),
    errors: [{ line: 2, field: 'discount', code: 'discountOver100' }],
  },
  {
    name: 'a negative percentage',
    input: quote({ lines: [line({ discount: { kind: 'percent', value: '-10' } })] }),
    errors: [{ line: 1, field: 'discount', code: 'negativeDiscount' }],
  },
  {
    name: 'a percentage with 4 decimals',
    input: quote({ lines: [line({ discount: { kind: 'percent', value: '33.3333' } })] }),
    errors: [{ line: 1, field: 'discount', code: 'tooManyDecimalPlaces', params: { count: 3 } }],
  },
  {
    name: 'a cascade step over 100 %',
    input: quote({ lines: [line({ discount: { kind: 'cascade', value: '50+101' } })] }),
    errors: [{ line: 1, field: 'discount', code: 'discountOver100' }],
  },
  ...['10+', '10++5', 'abc', '10+-5', '+5', '10 5'].map((value) => ({
    name: `the cascade "${value}"`,
    input: quote({ lines: [line({ discount: { kind: 'cascade' as const, value } })] }),
    errors: [{ line: 1, field: 'discount', code: 'invalidCascade', params: { value } }],
  })),
  {
    name: 'a cascade of 11 steps',
    input: quote({ lines: [line({ discount: { kind: 'cascade', value: Array(11).fill('1').join('+') } })] }),
    errors: [{ line: 1, field: 'discount', code: 'tooManyCascadeSteps', params: { max: 10 } }],
  },
  {
    name: 'an amount discount above the gross',
    input: quote({
      lines: [line({ quantity: '2', unitPrice: '5.00', discount: { kind: 'amount', value: '10.01' } })],
    }),
    errors: [{ line: 1, field: 'discount', code: 'discountAboveGross' }],
  },
  {
    name: 'an overall amount discount above the net total',
    input: quote({ overallDiscount: { kind: 'amount', value: '100.01' } }),
    errors: [{ field: 'overallDiscount', code: 'discountAboveNetTotal' }],
  },
  {
    name: 'an overall discount over 100 %',
    input: quote({ overallDiscount: { kind: 'cascade', value: '5+100.5' } }),
    errors: [{ field: 'overallDiscount', code: 'discountOver100' }],
  },
  {
    name: 'a line tax rate over 100',
    input: quote({ lines: [line(), line({ taxes: [{ name: 'VAT', rate: '101' }] })] }),
    errors: [{ line: 2, field: 'taxes', code: 'taxRateOutOfRange', params: { tax: 'VAT' } }],
  },
  {
    name: 'a negative group tax rate',
    input: quote({ taxMode: 'group', groupTaxes: [{ name: 'VAT', rate: '-1' }] }),
    errors: [{ field: 'groupTaxes', code: 'taxRateOutOfRange', params: { tax: 'VAT' } }],
  },
  {
    name: 'a shipping tax rate over 100',
    input: quote({ shippingAmount: '5', shippingTaxes: [{ name: 'VAT', rate: '100.5' }] }),
    errors: [{ field: 'shippingTaxes', code: 'taxRateOutOfRange', params: { tax: 'VAT' } }],
  },
  {
    name: 'a negative shipping amount',
    input: quote({ shippingAmount: '-5' }),
    errors: [{ field: 'shippingAmount', code: 'negativeAmount' }],
  },
  {
    name: 'an adjustment below the total',
    input: quote({ adjustment: '-100.01' }),
    errors: [{ field: 'adjustment', code: 'negativeGrandTotal' }],
  },
  {
    name: 'a line above the largest amount',
    input: quote({ lines: [line({ quantity: '1001', unitPrice: '999999999.99' })] }),
    errors: [{ line: 1, field: 'quantity', code: 'lineTotalTooLarge' }],
  },
  {
    name: 'a net total above the largest amount',
    input: quote({
      lines: [line({ quantity: '1000', unitPrice: '999999999.99' }), line({ unitPrice: '10.00' })],
    }),
    errors: [{ field: 'lines', code: 'totalTooLarge' }],
  },
  {
    name: 'errors on several lines and fields',
    input: quote({
      lines: [
        line({ quantity: '0' }),
        line(),
        line({ unitPrice: 'abc', discount: { kind: 'cascade', value: '10+' } }),
      ],
      adjustment: '1.001',
    }),
    errors: [
      { line: 1, field: 'quantity', code: 'zeroQuantity' },
      { line: 3, field: 'unitPrice', code: 'invalidNumber' },
      { line: 3, field: 'discount', code: 'invalidCascade', params: { value: '10+' } },
      { field: 'adjustment', code: 'tooManyDecimalPlaces', params: { count: 2 } },
    ],
  },
];

describe('computeQuoteTotals validation', () => {
  it.each(errorCases)('rejects $name', ({ input, errors }) => {
    expect(errorsOf(input)).toEqual(errors);
  });

  it.each(['en', 'it'] as const)('has a message for every error in %s', (locale) => {
    for (const { code } of errorCases.flatMap((errorCase) => errorCase.errors)) {
      const key = `errors.field.${code}`;
      const found = hasTranslation(locale, key) || hasTranslation(locale, `${key}_other`);

      expect({ code, found }).toEqual({ code, found: true });
    }
  });
});

describe('spreadOverallDiscount', () => {
  const spread = (nets: string[], discount: string): string[] =>
    spreadOverallDiscount(
      nets.map((net) => new Decimal(net)),
      new Decimal(discount),
    ).map(money);

  it('splits in proportion to the nets', () => {
    expect(spread(['100.00', '50.00'], '15.00')).toEqual(['10.00', '5.00']);
  });

  it('puts the remainder cent on the largest line', () => {
    expect(spread(['5.00', '20.00', '5.00'], '0.99')).toEqual(['0.16', '0.67', '0.16']);
  });

  it('gives equal lines the remainder in line order', () => {
    expect(spread(['10.00', '10.00', '10.00'], '10.00')).toEqual(['3.34', '3.33', '3.33']);
  });

  it('hands several remainder cents to the largest lines', () => {
    expect(spread(['5.00', '20.00', '5.00'], '1.00')).toEqual(['0.17', '0.67', '0.16']);
  });

  it('never makes a share negative', () => {
    const shares = spread(Array<string>(10).fill('10.00'), '0.05');

    expect(shares).toEqual(['0.01', '0.01', '0.01', '0.01', '0.01', '0.00', '0.00', '0.00', '0.00', '0.00']);
  });

  it('never makes a share exceed its net', () => {
    expect(spread(['0.03', '0.03', '0.03'], '0.08')).toEqual(['0.03', '0.03', '0.02']);
  });

  it('leaves a line of zero net out', () => {
    expect(spread(['0.00', '10.00'], '10.00')).toEqual(['0.00', '10.00']);
  });

  it('returns zero shares for no discount', () => {
    expect(spread(['0.00', '0.00'], '0.00')).toEqual(['0.00', '0.00']);
  });

  it('sums to the discount exactly', () => {
    const nets = ['19.99', '0.07', '1234.56', '3.33', '3.33', '700.00'];
    const shares = spread(nets, '77.77');
    const total = shares.reduce((sum, share) => sum.plus(share), new Decimal(0));

    expect(money(total)).toBe('77.77');
  });

  it('throws for a discount above the total', () => {
    expect(() => spread(['1.00'], '1.01')).toThrow(RangeError);
  });
});
