/**
 * GET /payments on the Redis baselines: a merchant's payments from its index (a sorted set scored
 * by the order of acceptance, written by accept-payment-3.lua), newest first. The cursor is the
 * score of the last payment of the page; a filter reads the payments' hashes a batch at a time.
 */
import {
  PAYMENT_STATUSES,
  type PaymentListItem,
  type PaymentListPage,
  type PaymentListQuery,
  type PaymentStatus,
} from '../../src/contract/payment';
import type { BaselineKeys } from './keys';
import type { BaselineRedis } from './redis';

/** Payments read per request at most while a filter skips others: one page never costs more. */
const MAX_SCANNED = 2000;

/** A cursor this list hands out: the score of a payment in the merchant's index. */
export const isIndexCursor = (cursor: string | undefined): boolean => cursor === undefined || /^\d{1,15}$/.test(cursor);

export async function listFromIndex(
  redis: BaselineRedis,
  keys: BaselineKeys,
  query: PaymentListQuery,
): Promise<PaymentListPage> {
  const index = keys.merchantPayments(query.merchantId);
  const batch = Math.min(MAX_SCANNED, query.status || query.orderId ? Math.max(4 * query.limit, 100) : query.limit);
  const payments: PaymentListItem[] = [];
  let below = query.cursor ? `(${query.cursor}` : '+inf';
  let scanned = 0;
  /** The score of the last payment looked at: the next page starts below it. */
  let last: string | undefined;
  let hasMore = true;
  while (payments.length < query.limit && hasMore && scanned < MAX_SCANNED) {
    const entries = await redis.zrevrangebyscore(index, below, '-inf', 'WITHSCORES', 'LIMIT', 0, batch);
    const pipeline = redis.pipeline();
    for (let i = 0; i < entries.length; i += 2)
      pipeline.hmget(keys.status(entries[i]!), 'status', 'orderId', 'amount', 'acceptedAt');
    const hashes = (await pipeline.exec()) ?? [];
    let consumed = 0;
    for (let i = 0; i < entries.length && payments.length < query.limit; i += 2, consumed += 2) {
      scanned += 1;
      last = entries[i + 1];
      const [status, orderId, amount, acceptedAt] = (hashes[i / 2]?.[1] ?? []) as Array<string | null>;
      if (!status || !(PAYMENT_STATUSES as readonly string[]).includes(status)) continue;
      if (query.status && status !== query.status) continue;
      if (query.orderId && orderId !== query.orderId) continue;
      payments.push({
        requestId: entries[i]!,
        orderId: orderId ?? '',
        amount: Number(amount ?? 0),
        status: status as PaymentStatus,
        acceptedAt: acceptedAt ?? '',
      });
    }
    // More follow when this batch was cut short by a full page, or Redis had a full batch to give.
    hasMore = consumed < entries.length || entries.length / 2 === batch;
    if (last) below = `(${last}`;
  }
  return { payments, ...(last && hasMore ? { nextCursor: last } : {}) };
}
