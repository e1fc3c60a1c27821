/**
 * The hand-written retries: 5xx and 429 are retried with bounded attempts, a decline and the PG's
 * refusal of the request itself (422) are final at once, and a retry is a replay at the PG (same
 * idempotency key), never a second charge.
 */
import { TEST_MERCHANT } from '../../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey } from '../../../src/contract/payment';
import { paymentBodies } from '../../../src/load/payments-client';
import { chargeElsewhere } from '../../support/pg-seed';
import { type Fixture, type TestStack, startFixture, startStack } from './fixture';

let fx: Fixture;
let stack: TestStack;
beforeAll(async () => {
  // 30% injected 5xx. No rate limit: the study document's consumer does not keep one, and its 429 storms
  // (docs/baseline.md) are the benchmark's to show, not this test's.
  fx = await startFixture({
    PG_LATENCY_MS: '50-100',
    PG_FAILURE_RATE: '0.3',
    PG_RATE_LIMIT: '1000',
    PG_MAX_CONCURRENCY: '10',
  });
  stack = await startStack(fx, 'list-reliable', 1);
});
afterAll(async () => {
  await stack?.stop();
  await fx?.stop();
});

test('when the PG fails transiently then payments are retried to SUCCESS once each, and a decline fails at once', async () => {
  const prefix = `retry-${randomUUID().slice(0, 8)}`;
  const posted = await stack.http.burst([...paymentBodies(30, prefix), { orderId: `decline-${prefix}`, amount: 1000 }]);
  expect(posted.map((p) => p.status)).toEqual(Array(31).fill(202));
  const ids = posted.map((p) => p.requestId!);
  const final = await stack.http.waitForFinal(ids, { timeoutMs: 90_000 });

  const views = ids.map((id) => final.get(id)!);
  const declined = views.pop()!;
  // (It may meet an injected 5xx first; once declined it is never sent again: pg.declined below.)
  expect(declined).toMatchObject({ status: 'FAILED', error: 'card_declined' });
  expect(views.map((v) => v?.status)).toEqual(Array(30).fill('SUCCESS'));
  expect(views.some((v) => v.attempts > 1)).toBe(true);

  const pg = await fx.pg.client.stats();
  expect(pg.injected5xx).toBeGreaterThan(0);
  expect(pg.charges).toBe(30);
  expect(pg.declined).toBe(1);
  expect(pg.duplicateCharges).toBe(0);
  expect(pg.maxInFlight).toBeLessThanOrEqual(10);
});

test('when the PG answers 422 (the key was used with another body) then the payment fails pg_rejected, not retried to the limit', async () => {
  const key = `reused-${randomUUID().slice(0, 8)}`;
  // Another caller charged under this payment's PG key first (past this PG's injected 5xx).
  const seedCalls = await chargeElsewhere(fx.pg.url, requestIdForKey(TEST_MERCHANT, key), `elsewhere-${key}`);

  const posted = await stack.http.post(
    { orderId: `order-${key}`, amount: 4200, currency: 'KRW' },
    { 'Idempotency-Key': key },
  );
  expect(posted.status).toBe(202);
  const view = (await stack.http.waitForFinal([posted.requestId!], { timeoutMs: 60_000 })).get(posted.requestId!);
  // Treated as transient, it would end pg_unavailable after every attempt; an injected 5xx may come first.
  expect(view).toMatchObject({ status: 'FAILED', error: 'pg_rejected' });
  // One PG call per attempt and none after the 422: the key's calls are the study document's and the attempts.
  const { callsByKey } = await fx.pg.client.timeline();
  expect(callsByKey[requestIdForKey(TEST_MERCHANT, key)]?.length).toBe(seedCalls + view!.attempts);
});
