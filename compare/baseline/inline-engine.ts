/**
 * semaphore-only, the study document's §1 design: no queue. `POST /payments` waits up to 5 s for a permit
 * of the global semaphore and calls the PG inside the request: 200 with the result, or 503 with
 * Retry-After when no permit came (and then nothing is recorded, so the client may simply retry).
 *
 * Permits are leases (see lease-semaphore.ts): this mode exists to show the rejections of §1, not
 * the permit leak of the list mode.
 */
import type { QueuedPaymentRequest } from '../../src/contract/payment';
import type { PaymentEngine, SubmitResult } from '../../src/api/engine';
import { EngineUnavailable, IdempotencyKeyReused } from '../../src/api/errors';
import type { PaymentObserver } from '../../src/metrics/payment-metrics';
import type { PgClient } from '../../src/pg-client/pg-client';
import { chargeWithRetries } from './charge';
import type { RetryPolicy } from './config';
import type { BaselineKeys } from './keys';
import { type PermitPool, acquireWithin } from './permits';
import { orUnavailable, readStatus, createQueueEngine } from './queue-engine';
import type { BaselineRedis } from './redis';
import { resultFields, statusViewOf } from './status-store';

export interface InlineEngineOptions {
  redis: BaselineRedis;
  keys: BaselineKeys;
  permits: PermitPool;
  pg: PgClient;
  retry: RetryPolicy;
  permitWaitMs: number;
  /** Hears each payment's wait for its first PG call and its final status, for /metrics. */
  observer?: PaymentObserver;
}

/** How often a waiting request asks for a permit (Redisson wakes waiters by pub/sub instead). */
const PERMIT_POLL_MS = 50;
const NO_PERMIT_RETRY_AFTER_S = 1;

export function createInlineEngine(options: InlineEngineOptions): PaymentEngine {
  const { redis, keys, permits, pg, retry, permitWaitMs, observer } = options;
  const secondsSince = (from: string) => (Date.now() - Date.parse(from)) / 1000;
  const waitForPermit = () => acquireWithin(permits, Date.now() + permitWaitMs, PERMIT_POLL_MS);
  const base = createQueueEngine({ redis, keys, target: 'list' });

  return {
    ...base,
    async submit(payment: QueuedPaymentRequest & { fingerprint: string }): Promise<SubmitResult> {
      const { requestId, fingerprint, enqueuedAt, merchantId } = payment;
      const statusKey = keys.status(requestId);
      const code = await orUnavailable(() =>
        redis.acceptPayment(
          statusKey,
          keys.queue,
          keys.merchantPayments(merchantId),
          requestId,
          fingerprint,
          enqueuedAt,
          '',
          'none',
          merchantId,
          payment.request.orderId,
          payment.request.amount,
        ),
      );
      if (code === -1) throw new IdempotencyKeyReused();
      if (code === 0) {
        const view = await readStatus(redis, keys, requestId);
        return {
          requestId,
          created: false,
          completed: view && (view.status === 'SUCCESS' || view.status === 'FAILED') ? view : undefined,
        };
      }

      const permit = await waitForPermit().catch(() => null);
      if (!permit) {
        await redis.del(statusKey).catch(() => undefined);
        throw new EngineUnavailable('no PG permit free within the wait', NO_PERMIT_RETRY_AFTER_S);
      }
      let result;
      try {
        const fresh = await orUnavailable(() =>
          redis.markProcessing(statusKey, requestId, enqueuedAt, fingerprint, new Date().toISOString()),
        );
        // Cancelled while it waited for a permit: never charged.
        if (fresh !== 1)
          return { requestId, created: true, completed: (await readStatus(redis, keys, requestId)) ?? undefined };
        result = await chargeWithRetries(payment, permit, {
          pg,
          policy: retry,
          reacquire: waitForPermit,
          // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throwing observer is a rejection, which chargeWithRetries ignores
          onAttempt: async (attempt) => void (attempt === 1 && observer?.queueWait(secondsSince(enqueuedAt))),
        });
      } finally {
        await permit.release().catch(() => undefined);
      }
      await orUnavailable(() => redis.hset(statusKey, ...resultFields(result)));
      observer?.final(result.status, secondsSince(enqueuedAt));
      const view = statusViewOf(await orUnavailable(() => redis.hgetall(statusKey)));
      return { requestId, created: true, completed: view ?? undefined };
    },
    close: async () => {
      permits.close();
      await pg.close();
      await base.close();
    },
  };
}
