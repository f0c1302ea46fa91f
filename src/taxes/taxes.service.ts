import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import { FieldError, FieldErrors } from '../records/record-validation.js';
import { nameKey } from '../records/records.service.js';
import { NumberFormat, parseDecimal } from '../records/values.js';
import type { CurrentUser } from '../access/current-user.js';
import { inTransaction } from '../database/transaction.js';
import { EventBus } from '../events/event-bus.js';
import { SaveRejectedError } from '../events/record-changes.event.js';
import { TaxSavedEvent } from '../events/tax-saved.event.js';
import { TaxEntity, TaxRow } from './tax.entity.js';

/** A tax as products and quotes use it. */
export interface Tax {
  id: number;
  name: string;
  /** The rate as a percentage from 0 to 100 with at most 3 decimal places: 22 for 22 %. */
  rate: Decimal;
  active: boolean;
  /** The position of the tax in lists and pickers, lowest first. */
  sortOrder: number;
}

/** A tax as the administration form sends it: text typed in the user's number format. */
export interface TaxInput {
  name?: string;
  rate?: string;
  /** '1' when the box is ticked. The form sends a hidden '0' before the box, so a ticked box sends both. */
  active?: string | string[];
  sortOrder?: string;
}

export type TaxSaveResult = { ok: true; tax: Tax } | { ok: false; errors: FieldErrors };

export const MAX_TAX_NAME_LENGTH = 100;
export const MAX_RATE_DECIMAL_PLACES = 3;
const THOUSANDTHS = 1000;
const MAX_RATE = new Decimal(100);
const MAX_SORT_ORDER = 9999;

/** Converts a stored row into the tax that callers see, with the rate as an exact decimal percentage. */
function toTax(row: TaxRow): Tax {
  return {
    id: row.id,
    name: row.name,
    rate: new Decimal(row.rateThousandths).dividedBy(THOUSANDTHS),
    active: Boolean(Number(row.isActive)),
    sortOrder: Number(row.sortOrder),
  };
}

/** The taxes administrators define, which products name as their tax class and quotes apply. */
@Injectable()
export class TaxesService {
  private readonly logger = new Logger(TaxesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventBus,
  ) {}

  /** Lists every tax, active or not, in its order. */
  async list(): Promise<Tax[]> {
    const rows = await this.dataSource
      .getRepository(TaxEntity)
      .find({ order: { sortOrder: 'ASC', name: 'ASC' } });
    return rows.map(toTax);
  }

  /** Lists the taxes that new quote lines may use, in their order. */
  async active(): Promise<Tax[]> {
    return (await this.list()).filter((tax) => tax.active);
  }

  /** Returns the tax with the id, or null when there is none. */
  async find(id: number): Promise<Tax | null> {
    if (!Number.isSafeInteger(id)) return null;
    const row = await this.dataSource.getRepository(TaxEntity).findOneBy({ id });
    return row ? toTax(row) : null;
  }

  /**
   * Returns the tax whose name matches without regard to case and spaces, or null. A product's tax class
   * stores a tax's name, so this is how a quote finds the rate of a product's tax class.
   */
  async findByName(name: string): Promise<Tax | null> {
    const row = await this.dataSource.getRepository(TaxEntity).findOneBy({ nameKey: nameKey(name) });
    return row ? toTax(row) : null;
  }

  /**
   * Creates (id null) or updates a tax. The name is required and unique without regard to case. The rate is a
   * percentage from 0 to 100 with at most 3 decimal places, typed in the given number format. Nothing is saved
   * when a value is invalid, or when a handler of the tax.saved event rejects the name.
   */
  async save(
    user: CurrentUser,
    id: number | null,
    input: TaxInput,
    numberFormat: NumberFormat,
  ): Promise<TaxSaveResult> {
    const repository = this.dataSource.getRepository(TaxEntity);
    const name = (input.name ?? '').trim().replace(/\s+/g, ' ');
    const errors: FieldErrors = {};

    if (name === '') errors.name = { code: 'required' };
    else if (name.length > MAX_TAX_NAME_LENGTH)
      errors.name = { code: 'tooLong', params: { maxLength: MAX_TAX_NAME_LENGTH } };
    else {
      const clash = await repository.findOneBy({ nameKey: nameKey(name) });
      if (clash && clash.id !== id) errors.name = { code: 'notUnique', params: { value: name } };
    }

    const rate = readRate(input.rate ?? '', numberFormat);
    if (!rate.ok) errors.rate = rate.error;
    const sortOrder = readSortOrder(input.sortOrder ?? '');
    if (!sortOrder.ok) errors.sortOrder = sortOrder.error;
    if (!rate.ok || !sortOrder.ok || Object.keys(errors).length > 0) return { ok: false, errors };

    const row = {
      name,
      nameKey: nameKey(name),
      rateThousandths: rate.value.times(THOUSANDTHS).toNumber(),
      isActive: isTicked(input.active),
      sortOrder: sortOrder.value ?? (await this.nextSortOrder()),
    };
    try {
      const saved = await inTransaction(this.dataSource, async (manager) => {
        const previous = id === null ? null : await manager.findOneBy(TaxEntity, { id });
        const stored = await manager.save(TaxEntity, id === null ? row : { id, ...row });
        await this.events.emit(TaxSavedEvent, new TaxSavedEvent(manager, user, name, previous?.name ?? null));
        return stored;
      });
      this.logger.log(`Saved tax ${saved.id} "${name}" at ${rate.value.toFixed()} %`);
      return { ok: true, tax: toTax(saved) };
    } catch (error) {
      if (!(error instanceof SaveRejectedError)) throw error;
      this.logger.warn(`Rejected tax "${name}" (id ${id ?? 'new'}): ${error.error.code}`);
      return { ok: false, errors: { name: error.error } };
    }
  }

  private async nextSortOrder(): Promise<number> {
    const row = await this.dataSource
      .getRepository(TaxEntity)
      .createQueryBuilder('t')
      .select('MAX(t.sortOrder)', 'highest')
      .getRawOne<{ highest: number | string | null }>();
    return Number(row?.highest ?? 0) + 1;
  }
}

type Read<T> = { ok: true; value: T } | { ok: false; error: FieldError };

/** Reads a rate typed as a percentage: a number from 0 to 100 with at most 3 decimal places. */
export function readRate(text: string, numberFormat: NumberFormat): Read<Decimal> {
  const trimmed = text.trim().replace(/\s*%$/, '');
  if (trimmed === '') return { ok: false, error: { code: 'required' } };
  const parsed = parseDecimal(trimmed, numberFormat);
  if (!parsed.ok) return { ok: false, error: { code: parsed.error } };
  if (parsed.value.isNegative() || parsed.value.greaterThan(MAX_RATE))
    return { ok: false, error: { code: 'rateOutOfRange', params: { value: trimmed } } };
  if (parsed.value.decimalPlaces() > MAX_RATE_DECIMAL_PLACES)
    return {
      ok: false,
      error: { code: 'tooManyDecimalPlaces', params: { count: MAX_RATE_DECIMAL_PLACES } },
    };
  return { ok: true, value: parsed.value };
}

/** Reads the optional position of a tax: empty for after the others, or a whole number. */
function readSortOrder(text: string): Read<number | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: { code: 'notWholeNumber' } };
  const value = Number(trimmed);
  if (value > MAX_SORT_ORDER)
    return { ok: false, error: { code: 'aboveMaximum', params: { max: MAX_SORT_ORDER } } };
  return { ok: true, value };
}

/** Reads a checkbox sent after its hidden '0': ticked when the last value is '1'. */
function isTicked(value: string | string[] | undefined): boolean {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === '1';
}
