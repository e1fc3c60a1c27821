/**
 * The hand-written retries: 5xx and 429 are retried with bounded attempts, a decline is final at
 * once, and a retry is a replay at the PG (same idempotency key), never a second charge.
 */
import { randomUUID } from 'node:crypto';
import { paymentBodies } from '../../../src/load/payments-client';
import { type Fixture, type TestStack, startFixture, startStack } from './fixture';

let fx: Fixture;
let stack: TestStack;
beforeAll(async () => {
  // 30% injected 5xx. No rate limit: the seed's consumer does not keep one, and its 429 storms
  // (docs/baseline.md) are the benchmark's to show, not this test's.
  fx = await startFixture({ PG_LATENCY_MS: '50-100', PG_FAILURE_RATE: '0.3', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '10' });
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
