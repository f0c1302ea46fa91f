import { Injectable, NotFoundException } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDecimal, formatMoney, Locale } from '../../src/records/values.js';
import { Exact } from '../quotes/quote-amounts.js';
import { formatQuantity } from '../quotes/quote-document.js';
import { LineAfterOverallDiscount, QuoteLinesService } from '../quotes/quote-lines.service.js';
import { PotentialQuotes, QuoteName, quoteLabel } from './potential-quotes.js';

/** The source of a line's unit cost: the copy on the quote line, the product's current cost, or none. */
type CostSource = 'quoted' | 'current' | 'unknown';

/** A line's cost and margin, in euro. Undefined figures are unknown because the line has no unit cost. */
interface LineCost {
  source: CostSource;
  unitCost?: Decimal;
  costTotal?: Decimal;
  margin?: Decimal;
}

/**
 * Builds the product lines section of a potential's detail page. It lists the lines of the quote that sets
 * the potential's amount, each with its share of the quote's overall discount, its cost and its margin. It
 * warns when no active quote or more than one is linked.
 */
@Injectable()
export class PotentialLinesPage {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly quotes: PotentialQuotes,
    private readonly quoteLines: QuoteLinesService,
  ) {}

  async section(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<{ partial: string; model: Record<string, unknown> }> {
    const activeQuotes = await this.quotes.activeQuotes(user, record.id);
    const decidingId = await this.quotes.decidingQuoteId(record.id);
    const deciding = decidingId === null ? null : await this.quotes.visibleQuote(user, decidingId);
    const model: Record<string, unknown> = {
      createHref: permissions.can('quotes', 'create') ? newQuoteHref(record) : undefined,
      activeQuotes,
      noActiveQuote: activeQuotes.length === 0 && decidingId === null,
      typedByHand: activeQuotes.length > 0 && decidingId === null,
      hiddenQuote: decidingId !== null && deciding === null,
    };
    if (!deciding) return { partial: 'potentials-product-lines', model };

    const quote: QuoteName = { label: quoteLabel(deciding), href: `/quotes/${deciding.id}` };
    return {
      partial: 'potentials-product-lines',
      model: { ...model, quote, ...(await this.linesModel(user, deciding.id, permissions)) },
    };
  }

  /** Builds the rows and the totals row of the quote's lines, with cost and margin when the user may see costs. */
  private async linesModel(
    user: CurrentUser,
    quoteId: number,
    permissions: UserPermissions,
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const mayViewProducts = permissions.can('products', 'view');
    const unitCostField = this.registry.field('products', 'unit_cost');
    const showCost = mayViewProducts && !!unitCostField && !permissions.isHidden('products', unitCostField);

    const spread = await this.quoteLines.linesAfterOverallDiscount(quoteId);
    const money = (value: Decimal | undefined) => (value === undefined ? '' : formatMoney(value, locale));
    const rows = [];
    const costs: LineCost[] = [];
    for (const entry of spread.lines) {
      const { line } = entry;
      const cost = showCost ? await this.lineCost(user, entry) : { source: 'unknown' as const };
      costs.push(cost);
      rows.push({
        product: line.productName,
        productHref: mayViewProducts && line.productId !== null ? `/products/${line.productId}` : undefined,
        quantity: formatQuantity(line.quantity, locale),
        unitPrice: money(centsToMoney(line.unitPriceCents)),
        net: money(centsToMoney(line.netCents)),
        overallDiscountShare: money(entry.overallDiscountShare),
        netAfterShare: money(entry.netAfterShare),
        unitCost: money(cost.unitCost),
        currentCost: cost.source === 'current',
        costTotal: money(cost.costTotal),
        margin: money(cost.margin),
        marginPercent: percentText(cost.margin, entry.netAfterShare, locale),
      });
    }

    const known = costs.every((cost) => cost.source !== 'unknown');
    const costTotal = known ? sum(costs.map((cost) => cost.costTotal!)) : undefined;
    const margin = costTotal === undefined ? undefined : spread.discountedTotal.minus(costTotal);
    return {
      showCost,
      lines: rows,
      totals: {
        net: money(spread.netTotal),
        overallDiscountShare: money(spread.overallDiscount),
        netAfterShare: money(spread.discountedTotal),
        costTotal: money(costTotal),
        margin: money(margin),
        marginPercent: percentText(margin, spread.discountedTotal, locale),
      },
      linesWithoutCost: showCost ? costs.filter((cost) => cost.source === 'unknown').length : 0,
      anyCurrentCost: costs.some((cost) => cost.source === 'current'),
    };
  }

  /**
   * Returns a line's cost and margin, from the unit cost the line was quoted with. A line stored without a
   * cost takes the product's current cost instead, marked as current.
   */
  private async lineCost(user: CurrentUser, entry: LineAfterOverallDiscount): Promise<LineCost> {
    const { line } = entry;
    let source: CostSource = 'quoted';
    let unitCost = line.unitCostCents === null ? undefined : centsToMoney(line.unitCostCents);
    if (unitCost === undefined && line.productId !== null) {
      unitCost = await this.currentUnitCost(user, line.productId);
      source = 'current';
    }
    if (unitCost === undefined) return { source: 'unknown' };

    // Quantity × unit cost with enough digits that only the rounding to the cent rounds.
    const costTotal = new Exact(line.quantity).times(unitCost).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    return { source, unitCost, costTotal, margin: entry.netAfterShare.minus(costTotal) };
  }

  /** Reads the product's unit cost as the user may see it, undefined when it has none or is out of reach. */
  private async currentUnitCost(user: CurrentUser, productId: number): Promise<Decimal | undefined> {
    try {
      const product = await this.records.findVisible('products', user, productId);
      return product.values.unit_cost instanceof Decimal ? product.values.unit_cost : undefined;
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
  }
}

/** Returns the new quote form's address, with the potential and its account filled in. */
function newQuoteHref(potential: StoredRecord): string {
  const params = new URLSearchParams({ potential_id: String(potential.id) });
  const account = potential.values.account_id;
  if (typeof account === 'number') params.set('account_id', String(account));
  return `/quotes/new?${params.toString()}`;
}

/** Returns the margin as a percentage of what the line brings in, to one decimal, or '' when unknown. */
function percentText(margin: Decimal | undefined, revenue: Decimal, locale: Locale): string {
  if (margin === undefined || revenue.isZero()) return '';
  return `${formatDecimal(new Exact(margin).times(100).dividedBy(revenue), locale, 1)} %`;
}

function sum(values: Decimal[]): Decimal {
  return values.reduce((total, value) => total.plus(value), new Decimal(0));
}
