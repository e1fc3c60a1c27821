/**
 * Payments accepted straight into the payment store, as the API accepts them, with their merchant,
 * PG and weight set: for tests and measurements of the lanes and of fairness that need several
 * merchants without their API keys.
 */
import { randomUUID } from 'node:crypto';
import { type QueuedPaymentRequest, fingerprintOf, isFinal, requestIdForKey } from '../contract/payment';
import type { PaymentStore, StoredPayment } from '../intake/payment-store';

export interface Sender {
  merchantId: string;
  pg?: string;
  weight?: number;
}

/** Accepts `count` payments of `sender` (in parallel when `parallel` > 1); their request ids, in order. */
export async function acceptDirect(
  store: PaymentStore,
  sender: Sender,
  count: number,
  parallel = 1,
): Promise<string[]> {
  const run = randomUUID().slice(0, 8);
  const payments = Array.from({ length: count }, (_, i): QueuedPaymentRequest & { fingerprint: string } => {
    const request = { orderId: `${sender.merchantId}-${run}-${i}`, amount: 1000 + i, currency: 'KRW' };
    return {
      requestId: requestIdForKey(sender.merchantId, request.orderId),
      request,
      enqueuedAt: new Date().toISOString(),
      fingerprint: fingerprintOf(request),
      ...sender,
    };
  });
  const queue = [...payments];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const outcome = await store.accept({ ...p, enqueuedAt: new Date().toISOString() });
        if (outcome !== 'created')
          throw new Error(`payment ${p.requestId} was not created: ${JSON.stringify(outcome)}`);
      }
    }),
  );
  return payments.map((p) => p.requestId);
}

/** Every record once all are final, or as they are at the deadline. */
export async function waitForStored(
  store: PaymentStore,
  ids: string[],
  timeoutMs = 120_000,
): Promise<Map<string, StoredPayment>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(ids.map((id) => store.get(id)));
    if (records.every((r) => r && isFinal(r.view.status)) || Date.now() > deadline)
      return new Map(ids.map((id, i) => [id, records[i]!]));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
