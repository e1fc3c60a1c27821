/**
 * The producer of the queue modes (the study document §3.2 / §3.3) behind the shared HTTP API: the idempotency
 * check, the status record and the enqueue are one Lua step, so nothing is ever half-accepted.
 * Any Redis failure is a 503 with Retry-After; the connection settings make it come fast.
 */
import type { PaymentStatusView, QueuedPaymentRequest } from '../../src/contract/payment';
import type { PaymentEngine, SubmitResult } from '../../src/api/engine';
import { AlreadyProcessing, EngineUnavailable, IdempotencyKeyReused, InvalidRequest } from '../../src/api/errors';
import type { BaselineKeys } from './keys';
import type { BaselineRedis } from './redis';
import { isIndexCursor, listFromIndex } from './payment-list';
import { statusViewOf } from './status-store';

export interface QueueEngineOptions {
  redis: BaselineRedis;
  keys: BaselineKeys;
  /** Where messages go: the pending list or the stream. */
  target: 'list' | 'stream';
}

/** Seconds a client should wait after a 503 for Redis to come back. */
export const REDIS_RETRY_AFTER_S = 2;

/** Runs a Redis call; anything it throws becomes a 503. */
export async function orUnavailable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new EngineUnavailable('redis is unreachable', REDIS_RETRY_AFTER_S);
  }
}

export async function readStatus(
  redis: BaselineRedis,
  keys: BaselineKeys,
  requestId: string,
): Promise<PaymentStatusView | null> {
  return statusViewOf(await orUnavailable(() => redis.hgetall(keys.status(requestId))));
}

export function createQueueEngine({ redis, keys, target }: QueueEngineOptions): PaymentEngine {
  return {
    async submit(payment: QueuedPaymentRequest & { fingerprint: string }): Promise<SubmitResult> {
      const { requestId, fingerprint, enqueuedAt, merchantId } = payment;
      const message = JSON.stringify(payment);
      const destination = target === 'stream' ? keys.stream : keys.queue;
      const code = await orUnavailable(() =>
        redis.acceptPayment(
          keys.status(requestId),
          destination,
          keys.merchantPayments(merchantId),
          requestId,
          fingerprint,
          enqueuedAt,
          message,
          target,
          merchantId,
          payment.request.orderId,
          payment.request.amount,
        ),
      );
      if (code === -1) throw new IdempotencyKeyReused();
      return { requestId, created: code === 1 };
    },
    status: (requestId) => readStatus(redis, keys, requestId),
    async listPayments(query) {
      if (!isIndexCursor(query.cursor))
        throw new InvalidRequest([{ path: 'query:cursor', message: 'not a cursor of this list' }]);
      return orUnavailable(() => listFromIndex(redis, keys, query));
    },
    async cancel(requestId) {
      const outcome = await orUnavailable(() => redis.cancel(keys.status(requestId), new Date().toISOString()));
      if (outcome === 'absent') return null;
      if (outcome !== 'cancelled') throw new AlreadyProcessing(outcome);
      return readStatus(redis, keys, requestId);
    },
    healthy: async () => (await redis.ping().catch(() => '')) === 'PONG',
    close: async () => void (await redis.quit().catch(() => redis.disconnect())),
  };
}
