import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { FormSection } from '../../src/records/record-pages.controller.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import { RecordViews } from '../../src/records/record-views.js';
import { NUMBER_FORMAT_OF } from '../../src/records/values.js';
import { TaxesService } from '../../src/taxes/taxes.service.js';
import {
  DISCOUNT_KINDS,
  DiscountKind,
  emptyRow,
  EMPTY_LINES,
  LINE_COUNT_INPUT,
  LINE_FIELDS,
  LineField,
  lineInputName,
  MAX_LINES,
  MORE_LINES_INPUT,
  PRICING_INPUTS,
  PricingForm,
  PRODUCT_INPUT_KIND,
  readPricingForm,
} from './quote-line-form.js';
import { PRODUCT_SELECT_LIMIT, QuoteLinesService } from './quote-lines.service.js';

type PricingInput = keyof typeof PRICING_INPUTS;

/** The id of the <datalist> that suggests products to the lines' product boxes of a large catalogue. */
const PRODUCT_SUGGESTIONS_ID = 'quote-product-suggestions';

const PRICING_LABELS: Record<PricingInput, string> = {
  overallDiscountKind: 'quotes.lines.overallDiscountKind',
  overallDiscount: 'quotes.lines.overallDiscount',
  groupTax: 'quotes.lines.groupTax',
  shippingAmount: 'quotes.lines.shippingAmount',
  shippingTax: 'quotes.lines.shippingTax',
  adjustment: 'quotes.lines.adjustment',
};

/** Builds the "Product lines" section of the quote form: the rows, the totals inputs and their errors. */
@Injectable()
export class QuoteFormPage {
  constructor(
    private readonly lines: QuoteLinesService,
    private readonly taxes: TaxesService,
    private readonly views: RecordViews,
  ) {}

  async section(
    user: CurrentUser,
    id: number | null,
    submitted: Record<string, unknown> | undefined,
    errors: FieldErrors,
  ): Promise<FormSection> {
    const locale = user.locale;
    const form = await this.formOf(user, id, submitted);
    const kept = (id === null ? [] : await this.lines.storedLines(id)).flatMap((line) =>
      line.productId === null ? [] : [{ id: line.productId, name: line.productName }],
    );
    const products = await this.lines.productChoices(user, kept);
    if (products.byReference && !form.productsByReference) {
      // Stored lines, and a form posted with a select, name products by id, which the box shows as text.
      const references = await this.lines.productReferencesOf(user, kept);
      for (const row of form.rows) row.product = references.get(row.product) ?? row.product;
    }
    const taxNames = (await this.taxes.active()).map((tax) => tax.name);
    // A new quote offers the first active tax for the whole quote, which group mode needs.
    if (id === null && submitted === undefined && form.groupTax === '') form.groupTax = taxNames[0] ?? '';
    const message = (name: string) =>
      errors[name] ? this.views.errorMessage(locale, errors[name]) : undefined;
    const summary: FormSection['errors'] = [];

    const rows = form.rows.map((row, index) => {
      const number = index + 1;
      const input = (field: LineField, value: string) => {
        const name = lineInputName(field, number);
        const error = message(name);
        const label = translate(locale, 'quotes.lines.fieldOfLine', {
          line: number,
          field: translate(locale, `quotes.lines.${field}`),
        });
        if (error) summary.push({ name, label, error });
        return { name, id: `field-${name}`, value, error, label };
      };
      return {
        number,
        cells: [
          products.byReference
            ? { ...input('product', row.product), suggestions: PRODUCT_SUGGESTIONS_ID }
            : {
                ...input('product', row.product),
                options: this.productOptions(user, products.choices, row.product),
              },
          { ...input('quantity', row.quantity), decimal: true },
          { ...input('unitPrice', row.unitPrice), decimal: true },
          { ...input('discountKind', row.discountKind), options: this.kindOptions(user, row.discountKind) },
          input('discount', row.discount),
          input('comment', row.comment),
        ],
      };
    });

    const pricing = (key: PricingInput, value: string) => {
      const name = PRICING_INPUTS[key];
      const error = message(name);
      const label = translate(locale, PRICING_LABELS[key]);
      if (error) summary.push({ name, label, error });
      return { name, id: `field-${name}`, value, error, label };
    };
    const taxOptions = (chosen: string) => [
      { value: '', label: translate(locale, 'quotes.lines.noTax'), selected: chosen === '' },
      ...[...new Set([...taxNames, ...(chosen ? [chosen] : [])])].map((name) => ({
        value: name,
        label: name,
        selected: name === chosen,
      })),
    ];

    return {
      partial: 'quotes-line-form',
      model: {
        productInputKindName: PRODUCT_INPUT_KIND,
        productSuggestions: products.byReference
          ? { id: PRODUCT_SUGGESTIONS_ID, options: products.choices, limit: PRODUCT_SELECT_LIMIT }
          : undefined,
        lineCountName: LINE_COUNT_INPUT,
        lineCount: rows.length,
        moreLinesName: MORE_LINES_INPUT,
        moreLines: rows.length + EMPTY_LINES <= MAX_LINES,
        rows,
        columns: LINE_FIELDS.map((field) => translate(locale, `quotes.lines.${field}`)),
        pricingFields: [
          {
            ...pricing('overallDiscountKind', form.overallDiscountKind),
            options: this.kindOptions(user, form.overallDiscountKind),
          },
          { ...pricing('groupTax', form.groupTax), options: taxOptions(form.groupTax) },
          { ...pricing('shippingTax', form.shippingTax), options: taxOptions(form.shippingTax) },
          { ...pricing('overallDiscount', form.overallDiscount), decimal: true },
          { ...pricing('shippingAmount', form.shippingAmount), decimal: true },
          { ...pricing('adjustment', form.adjustment), decimal: true },
        ],
      },
      errors: summary,
    };
  }

  /**
   * Returns the typed lines after an error, the stored ones on an edit form, or none on a new one, with empty
   * rows added up to the form's minimum, and more when the user asked for them.
   */
  private async formOf(
    user: CurrentUser,
    id: number | null,
    submitted: Record<string, unknown> | undefined,
  ): Promise<PricingForm> {
    let form: PricingForm;
    if (submitted) form = readPricingForm(submitted);
    else if (id !== null) form = await this.lines.storedForm(id, NUMBER_FORMAT_OF[user.locale]);
    else form = readPricingForm({});

    const wanted = submitted?.[MORE_LINES_INPUT] ? form.rows.length + EMPTY_LINES : EMPTY_LINES;
    while (form.rows.length < Math.min(wanted, MAX_LINES)) form.rows.push(emptyRow());
    return form;
  }

  private productOptions(
    user: CurrentUser,
    products: { value: string; label: string; inactive: boolean }[],
    chosen: string,
  ) {
    return [
      { value: '', label: translate(user.locale, 'quotes.lines.chooseProduct'), selected: chosen === '' },
      ...products.map((product) => ({
        value: product.value,
        label: product.inactive
          ? translate(user.locale, 'quotes.lines.inactiveProduct', { product: product.label })
          : product.label,
        selected: product.value === chosen,
      })),
    ];
  }

  private kindOptions(user: CurrentUser, chosen: DiscountKind) {
    return DISCOUNT_KINDS.map((kind) => ({
      value: kind,
      label: translate(user.locale, `quotes.discountKinds.${kind}`),
      selected: kind === chosen,
    }));
  }
}
