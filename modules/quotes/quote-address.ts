import { NotFoundException } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import { RecordsService } from '../../src/records/records.service.js';

const ADDRESS_PARTS = ['street', 'po_box', 'city', 'state', 'code', 'country'] as const;

/**
 * Fills the billing and shipping address of a new quote from its account's billing address, when the user
 * left every address field empty. Accounts keep one address, so both sides get it. An account the user may
 * not see copies nothing, and the save reports the link.
 */
export async function copyAccountAddress(
  records: RecordsService,
  user: CurrentUser,
  input: Record<string, unknown>,
): Promise<void> {
  const names = ADDRESS_PARTS.flatMap((part) => [`bill_${part}`, `ship_${part}`]);
  if (names.some((name) => typeof input[name] === 'string' && input[name].trim() !== '')) return;
  const accountId = typeof input.account_id === 'string' ? Number(input.account_id) : NaN;
  if (!Number.isSafeInteger(accountId) || accountId <= 0) return;

  let values;
  try {
    values = (await records.findVisible('accounts', user, accountId)).values;
  } catch (error) {
    if (error instanceof NotFoundException) return;
    throw error;
  }
  for (const part of ADDRESS_PARTS) {
    const value = values[`billing_${part}`];
    if (typeof value !== 'string') continue;
    input[`bill_${part}`] = value;
    input[`ship_${part}`] = value;
  }
}
