import { Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { EventBus } from '../../src/events/event-bus.js';
import {
  ACTIVE_QUOTE_STAGES,
  QuoteReleasedEvent,
  QuoteTotalsChangedEvent,
} from '../../src/events/quote-totals-changed.event.js';
import { RecordsSavedEvent, SaveRejectedError } from '../../src/events/record-changes.event.js';
import type { RecordValues } from '../../src/records/field-codec.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import { RecordsService } from '../../src/records/records.service.js';
import { centsToMoney, moneyToCents, NumberFormat, utcNow } from '../../src/records/values.js';
import { TaxesService } from '../../src/taxes/taxes.service.js';
import { productReference, ProductReferences } from './product-references.js';
import { parseDiscount } from './quote-amounts.js';
import {
  discountInput,
  DiscountKind,
  isBlankRow,
  LineField,
  lineInputName,
  LineFormRow,
  PRICING_INPUTS,
  PricingForm,
} from './quote-line-form.js';
import { QuoteLineEntity, QuoteLineRow, QuotePricingEntity, QuotePricingRow } from './quote-line.entity.js';
import {
  computeQuoteTotals,
  QuoteInput,
  QuoteTotals,
  QuoteTotalsError,
  spreadOverallDiscount,
  QuoteTotalsResult,
  TaxInput,
  TaxMode,
} from './quote-totals.js';
import { TAX_MODES, TOTAL_FIELDS, TotalField } from './quotes.manifest.js';

/**
 * The maximum number of active products a line's select lists. A larger catalogue makes the lines take a
 * typed product number or name instead, so that every product can be quoted.
 */
export const PRODUCT_SELECT_LIMIT = 200;

/** The products a quote line offers, and whether the line takes them by typed reference rather than a select. */
export interface ProductChoices {
  byReference: boolean;
  choices: { value: string; label: string; inactive: boolean }[];
}

/** A BIGINT column as the drivers return it: a string on MariaDB, a number on SQLite. */
type CentsColumn = string | number | null;

/** A tax as a quote copies it: its name and its rate as exact decimal text. */
interface TaxSnapshot {
  name: string;
  rate: string;
}

/** A line ready to store: what the form chose, with the product's name and taxes copied. */
interface PricedLine {
  /** Null for a stored line whose product was deleted since. */
  productId: number | null;
  productName: string;
  discountKind: DiscountKind;
  discountText: string | null;
  comment: string;
  taxes: TaxSnapshot[];
  /** The product's unit cost in cents when the line was priced, null when it has none. */
  unitCostCents: string | null;
}

/** The lines and totals of a quote that passed every check, ready to store with the quote. */
export interface PricedQuote {
  lines: PricedLine[];
  totals: QuoteTotals;
  pricing: Omit<QuotePricingRow, 'quoteId' | 'quote'>;
}

/** A stored line with its share of the quote's overall discount. */
export interface LineAfterOverallDiscount {
  line: QuoteLineRow;
  overallDiscountShare: Decimal;
  /** The line's net less its share: what the line brings in. */
  netAfterShare: Decimal;
}

/** A quote's stored lines with the overall discount spread over them, and the totals they add up to. */
export interface LinesAfterOverallDiscount {
  lines: LineAfterOverallDiscount[];
  netTotal: Decimal;
  overallDiscount: Decimal;
  /** The net total less the overall discount, which the lines' nets after their shares add up to. */
  discountedTotal: Decimal;
}

export type PriceResult = { ok: true; quote: PricedQuote } | { ok: false; errors: FieldErrors };

/** A product as a quote line reads it through the record engine. */
interface LineProduct {
  id: number;
  name: string;
  active: boolean;
  unitPrice: Decimal | null;
  unitCost: Decimal | null;
  taxClass: string | null;
}

/** The input that shows an engine error: the row's field for a line, the totals input otherwise. */
const ENGINE_FIELDS: Record<string, LineField> = {
  quantity: 'quantity',
  unitPrice: 'unitPrice',
  discount: 'discount',
  taxes: 'product',
};

const PRICING_FIELDS: Record<string, string> = {
  overallDiscount: PRICING_INPUTS.overallDiscount,
  groupTaxes: PRICING_INPUTS.groupTax,
  shippingAmount: PRICING_INPUTS.shippingAmount,
  shippingTaxes: PRICING_INPUTS.shippingTax,
  adjustment: PRICING_INPUTS.adjustment,
};

/**
 * Prices a quote's product lines with computeQuoteTotals and stores them with the quote's totals. Products
 * are read through the record engine, so a user prices only products they may see.
 */
@Injectable()
export class QuoteLinesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
    private readonly taxes: TaxesService,
    private readonly events: EventBus,
    private readonly permissions: PermissionsService,
    private readonly productReferences: ProductReferences,
  ) {}

  onModuleInit(): void {
    this.events.on(RecordsSavedEvent, (event) => this.repriceChangedTaxModes(event), {
      order: 10,
      owner: 'quotes',
    });
    this.events.on(RecordsSavedEvent, (event) => this.announceLinkChanges(event), {
      order: 11,
      owner: 'quotes',
    });
  }

  /**
   * Tells the potentials when a save changes which potential a quote is active on, by its potential link or
   * its stage. The potential it left gets its remaining active quote saved last (QuoteReleasedEvent), and
   * the potential it joined gets the quote's stored total. A form save announces its new total itself once
   * its lines are stored, so only mass edits and imports announce the stored one here.
   */
  private async announceLinkChanges(event: RecordsSavedEvent): Promise<void> {
    if (event.moduleName !== 'quotes') return;
    for (const record of event.records) {
      if (!record.previous) continue;
      const before = activePotentialOf(record.previous);
      const after = activePotentialOf(record.values);
      if (before === after) continue;

      if (before !== null) {
        const replacement = await this.latestActiveQuote(event.manager, before, record.id);
        await this.events.emit(
          QuoteReleasedEvent,
          new QuoteReleasedEvent(event.manager, event.user, record.id, before, replacement, utcNow()),
        );
      }
      if (after !== null && event.source !== 'form')
        await this.announceStoredTotals(event.manager, event.user, record.id);
    }
  }

  /**
   * Returns the potential's active quote saved last, other than the one given, with its stored total. A quote
   * in the recycle bin is not active.
   */
  async latestActiveQuote(
    manager: EntityManager,
    potentialId: number,
    exceptId: number,
  ): Promise<QuoteTotalsChangedEvent['quote'] | null> {
    const row = await manager
      .createQueryBuilder()
      .select([
        'q.id AS id',
        'q.quote_no AS quote_no',
        'q.subject AS subject',
        'q.quote_stage AS quote_stage',
      ])
      .addSelect('q.grand_total_cents', 'grand_total_cents')
      .from('quotes', 'q')
      .where('q.potential_id = :potentialId', { potentialId })
      .andWhere('q.id <> :exceptId', { exceptId })
      .andWhere('q.quote_stage IN (:...stages)', { stages: [...ACTIVE_QUOTE_STAGES] })
      .andWhere('q.grand_total_cents IS NOT NULL')
      .andWhere('q.deleted_at IS NULL')
      .orderBy('q.updated_at', 'DESC')
      .addOrderBy('q.id', 'DESC')
      .limit(1)
      .getRawOne<{
        id: string | number;
        quote_no: string | null;
        subject: string;
        quote_stage: string;
        grand_total_cents: string | number;
      }>();
    if (!row) return null;
    return {
      id: Number(row.id),
      number: row.quote_no ?? `#${String(row.id)}`,
      subject: row.subject,
      potentialId,
      stage: row.quote_stage,
      grandTotal: centsToMoney(String(row.grand_total_cents)),
    };
  }

  /** Emits QuoteTotalsChangedEvent with the quote's stored total, unless the quote has none (imported). */
  async announceStoredTotals(manager: EntityManager, user: CurrentUser, quoteId: number): Promise<void> {
    const stored = await this.storedGrandTotal(manager, quoteId);
    if (stored !== null) await this.announceTotals(manager, user, quoteId, stored);
  }

  private async storedGrandTotal(manager: EntityManager, quoteId: number): Promise<Decimal | null> {
    const row = await manager
      .createQueryBuilder()
      .select('q.grand_total_cents', 'cents')
      .from('quotes', 'q')
      .where('q.id = :quoteId', { quoteId })
      .getRawOne<{ cents: string | number | null }>();
    return row?.cents === null || row?.cents === undefined ? null : centsToMoney(String(row.cents));
  }

  /**
   * Prices the stored lines again when a mass edit or an import changed a quote's tax mode, so that the
   * stored totals still follow from the stored lines. The form prices its lines itself.
   */
  private async repriceChangedTaxModes(event: RecordsSavedEvent): Promise<void> {
    if (event.moduleName !== 'quotes' || event.source === 'form') return;
    for (const record of event.records) {
      if (!record.previous || record.previous.tax_mode === record.values.tax_mode) continue;
      const taxMode = record.values.tax_mode === TAX_MODES.group ? 'group' : 'individual';
      await this.reprice(event.manager, event.user, record.id, taxMode);
    }
  }

  /** Prices a quote's stored lines and pricing inputs in a tax mode and stores the result. */
  private async reprice(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    taxMode: TaxMode,
  ): Promise<void> {
    const snapshot = await this.storedSnapshot(quoteId, manager);
    const { lines, pricing } = snapshot;
    // A quote imported without line columns has no lines and no totals to keep in step.
    if (lines.length === 0 || !pricing) return;

    if (taxMode === 'group' && (JSON.parse(pricing.groupTaxes) as TaxSnapshot[]).length === 0)
      throw new SaveRejectedError('tax_mode', { code: 'groupTaxNotChosen' });
    const result = priceSnapshot(snapshot, taxMode);
    // A mode whose taxes let the adjustment take the grand total below 0 is rejected on the tax mode field.
    if (!result.ok) {
      const [{ code, params }] = result.errors;
      throw new SaveRejectedError('tax_mode', params ? { code, params } : { code });
    }

    await this.store(manager, user, quoteId, {
      lines: lines.map((line) => ({
        productId: line.productId === null ? null : Number(line.productId),
        productName: line.productName,
        discountKind: line.discountKind,
        discountText: line.discountText,
        comment: line.comment ?? '',
        taxes: JSON.parse(line.taxRates) as TaxSnapshot[],
        // A reprice keeps the cost the line was quoted with.
        unitCostCents: line.unitCostCents === null ? null : String(line.unitCostCents),
      })),
      totals: result.totals,
      pricing: {
        overallDiscountKind: pricing.overallDiscountKind,
        overallDiscountText: pricing.overallDiscountText,
        groupTaxes: pricing.groupTaxes,
        shippingTaxes: pricing.shippingTaxes,
      },
    });
  }

  /** Returns the ids among those given of the products in the recycle bin. */
  private async binnedProductIds(ids: (number | null)[]): Promise<Set<number>> {
    const productIds = ids.filter((id): id is number => id !== null);
    if (productIds.length === 0) return new Set();
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('p.id', 'id')
      .from('products', 'p')
      .where('p.id IN (:...productIds)', { productIds })
      .andWhere('p.deleted_at IS NOT NULL')
      .getRawMany<{ id: number | string }>();
    return new Set(rows.map((row) => Number(row.id)));
  }

  /**
   * Checks and prices the typed lines. Errors are keyed by the input that shows them. A product that is no
   * longer active may stay on a line of the stored quote (`quoteId`), but no new line may take it.
   */
  async price(
    user: CurrentUser,
    quoteId: number | null,
    form: PricingForm,
    taxMode: TaxMode,
    format: NumberFormat,
  ): Promise<PriceResult> {
    const errors: FieldErrors = {};
    const mayViewProducts = (await this.permissions.forUser(user)).can('products', 'view');
    const stored = quoteId === null ? [] : await this.storedLines(quoteId);
    const storedProducts = new Set(stored.map((line) => line.productId));
    const rows = form.rows
      .map((row, index) => ({ row, number: index + 1 }))
      .filter(({ row }) => !isBlankRow(row));
    if (form.productsByReference) await this.matchTypedProducts(user, rows, errors);
    // A stored line whose product was deleted since, or is in the recycle bin, comes back without one: the
    // error names that product.
    const binnedProducts = await this.binnedProductIds(stored.map((line) => line.productId));
    for (const { row, number } of rows) {
      const line = stored[number - 1];
      const productGone =
        line !== undefined && (line.productId === null || binnedProducts.has(line.productId));
      if (row.product === '' && productGone && !errors[lineInputName('product', number)])
        errors[lineInputName('product', number)] = {
          code: 'productDeleted',
          params: { product: line.productName },
        };
    }

    const lines: PricedLine[] = [];
    const inputs: QuoteInput['lines'] = [];
    for (const { row, number } of rows) {
      const product = await this.productOf(user, row, number, { storedProducts, mayViewProducts }, errors);
      if (row.discountKind === 'none' && row.discount !== '')
        errors[lineInputName('discountKind', number)] = { code: 'discountKindMissing' };
      if (!product) continue;
      const taxes = await this.taxesOf(product.taxClass);
      lines.push({
        productId: product.id,
        productName: product.name,
        discountKind: row.discountKind,
        discountText: row.discount === '' ? null : row.discount,
        comment: row.comment,
        taxes,
        unitCostCents: product.unitCost ? moneyToCents(product.unitCost) : null,
      });
      inputs.push({
        product: product.name,
        quantity: row.quantity,
        unitPrice: row.unitPrice === '' && product.unitPrice ? product.unitPrice : row.unitPrice,
        discount: discountInput(row.discountKind, row.discount),
        comment: row.comment,
        taxes: taxes.map(taxInput),
      });
    }
    if (form.overallDiscountKind === 'none' && form.overallDiscount !== '')
      errors[PRICING_INPUTS.overallDiscountKind] = { code: 'discountKindMissing' };
    if (rows.length === 0) errors[lineInputName('product', 1)] = { code: 'noLines' };
    // A quote without a group tax in group mode would lose its VAT silently, so a tax must be chosen.
    if (taxMode === 'group' && form.groupTax === '')
      errors[PRICING_INPUTS.groupTax] = { code: 'groupTaxMissing' };

    // The group tax is kept in individual mode too, so that a later change of mode finds it.
    const groupTaxes = await this.namedTaxes(form.groupTax);
    const shippingTaxes = await this.namedTaxes(form.shippingTax);
    const result = computeQuoteTotals({
      format,
      taxMode,
      lines: inputs,
      overallDiscount: discountInput(form.overallDiscountKind, form.overallDiscount),
      groupTaxes: groupTaxes.map(taxInput),
      shippingAmount: form.shippingAmount,
      shippingTaxes: shippingTaxes.map(taxInput),
      adjustment: form.adjustment,
    });
    if (!result.ok) {
      // Engine lines are the priced rows only, so an engine line number is turned back into its form row.
      const rowNumbers = rows.filter((_, index) => lines[index] !== undefined).map(({ number }) => number);
      for (const error of result.errors) {
        const name = this.inputOf(error, rowNumbers);
        if (name && !errors[name]) errors[name] = { code: error.code, params: error.params };
      }
    }
    if (Object.keys(errors).length > 0 || !result.ok) return { ok: false, errors };

    return {
      ok: true,
      quote: {
        lines: lines.map((line, index) => ({
          ...line,
          discountText: normalDiscount(line.discountKind, line.discountText, format),
          comment: result.totals.lines[index].comment,
        })),
        totals: result.totals,
        pricing: {
          overallDiscountKind: form.overallDiscountKind,
          overallDiscountText: normalDiscount(form.overallDiscountKind, form.overallDiscount, format),
          groupTaxes: JSON.stringify(groupTaxes),
          shippingTaxes: JSON.stringify(shippingTaxes),
        },
      },
    };
  }

  /**
   * Replaces the stored lines, pricing inputs and totals of a quote, within the save's transaction, and
   * emits QuoteTotalsChangedEvent in it, so that a handler's error rolls the whole save back.
   */
  async store(manager: EntityManager, user: CurrentUser, quoteId: number, quote: PricedQuote): Promise<void> {
    await manager.delete(QuoteLineEntity, { quoteId });
    await manager.delete(QuotePricingEntity, { quoteId });

    const { totals } = quote;
    for (const [index, line] of quote.lines.entries()) {
      const priced = totals.lines[index];
      await manager.insert(QuoteLineEntity, {
        quoteId,
        position: index + 1,
        productId: line.productId,
        productName: line.productName.slice(0, 255),
        quantity: priced.quantity.toFixed(),
        unitPriceCents: moneyToCents(priced.unitPrice),
        unitCostCents: line.unitCostCents,
        discountKind: line.discountKind,
        discountText: line.discountText,
        comment: line.comment === '' ? null : line.comment,
        grossCents: moneyToCents(priced.gross),
        discountCents: moneyToCents(priced.discount),
        netCents: moneyToCents(priced.net),
        taxCents: moneyToCents(priced.taxTotal),
        taxRates: JSON.stringify(line.taxes),
      });
    }
    await manager.insert(QuotePricingEntity, { quoteId, ...quote.pricing });

    const stored = totalFieldsOf(totals);
    await manager
      .createQueryBuilder()
      .update('quotes')
      .set(Object.fromEntries(TOTAL_FIELDS.map((name) => [`${name}_cents`, moneyToCents(stored[name])])))
      .where('id = :id', { id: quoteId })
      .execute();
    await this.announceTotals(manager, user, quoteId, totals.grandTotal);
  }

  /** Emits QuoteTotalsChangedEvent with the quote as the save stored it. */
  private async announceTotals(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    grandTotal: Decimal,
  ): Promise<void> {
    const row = await manager
      .createQueryBuilder()
      .select(['quote_no', 'subject', 'potential_id', 'quote_stage'])
      .from('quotes', 'q')
      .where('q.id = :id', { id: quoteId })
      .getRawOne<{
        quote_no: string | null;
        subject: string;
        potential_id: string | number | null;
        quote_stage: string;
      }>();
    if (!row) throw new NotFoundException(`Quote ${quoteId} was not found`);
    const quote = {
      id: quoteId,
      number: row.quote_no ?? `#${quoteId}`,
      subject: row.subject,
      potentialId: row.potential_id === null ? null : Number(row.potential_id),
      stage: row.quote_stage,
      grandTotal,
    };
    await this.events.emit(
      QuoteTotalsChangedEvent,
      new QuoteTotalsChangedEvent(manager, user, quote, utcNow()),
    );
  }

  /** Reads what a quote's totals were computed from: its lines, its pricing row, shipping and adjustment. */
  async storedSnapshot(
    quoteId: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<QuoteSnapshot> {
    const lines = await manager.find(QuoteLineEntity, { where: { quoteId }, order: { position: 'ASC' } });
    const pricing = await manager.findOneBy(QuotePricingEntity, { quoteId });
    const quote = await manager
      .createQueryBuilder()
      .select(['shipping_handling_cents', 'adjustment_cents'])
      .from('quotes', 'q')
      .where('q.id = :id', { id: quoteId })
      .getRawOne<{ shipping_handling_cents: CentsColumn; adjustment_cents: CentsColumn }>();
    return {
      lines: lines.map((row) => ({
        ...row,
        productId: row.productId === null ? null : Number(row.productId),
      })),
      pricing,
      shippingAmount: centsToMoney(String(quote?.shipping_handling_cents ?? 0)),
      adjustment: centsToMoney(String(quote?.adjustment_cents ?? 0)),
    };
  }

  /** Lists a quote's stored lines in their order. */
  async storedLines(quoteId: number): Promise<QuoteLineRow[]> {
    const rows = await this.dataSource
      .getRepository(QuoteLineEntity)
      .find({ where: { quoteId }, order: { position: 'ASC' } });
    return rows.map((row) => ({ ...row, productId: row.productId === null ? null : Number(row.productId) }));
  }

  /**
   * Lists a quote's stored lines with their shares of its stored overall discount, spread as the totals
   * spread it when the quote was saved, so each share is the one its taxes were computed on. The caller
   * checks that the user may see the quote.
   */
  async linesAfterOverallDiscount(quoteId: number): Promise<LinesAfterOverallDiscount> {
    const lines = await this.storedLines(quoteId);
    const quote = await this.dataSource
      .createQueryBuilder()
      .select('q.overall_discount_cents', 'cents')
      .from('quotes', 'q')
      .where('q.id = :id', { id: quoteId })
      .getRawOne<{ cents: CentsColumn }>();
    const nets = lines.map((line) => centsToMoney(String(line.netCents)));
    const netTotal = nets.reduce((total, net) => total.plus(net), new Decimal(0));
    // A quote without lines, such as an imported one, has nothing to spread its discount over.
    const overallDiscount = lines.length === 0 ? new Decimal(0) : centsToMoney(String(quote?.cents ?? 0));
    const shares = spreadOverallDiscount(nets, overallDiscount);
    return {
      lines: lines.map((line, index) => ({
        line,
        overallDiscountShare: shares[index],
        netAfterShare: nets[index].minus(shares[index]),
      })),
      netTotal,
      overallDiscount,
      discountedTotal: netTotal.minus(overallDiscount),
    };
  }

  /** Rebuilds the form of a stored quote, in the user's number format. */
  async storedForm(quoteId: number, format: NumberFormat): Promise<PricingForm> {
    const lines = await this.storedLines(quoteId);
    const pricing = await this.dataSource.getRepository(QuotePricingEntity).findOneBy({ quoteId });
    const quote = await this.dataSource
      .createQueryBuilder()
      .select(['shipping_handling_cents', 'adjustment_cents'])
      .from('quotes', 'q')
      .where('q.id = :id', { id: quoteId })
      .getRawOne<{ shipping_handling_cents: CentsColumn; adjustment_cents: CentsColumn }>();
    // Zero shipping or adjustment is shown as an empty input, as the new form has it.
    const money = (cents: CentsColumn) => {
      const amount = centsToMoney(String(cents ?? 0));
      return amount.isZero() ? '' : inFormat(amount.toFixed(2), format);
    };
    return {
      rows: lines.map((line): LineFormRow => ({
        product: line.productId === null ? '' : String(line.productId),
        quantity: inFormat(line.quantity, format),
        // A free line keeps its 0.00, because an empty price would take the product's price again.
        unitPrice: inFormat(centsToMoney(String(line.unitPriceCents)).toFixed(2), format),
        discountKind: line.discountKind,
        discount: line.discountText === null ? '' : inFormat(line.discountText, format),
        comment: line.comment ?? '',
      })),
      overallDiscountKind: pricing?.overallDiscountKind ?? 'none',
      overallDiscount: pricing?.overallDiscountText ? inFormat(pricing.overallDiscountText, format) : '',
      groupTax: firstTaxName(pricing?.groupTaxes),
      shippingAmount: money(quote?.shipping_handling_cents ?? null),
      shippingTax: firstTaxName(pricing?.shippingTaxes),
      adjustment: money(quote?.adjustment_cents ?? null),
    };
  }

  /**
   * Lists the products a line may choose: the active ones the user may see, in name order, and the products
   * already on the quote's lines (`kept`), which may have been deactivated since. A catalogue of more than
   * PRODUCT_SELECT_LIMIT active products does not fit a select, so the lines then take a typed reference
   * (`byReference`), and the choices are the first PRODUCT_SELECT_LIMIT by name as suggestions, each with
   * its reference as its value.
   */
  async productChoices(user: CurrentUser, kept: { id: number; name: string }[]): Promise<ProductChoices> {
    // A profile without Products sees only the products already on the quote, by the names the lines copied.
    const mayView = (await this.permissions.forUser(user)).can('products', 'view');
    const active = mayView
      ? await this.records.list('products', user, {
          filters: { active: '1' },
          sort: 'product_name',
          direction: 'asc',
          pageSize: PRODUCT_SELECT_LIMIT,
        })
      : { records: [], total: 0 };
    const byReference = active.total > PRODUCT_SELECT_LIMIT;
    const choices = active.records.map((record) => {
      const name = String(record.values.product_name ?? `#${record.id}`);
      const number = typeof record.values.product_no === 'string' ? record.values.product_no : null;
      return {
        value: byReference ? productReference(number, name) : String(record.id),
        label: name,
        inactive: false,
      };
    });
    if (byReference) return { byReference, choices };

    for (const product of kept) {
      if (!choices.some((choice) => choice.value === String(product.id)))
        choices.push({ value: String(product.id), label: product.name, inactive: true });
    }
    return { byReference, choices };
  }

  /**
   * Returns the text a product box shows for each product id of the lines, as productReference() writes it:
   * the number the user may see and the name the line copied.
   */
  async productReferencesOf(
    user: CurrentUser,
    products: { id: number; name: string }[],
  ): Promise<Map<string, string>> {
    const numbers = await this.productReferences.numbersOf(
      user,
      products.map((product) => product.id),
    );
    return new Map(
      products.map((product) => [
        String(product.id),
        productReference(numbers.get(product.id) ?? null, product.name),
      ]),
    );
  }

  /**
   * Replaces each row's typed product (a record number or a name) with the id of the product it names, so
   * that productOf() checks it as a chosen one. A text that names no product, or a name that several share,
   * gets an error and leaves the row without a product to price.
   */
  private async matchTypedProducts(
    user: CurrentUser,
    rows: { row: LineFormRow; number: number }[],
    errors: FieldErrors,
  ): Promise<void> {
    const typed = rows.filter(({ row }) => row.product !== '');
    const matches = await this.productReferences.matchTyped(
      user,
      typed.map(({ row }) => row.product),
    );
    typed.forEach(({ row, number }, index) => {
      const match = matches[index];
      if ('id' in match) {
        row.product = String(match.id);
        return;
      }
      const code = match.problem === 'ambiguous' ? 'productNameAmbiguous' : 'productReferenceNotFound';
      errors[lineInputName('product', number)] = { code, params: { value: row.product } };
    });
  }

  /** Reads the product of a row, adding an error to the row's product when there is none to price. */
  private async productOf(
    user: CurrentUser,
    row: LineFormRow,
    number: number,
    allowed: { storedProducts: Set<number | null>; mayViewProducts: boolean },
    errors: FieldErrors,
  ): Promise<LineProduct | null> {
    const name = lineInputName('product', number);
    if (errors[name]) return null;
    if (row.product === '') {
      errors[name] = { code: 'productMissing' };
      return null;
    }
    const id = Number(row.product);
    // A profile without Products may keep the quote's lines but add no product.
    if (!allowed.mayViewProducts && !allowed.storedProducts.has(id)) {
      errors[name] = { code: 'productNotFound' };
      return null;
    }
    let product: LineProduct;
    try {
      const record = await this.records.findVisible('products', user, id);
      product = {
        id,
        name: String(record.values.product_name ?? `#${id}`),
        active: record.values.active === true,
        unitPrice: record.values.unit_price instanceof Decimal ? record.values.unit_price : null,
        unitCost: record.values.unit_cost instanceof Decimal ? record.values.unit_cost : null,
        taxClass: typeof record.values.tax_class === 'string' ? record.values.tax_class : null,
      };
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
      errors[name] = { code: 'productNotFound' };
      return null;
    }
    if (!product.active && !allowed.storedProducts.has(id)) {
      errors[name] = { code: 'productInactive', params: { product: product.name } };
      return null;
    }
    return product;
  }

  /** Returns the tax that a product's tax class names, as a list of none or one. */
  private async taxesOf(taxClass: string | null): Promise<TaxSnapshot[]> {
    if (!taxClass) return [];
    const tax = await this.taxes.findByName(taxClass);
    return tax ? [{ name: tax.name, rate: tax.rate.toFixed() }] : [];
  }

  /** Returns the chosen tax of the totals, as a list of none or one. */
  private async namedTaxes(name: string): Promise<TaxSnapshot[]> {
    return this.taxesOf(name === '' ? null : name);
  }

  /** Returns the input name that shows an engine error. */
  private inputOf(error: QuoteTotalsError, rowNumbers: number[]): string | undefined {
    if (error.field === 'lines') return lineInputName('product', rowNumbers[0] ?? 1);
    if (error.line !== undefined) {
      const field = ENGINE_FIELDS[error.field] ?? 'product';
      return lineInputName(field, rowNumbers[error.line - 1] ?? error.line);
    }
    return PRICING_FIELDS[error.field];
  }
}

function taxInput(tax: TaxSnapshot): TaxInput {
  return { name: tax.name, rate: new Decimal(tax.rate) };
}

/** Returns the values of the quote's total fields for the engine's totals, as the quote stores them. */
export function totalFieldsOf(totals: QuoteTotals): Record<TotalField, Decimal> {
  return {
    net_total: totals.netTotal,
    overall_discount: totals.overallDiscount,
    // The taxes on shipping and handling are taxes of the quote too, so that the stored figures add up.
    taxes_total: totals.taxTotal.plus(totals.shippingTaxTotal),
    shipping_handling: totals.shippingAmount,
    adjustment: totals.adjustment,
    grand_total: totals.grandTotal,
  };
}

/** The stored inputs of a quote's totals: lines and taxes with the prices and rates they copied. */
export interface QuoteSnapshot {
  lines: QuoteLineRow[];
  /** Null for a quote that was never priced, such as an imported one. */
  pricing: QuotePricingRow | null;
  shippingAmount: Decimal;
  adjustment: Decimal;
}

/**
 * Prices a quote again from its stored snapshot: the quantities, prices, discounts and tax rates it copied
 * when it was saved, never the products' or taxes' current ones.
 */
export function priceSnapshot(snapshot: QuoteSnapshot, taxMode: TaxMode): QuoteTotalsResult {
  const { lines, pricing } = snapshot;
  const taxesOf = (json: string | undefined) => (JSON.parse(json ?? '[]') as TaxSnapshot[]).map(taxInput);
  return computeQuoteTotals({
    format: 'dot',
    taxMode,
    lines: lines.map((line) => ({
      product: line.productName,
      quantity: line.quantity,
      unitPrice: centsToMoney(String(line.unitPriceCents)),
      discount: discountInput(line.discountKind, line.discountText ?? ''),
      comment: line.comment ?? '',
      taxes: taxesOf(line.taxRates),
    })),
    overallDiscount: discountInput(
      pricing?.overallDiscountKind ?? 'none',
      pricing?.overallDiscountText ?? '',
    ),
    groupTaxes: taxesOf(pricing?.groupTaxes),
    shippingAmount: snapshot.shippingAmount,
    shippingTaxes: taxesOf(pricing?.shippingTaxes),
    adjustment: snapshot.adjustment,
  });
}

/** Writes a discount as stored: percentages joined by + or an amount, with a dot, whatever the user's format. */
function normalDiscount(kind: DiscountKind, text: string | null, format: NumberFormat): string | null {
  if (kind === 'none' || text === null || text === '') return null;
  const parsed = parseDiscount(discountInput(kind, text), format);
  if (!parsed.ok || parsed.value.kind === 'none') return null;
  if (parsed.value.kind === 'amount') return parsed.value.amount.toFixed(2);
  return parsed.value.steps.map((step) => step.toFixed()).join('+');
}

/** Writes decimal text with a dot in the user's number format, for a form input. */
function inFormat(text: string, format: NumberFormat): string {
  return format === 'comma' ? text.replaceAll('.', ',') : text;
}

/** Returns the name of the first tax in a JSON list of taxes, or '' when there is none. */
export function firstTaxName(json: string | undefined): string {
  if (!json) return '';
  const taxes = JSON.parse(json) as TaxSnapshot[];
  return taxes[0]?.name ?? '';
}

/** Returns the potential a quote's values make it an active quote of, or null. */
function activePotentialOf(values: RecordValues): number | null {
  const potentialId = values.potential_id;
  const stage = values.quote_stage;
  if (typeof potentialId !== 'number' || typeof stage !== 'string') return null;
  return ACTIVE_QUOTE_STAGES.includes(stage) ? potentialId : null;
}
