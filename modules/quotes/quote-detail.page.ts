import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDecimal, formatMoney, Locale } from '../../src/records/values.js';
import { QuoteLinesService } from './quote-lines.service.js';
import { TOTAL_FIELDS } from './quotes.manifest.js';

/** Builds the product lines table of a quote's detail page, with the stored totals under it. */
@Injectable()
export class QuoteDetailPage {
  constructor(private readonly lines: QuoteLinesService) {}

  async section(
    user: CurrentUser,
    record: StoredRecord,
  ): Promise<{ partial: string; model: Record<string, unknown> }> {
    const locale = user.locale;
    const money = (cents: string | number) => formatMoney(centsToMoney(cents), locale);
    const lines = await this.lines.storedLines(record.id);
    return {
      partial: 'quotes-lines',
      model: {
        lines: lines.map((line) => ({
          position: line.position,
          product: line.productName,
          productHref: line.productId === null ? undefined : `/products/${line.productId}`,
          quantity: formatQuantity(line.quantity, locale),
          unitPrice: money(line.unitPriceCents),
          discount: discountText(locale, line.discountKind, line.discountText),
          discountAmount: money(line.discountCents),
          net: money(line.netCents),
          taxes: (JSON.parse(line.taxRates) as { name: string }[]).map((tax) => tax.name).join(', '),
          tax: money(line.taxCents),
          comment: line.comment ?? '',
        })),
        totals: TOTAL_FIELDS.map((name) => {
          const value = record.values[name];
          return {
            label: translate(locale, `quotes.fields.${name}`),
            text: value instanceof Decimal ? formatMoney(value, locale) : '',
            grand: name === 'grand_total',
          };
        }),
      },
    };
  }
}

/** Shows a quantity with the decimals it has, up to the three a quantity takes. */
export function formatQuantity(quantity: string, locale: Locale): string {
  const value = new Decimal(quantity);
  return formatDecimal(value, locale, value.decimalPlaces());
}

function discountText(locale: Locale, kind: string, text: string | null): string {
  if (kind === 'none' || text === null) return '';
  if (kind === 'amount') return formatMoney(new Decimal(text), locale);
  const steps = text
    .split('+')
    .map((step) => `${formatDecimal(new Decimal(step), locale, new Decimal(step).decimalPlaces())} %`);
  return steps.join(' + ');
}
