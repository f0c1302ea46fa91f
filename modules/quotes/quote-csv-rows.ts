import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type {
  ChildRowInput,
  ChildRowProblem,
  ChildRowsCheck,
  CsvChildColumn,
  CsvChildRows,
} from '../../src/csv/child-rows.js';
import type { RecordValues } from '../../src/records/field-codec.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { centsToMoney, formatMoney, NumberFormat, parseMoney } from '../../src/records/values.js';
import { TaxesService } from '../../src/taxes/taxes.service.js';
import { DiscountKind, LineField, LineFormRow, PRICING_INPUTS, PricingForm } from './quote-line-form.js';
import { QuoteLineEntity, QuoteLineRow, QuotePricingEntity, QuotePricingRow } from './quote-line.entity.js';
import { ProductReferences } from './product-references.js';
import { firstTaxName, PricedQuote, QuoteLinesService } from './quote-lines.service.js';
import { TAX_MODES } from './quotes.manifest.js';

/** Names of the quote's CSV columns beside its fields: the quote's pricing inputs and one product line. */
const COLUMN = {
  number: 'quote.number',
  overallDiscount: 'quote.overall_discount',
  groupTax: 'quote.group_tax',
  shippingAmount: 'quote.shipping_handling',
  shippingTax: 'quote.shipping_tax',
  adjustment: 'quote.adjustment',
  grandTotal: 'quote.grand_total',
  product: 'line.product',
  productNumber: 'line.product_no',
  quantity: 'line.quantity',
  unitPrice: 'line.unit_price',
  discount: 'line.discount',
  comment: 'line.comment',
} as const;

/**
 * The columns in export order. The record number, shipping and handling, the adjustment and the grand total
 * are exported as the quote's fields, so here they are import-only columns with the same headers, which the
 * mapping page matches to them. The grand total is only compared with the computed one.
 */
const COLUMNS: CsvChildColumn[] = [
  { name: COLUMN.number, label: 'fields.record_number', level: 'record', exported: false },
  { name: COLUMN.overallDiscount, label: 'quotes.csv.overallDiscount', level: 'record', exported: true },
  { name: COLUMN.groupTax, label: 'quotes.lines.groupTax', level: 'record', exported: true },
  { name: COLUMN.shippingAmount, label: 'quotes.fields.shipping_handling', level: 'record', exported: false },
  { name: COLUMN.shippingTax, label: 'quotes.lines.shippingTax', level: 'record', exported: true },
  { name: COLUMN.adjustment, label: 'quotes.fields.adjustment', level: 'record', exported: false },
  { name: COLUMN.grandTotal, label: 'quotes.fields.grand_total', level: 'record', exported: false },
  { name: COLUMN.product, label: 'quotes.csv.lineProduct', level: 'child', exported: true },
  { name: COLUMN.productNumber, label: 'quotes.csv.lineProductNumber', level: 'child', exported: true },
  { name: COLUMN.quantity, label: 'quotes.csv.lineQuantity', level: 'child', exported: true, numeric: true },
  {
    name: COLUMN.unitPrice,
    label: 'quotes.csv.lineUnitPrice',
    level: 'child',
    exported: true,
    numeric: true,
  },
  { name: COLUMN.discount, label: 'quotes.csv.lineDiscount', level: 'child', exported: true },
  { name: COLUMN.comment, label: 'quotes.csv.lineComment', level: 'child', exported: true },
];

/** The column that shows an error of a form row's input. The product's column is chosen per row. */
const LINE_INPUT_COLUMNS: Record<Exclude<LineField, 'product'>, string> = {
  quantity: COLUMN.quantity,
  unitPrice: COLUMN.unitPrice,
  discountKind: COLUMN.discount,
  discount: COLUMN.discount,
  comment: COLUMN.comment,
};

const PRICING_INPUT_COLUMNS: Record<string, string> = {
  [PRICING_INPUTS.overallDiscountKind]: COLUMN.overallDiscount,
  [PRICING_INPUTS.overallDiscount]: COLUMN.overallDiscount,
  [PRICING_INPUTS.groupTax]: COLUMN.groupTax,
  [PRICING_INPUTS.shippingAmount]: COLUMN.shippingAmount,
  [PRICING_INPUTS.shippingTax]: COLUMN.shippingTax,
  [PRICING_INPUTS.adjustment]: COLUMN.adjustment,
};

/** A quote's lines as the import priced them, or null for a quote imported without lines. */
type ImportedLines = PricedQuote | null;

/**
 * A quote's product lines in CSV files: one row per line with the quote's fields repeated, grouped back into
 * one quote on import by the record number, or by subject and account when a row has no number. The import
 * prices each quote with QuoteLinesService.price(), as the form does, and stores it with store(), which
 * announces the new total to the potential.
 */
@Injectable()
export class QuoteCsvRows implements CsvChildRows<ImportedLines>, OnModuleInit {
  readonly columns = COLUMNS;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly lines: QuoteLinesService,
    private readonly taxes: TaxesService,
    private readonly productReferences: ProductReferences,
  ) {}

  onModuleInit(): void {
    this.registry.registerCsvChildRows('quotes', this);
  }

  groupKey(input: Record<string, string>): string {
    const number = (input[COLUMN.number] ?? '').trim();
    if (number !== '') return `number:${number.toLowerCase()}`;
    const subject = (input.subject ?? '').trim().toLowerCase();
    const account = (input.account_id ?? '').trim().toLowerCase();
    return `name:${JSON.stringify([subject, account])}`;
  }

  async exportRows(user: CurrentUser, quoteIds: number[]): Promise<Map<number, string[][]>> {
    const rows = new Map<number, string[][]>();
    if (quoteIds.length === 0) return rows;

    const lines = await this.dataSource.getRepository(QuoteLineEntity).find({
      where: { quoteId: In(quoteIds) },
      order: { quoteId: 'ASC', position: 'ASC' },
    });
    const pricings = await this.dataSource
      .getRepository(QuotePricingEntity)
      .findBy({ quoteId: In(quoteIds) });
    const numbers = await this.productReferences.numbersOf(
      user,
      lines.flatMap((line) => (line.productId === null ? [] : [Number(line.productId)])),
    );
    const exported = COLUMNS.filter((column) => column.exported);

    for (const quoteId of quoteIds) {
      const pricing = pricings.find((row) => Number(row.quoteId) === quoteId);
      const quoteCells = pricingCells(pricing);
      const quoteLines = lines.filter((line) => Number(line.quoteId) === quoteId);
      const cellMaps = quoteLines.length > 0 ? quoteLines.map((line) => lineCells(line, numbers)) : [{}];
      rows.set(
        quoteId,
        cellMaps.map((cells) => exported.map((column) => ({ ...quoteCells, ...cells })[column.name] ?? '')),
      );
    }
    return rows;
  }

  /**
   * Matches each row's product by number or name among the products the user may see, then prices the lines
   * with the quote's pricing inputs from the first row. A quote whose rows name no product fails, as the form
   * saves no quote without a line.
   */
  async check(
    user: CurrentUser,
    rows: ChildRowInput[],
    values: RecordValues,
    numberFormat: NumberFormat,
  ): Promise<ChildRowsCheck<ImportedLines>> {
    const inputs = rows.map((row) => row.input);
    const pricingInput = inputs[0];
    const named = inputs.some((input) =>
      [COLUMN.product, COLUMN.productNumber].some((name) => cell(input, name) !== ''),
    );
    if (!named)
      return { ok: false, problems: [{ row: 0, column: COLUMN.product, reason: 'quotes.csv.noLines' }] };

    const problems: ChildRowProblem[] = [];
    const productIds = await this.matchProducts(user, inputs, problems);
    for (const name of [COLUMN.groupTax, COLUMN.shippingTax]) {
      const taxName = cell(pricingInput, name);
      if (taxName !== '' && !(await this.taxes.findByName(taxName)))
        problems.push({ row: 0, column: name, reason: 'quotes.csv.taxNotFound', params: { value: taxName } });
    }

    const overallDiscount = cell(pricingInput, COLUMN.overallDiscount);
    const form: PricingForm = {
      rows: inputs.map((input, index) => formRow(input, productIds[index])),
      overallDiscountKind: discountKindOf(overallDiscount),
      overallDiscount,
      groupTax: cell(pricingInput, COLUMN.groupTax),
      shippingAmount: cell(pricingInput, COLUMN.shippingAmount),
      shippingTax: cell(pricingInput, COLUMN.shippingTax),
      adjustment: cell(pricingInput, COLUMN.adjustment),
    };
    const taxMode = values.tax_mode === TAX_MODES.group ? 'group' : 'individual';
    const priced = await this.lines.price(user, null, form, taxMode, numberFormat);

    if (!priced.ok) {
      for (const [inputName, error] of Object.entries(priced.errors)) {
        const problem = this.pricingProblem(inputName, inputs);
        const known = problems.some((found) => found.row === problem.row && found.column === problem.column);
        if (!known) problems.push({ ...problem, reason: `errors.field.${error.code}`, params: error.params });
      }
    }
    if (problems.length > 0 || !priced.ok) return { ok: false, problems };

    const totalProblem = grandTotalProblem(
      user,
      cell(pricingInput, COLUMN.grandTotal),
      priced.quote,
      numberFormat,
    );
    if (totalProblem) return { ok: false, problems: [totalProblem] };
    return { ok: true, children: priced.quote };
  }

  async store(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    children: ImportedLines,
  ): Promise<void> {
    if (children) await this.lines.store(manager, user, quoteId, children);
  }

  /**
   * Returns the id of each row's product, or '' for a row without one, and adds a problem for a product that
   * is not found or whose name several products share. Two queries for the whole quote.
   */
  private async matchProducts(
    user: CurrentUser,
    inputs: Record<string, string>[],
    problems: ChildRowProblem[],
  ): Promise<string[]> {
    const numbers = inputs.map((input) => cell(input, COLUMN.productNumber)).filter((text) => text !== '');
    const names = inputs
      .filter((input) => cell(input, COLUMN.productNumber) === '')
      .map((input) => cell(input, COLUMN.product))
      .filter((text) => text !== '');
    const byNumber = await this.productReferences.byNumbers(user, numbers);
    const byName = await this.productReferences.byNames(user, names);

    return inputs.map((input, row) => {
      const number = cell(input, COLUMN.productNumber);
      const name = cell(input, COLUMN.product);
      if (number !== '') {
        const product = byNumber.get(number.toLowerCase());
        if (product) return String(product.id);
        problems.push({
          row,
          column: COLUMN.productNumber,
          reason: 'quotes.csv.productNotFound',
          params: { value: number },
        });
        return '';
      }
      if (name === '') return '';

      const id = byName.get(this.productReferences.nameKey(name));
      if (typeof id === 'number') return String(id);
      problems.push({
        row,
        column: COLUMN.product,
        reason: id === 'ambiguous' ? 'quotes.csv.productAmbiguous' : 'quotes.csv.productNotFound',
        params: { value: name },
      });
      return '';
    });
  }

  /** Returns the row and column of an error that price() keyed by its form input. */
  private pricingProblem(
    inputName: string,
    inputs: Record<string, string>[],
  ): { row: number; column: string } {
    const match = /^line_(\w+)_(\d+)$/.exec(inputName);
    if (!match) return { row: 0, column: PRICING_INPUT_COLUMNS[inputName] ?? '' };

    const row = Number(match[2]) - 1;
    const field = match[1] as LineField;
    if (field !== 'product') return { row, column: LINE_INPUT_COLUMNS[field] ?? '' };
    const byNumber = cell(inputs[row] ?? {}, COLUMN.productNumber) !== '';
    return { row, column: byNumber ? COLUMN.productNumber : COLUMN.product };
  }
}

/**
 * Compares the file's grand total, when it has one, with the one computed from the lines, so that a quote
 * whose total would change on the way (other tax rates or prices here) is not stored with a total that the
 * file did not show. An empty cell accepts the computed total.
 */
function grandTotalProblem(
  user: CurrentUser,
  text: string,
  quote: PricedQuote,
  numberFormat: NumberFormat,
): ChildRowProblem | undefined {
  if (text === '') return undefined;
  const parsed = parseMoney(text, numberFormat);
  if (!parsed.ok) return { row: 0, column: COLUMN.grandTotal, reason: `errors.field.${parsed.error}` };

  const computed = quote.totals.grandTotal;
  if (parsed.value.equals(computed)) return undefined;
  return {
    row: 0,
    column: COLUMN.grandTotal,
    reason: 'quotes.csv.grandTotalDiffers',
    params: { file: formatMoney(parsed.value, user.locale), computed: formatMoney(computed, user.locale) },
  };
}

function cell(input: Record<string, string>, name: string): string {
  return (input[name] ?? '').trim();
}

/**
 * Reads the kind of a discount from its text: percentages joined by + are a cascade, a number with % is a
 * percentage, and a plain number is an amount.
 */
function discountKindOf(text: string): DiscountKind {
  if (text === '') return 'none';
  if (text.includes('+')) return 'cascade';
  if (text.endsWith('%')) return 'percent';
  return 'amount';
}

/** Writes a stored discount as the import reads it back: `10 %`, `10+5` or `25.00`. */
function discountCell(kind: QuoteLineRow['discountKind'], text: string | null): string {
  if (kind === 'none' || text === null) return '';
  if (kind === 'amount') return text;
  return text.includes('+') ? text : `${text} %`;
}

function formRow(input: Record<string, string>, productId: string): LineFormRow {
  const discount = cell(input, COLUMN.discount);
  return {
    product: productId,
    quantity: cell(input, COLUMN.quantity),
    unitPrice: cell(input, COLUMN.unitPrice),
    discountKind: discountKindOf(discount),
    discount,
    comment: cell(input, COLUMN.comment),
  };
}

function lineCells(line: QuoteLineRow, numbers: Map<number, string>): Record<string, string> {
  return {
    [COLUMN.product]: line.productName,
    [COLUMN.productNumber]: line.productId === null ? '' : (numbers.get(Number(line.productId)) ?? ''),
    [COLUMN.quantity]: line.quantity,
    [COLUMN.unitPrice]: centsToMoney(String(line.unitPriceCents)).toFixed(2),
    [COLUMN.discount]: discountCell(line.discountKind, line.discountText),
    [COLUMN.comment]: line.comment ?? '',
  };
}

function pricingCells(pricing: QuotePricingRow | undefined): Record<string, string> {
  if (!pricing) return {};
  return {
    [COLUMN.overallDiscount]: discountCell(pricing.overallDiscountKind, pricing.overallDiscountText),
    [COLUMN.groupTax]: firstTaxName(pricing.groupTaxes),
    [COLUMN.shippingTax]: firstTaxName(pricing.shippingTaxes),
  };
}
