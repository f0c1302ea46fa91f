import { Decimal } from 'decimal.js';
import { moneyToCents, NumberFormat, ParseResult, parseMoney } from '../../src/records/values.js';

/**
 * Parses a target typed in the user's number format into whole cents. An empty text is null, which removes
 * the target. A target is never negative. Errors are codes under `errors.field` in the catalogues.
 */
export function parseTargetCents(raw: string, format: NumberFormat): ParseResult<Decimal | null> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };

  const amount = parseMoney(text, format);
  if (!amount.ok) return amount;
  if (amount.value.isNegative()) return { ok: false, error: 'negativeAmount' };
  return { ok: true, value: new Decimal(moneyToCents(amount.value)) };
}
