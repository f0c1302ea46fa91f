import { Decimal } from 'decimal.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { FieldDefinition } from '../../src/records/manifest.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDecimal, formatMoney, Locale, moneyToCents } from '../../src/records/values.js';
import type { QuoteLineRow } from './quote-line.entity.js';
import { priceSnapshot, QuoteSnapshot, totalFieldsOf } from './quote-lines.service.js';
import type { QuoteTotals, TaxAmount } from './quote-totals.js';
import { TAX_MODES, TOTAL_FIELDS, TotalField } from './quotes.manifest.js';

/** One product line as the detail page and the printed quote show it, every amount formatted. */
export interface QuoteDocumentLine {
  position: number;
  product: string;
  /** Set when the product still exists; the print page shows no links. */
  productId: number | null;
  quantity: string;
  unitPrice: string;
  discount: string;
  discountAmount: string;
  net: string;
  /** The line's part of the overall discount, or '' when the quote has none. */
  overallDiscountShare: string;
  /** Net less the share of the overall discount: what the line's taxes apply to. */
  taxableAmount: string;
  /** The names and rates of the line's taxes, '' in group tax mode. */
  taxes: string;
  tax: string;
  comment: string;
}

/** One figure under the lines. A `part` is contained in the figure above it and is not added again. */
export interface QuoteDocumentTotal {
  name: string;
  label: string;
  text: string;
  grand: boolean;
  part: boolean;
}

/** One row of the tax summary: the taxable amount and tax of one tax name and rate, shipping included. */
export interface QuoteTaxSummaryRow {
  name: string;
  rate: string;
  base: string;
  tax: string;
}

/** A quote's lines, totals and tax summary, formatted once for both the detail page and the print page. */
export interface QuoteDocument {
  lines: QuoteDocumentLine[];
  /** True when some line has a share of an overall discount, so the share columns are worth showing. */
  showShares: boolean;
  /** False in group tax mode, where no line carries a tax of its own. */
  showLineTaxes: boolean;
  totals: QuoteDocumentTotal[];
  /** Empty when the taxes are hidden from the user or the quote has no taxes. */
  taxSummary: QuoteTaxSummaryRow[];
  taxSummaryTotal: string;
  /**
   * False when pricing the stored snapshot again does not give the stored figures, as for a quote changed
   * outside the app. The shares and the summary are then left out, because they would not add up.
   */
  derived: boolean;
}

/**
 * Builds the lines, totals and tax summary of a stored quote. Every line figure and total is the stored one.
 * Some figures are not stored: each line's share of the overall discount, its taxable amount, the tax per
 * rate and the tax on shipping and handling. They come from pricing the stored snapshot again, and are shown
 * only when that gives exactly the stored figures. Totals hidden by the user's profile are left out, and so
 * is every figure derived from them.
 */
export function buildQuoteDocument(
  record: StoredRecord,
  snapshot: QuoteSnapshot,
  visible: ReadonlySet<TotalField>,
  locale: Locale,
): QuoteDocument {
  const money = (value: Decimal) => formatMoney(value, locale);
  const stored = storedTotals(record);
  const taxMode = record.values.tax_mode === TAX_MODES.group ? 'group' : 'individual';
  const priced = priceSnapshot(snapshot, taxMode);
  const derived = priced.ok && matchesStored(priced.totals, snapshot.lines, stored) ? priced.totals : null;

  const lines = snapshot.lines.map((line, index) =>
    documentLine(line, derived?.lines[index], derived !== null, locale),
  );
  const taxSummary = derived && visible.has('taxes_total') ? summaryRows(derived, locale) : [];

  return {
    lines,
    showShares: derived !== null && !derived.overallDiscount.isZero(),
    showLineTaxes: taxMode === 'individual',
    totals: totalRows(stored, derived, visible, locale),
    taxSummary,
    taxSummaryTotal: derived ? money(derived.taxTotal.plus(derived.shippingTaxTotal)) : '',
    derived: derived !== null || snapshot.lines.length === 0,
  };
}

/** Returns the totals that the user's profile does not hide. */
export function visibleTotals(permissions: UserPermissions, fields: FieldDefinition[]): Set<TotalField> {
  const names = new Set<string>(TOTAL_FIELDS);
  return new Set(
    permissions
      .visible('quotes', fields)
      .map((field) => field.name)
      .filter((name): name is TotalField => names.has(name)),
  );
}

/** Reads the stored totals of a quote. A total never stored, as on an imported quote, is null. */
function storedTotals(record: StoredRecord): Record<TotalField, Decimal | null> {
  const entries = TOTAL_FIELDS.map((name) => {
    const value = record.values[name];
    return [name, value instanceof Decimal ? value : null];
  });
  return Object.fromEntries(entries) as Record<TotalField, Decimal | null>;
}

/** Tells whether pricing the snapshot again gives every stored line figure and every stored total. */
function matchesStored(
  totals: QuoteTotals,
  lines: QuoteLineRow[],
  stored: Record<TotalField, Decimal | null>,
): boolean {
  const cents = (value: Decimal) => moneyToCents(value);
  const sameLines = lines.every((line, index) => {
    const priced = totals.lines[index];
    return (
      cents(priced.net) === String(line.netCents) &&
      cents(priced.discount) === String(line.discountCents) &&
      cents(priced.taxTotal) === String(line.taxCents)
    );
  });
  const expected = totalFieldsOf(totals);
  const sameTotals = TOTAL_FIELDS.every((name) => stored[name]?.equals(expected[name]) === true);
  return sameLines && sameTotals;
}

function documentLine(
  line: QuoteLineRow,
  priced: QuoteTotals['lines'][number] | undefined,
  derived: boolean,
  locale: Locale,
): QuoteDocumentLine {
  const money = (cents: string | number) => formatMoney(centsToMoney(cents), locale);
  const storedTaxes = (JSON.parse(line.taxRates) as { name: string; rate: string }[]).map((tax) => ({
    name: tax.name,
    rate: new Decimal(tax.rate),
  }));
  // In group tax mode the engine applies no line taxes, though the line keeps its product's tax for a later change of mode.
  const taxes = derived && priced ? priced.taxes : storedTaxes;
  return {
    position: line.position,
    product: line.productName,
    productId: line.productId,
    quantity: formatQuantity(line.quantity, locale),
    unitPrice: money(line.unitPriceCents),
    discount: discountText(locale, line.discountKind, line.discountText),
    discountAmount: money(line.discountCents),
    net: money(line.netCents),
    overallDiscountShare: priced ? formatMoney(priced.overallDiscountShare, locale) : '',
    taxableAmount: priced ? formatMoney(priced.taxableAmount, locale) : '',
    taxes: taxes.map((tax) => taxLabel(tax.name, tax.rate, locale)).join(', '),
    tax: money(line.taxCents),
    comment: line.comment ?? '',
  };
}

/**
 * Lists the figures under the lines in the order they add up: the stored totals the user may see. The total
 * after the overall discount and the tax on shipping and handling follow the totals they are derived from.
 */
function totalRows(
  stored: Record<TotalField, Decimal | null>,
  derived: QuoteTotals | null,
  visible: ReadonlySet<TotalField>,
  locale: Locale,
): QuoteDocumentTotal[] {
  const rows: QuoteDocumentTotal[] = [];
  const row = (name: string, label: string, value: Decimal | null, part = false) =>
    rows.push({
      name,
      label,
      text: value === null ? '' : formatMoney(value, locale),
      grand: name === 'grand_total',
      part,
    });

  for (const name of TOTAL_FIELDS) {
    if (!visible.has(name)) continue;
    row(name, translate(locale, `quotes.fields.${name}`), stored[name]);

    if (
      name === 'overall_discount' &&
      derived &&
      !derived.overallDiscount.isZero() &&
      visible.has('net_total')
    )
      row('discounted_total', translate(locale, 'quotes.document.discountedTotal'), derived.discountedTotal);
    if (name === 'taxes_total' && derived && visible.has('shipping_handling')) {
      for (const tax of derived.shippingTaxes.filter((shippingTax) => !shippingTax.amount.isZero())) {
        const label = translate(locale, 'quotes.document.shippingTax', {
          tax: tax.name,
          base: formatMoney(tax.base, locale),
        });
        row('shipping_tax', label, tax.amount, true);
      }
    }
  }
  return rows;
}

/**
 * Adds up the taxes per name and rate, the tax on shipping and handling included, in the order they first
 * appear. The amounts are the engine's rounded ones, so the rows add up to the stored taxes total.
 */
function summaryRows(totals: QuoteTotals, locale: Locale): QuoteTaxSummaryRow[] {
  const byKey = new Map<string, TaxAmount>();
  for (const tax of [...totals.taxes, ...totals.shippingTaxes]) {
    const key = `${tax.name}\u0000${tax.rate.toString()}`;
    const sum = byKey.get(key);
    if (sum) byKey.set(key, { ...sum, base: sum.base.plus(tax.base), amount: sum.amount.plus(tax.amount) });
    else byKey.set(key, { ...tax });
  }
  return [...byKey.values()].map((tax) => ({
    name: tax.name,
    rate: formatRate(tax.rate, locale),
    base: formatMoney(tax.base, locale),
    tax: formatMoney(tax.amount, locale),
  }));
}

/** Names a tax with its rate, unless the name already shows it ("VAT 22 %"). */
function taxLabel(name: string, rate: Decimal, locale: Locale): string {
  const rateText = formatRate(rate, locale);
  return name.includes(rateText) ? name : `${name} (${rateText})`;
}

/** Shows a quantity with the decimals it has, up to the three a quantity takes. */
export function formatQuantity(quantity: string, locale: Locale): string {
  const value = new Decimal(quantity);
  return formatDecimal(value, locale, value.decimalPlaces());
}

/** Shows a percentage with the decimals it has: 22 %, 4,5 %. */
function formatRate(rate: Decimal, locale: Locale): string {
  return `${formatDecimal(rate, locale, rate.decimalPlaces())} %`;
}

function discountText(locale: Locale, kind: string, text: string | null): string {
  if (kind === 'none' || text === null) return '';
  if (kind === 'amount') return formatMoney(new Decimal(text), locale);
  return text
    .split('+')
    .map((step) => formatRate(new Decimal(step), locale))
    .join(' + ');
}
