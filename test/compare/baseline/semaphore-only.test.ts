/**
 * The study document's §1 design, semaphore only: each request waits up to 5 s for one of 10 permits and
 * calls the PG itself. With 1 s per PG call a burst of 100 cannot all get a permit in time: some
 * are charged (200), the rest are refused (503) — and the PG never sees more than 10 at once.
 */
import { bearer } from '../../../src/load/payments-client';
import { TEST_MERCHANT } from '../../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey } from '../../../src/contract/payment';
import { paymentBodies } from '../../../src/load/payments-client';
import { type Fixture, type TestStack, startFixture, startStack } from './fixture';

let fx: Fixture;
let stack: TestStack;
beforeAll(async () => {
  fx = await startFixture({ PG_LATENCY_MS: '1000', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '10' });
  stack = await startStack(fx, 'semaphore-only', 0);
});
afterAll(async () => {
  await stack?.stop();
  await fx?.stop();
});

test('when 100 payments arrive at once with a 1 s PG then some are charged (200), the rest refused (503), and the PG sees at most 10 at once', async () => {
  const posted = await stack.http.burst(paymentBodies(100, `sem-${randomUUID().slice(0, 8)}`));
  const charged = posted.filter((p) => p.status === 200);
  const refused = posted.filter((p) => p.status === 503);
  expect(charged.length + refused.length).toBe(100);
  expect(charged.length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);

  for (const p of charged) expect(p.body).toMatchObject({ status: 'SUCCESS', attempts: 1 });
  for (const p of refused) expect(p.body).toMatchObject({ error: 'unavailable' });

  const pg = await fx.pg.client.stats();
  expect(pg.maxInFlight).toBeLessThanOrEqual(10);
  expect(pg.charges).toBe(charged.length);
  expect(pg.duplicateCharges).toBe(0);
  expect(await stack.permitsInUse()).toBe(0);
});

test('when a request is refused for want of a permit then nothing is recorded, it says when to retry, and a retry is charged', async () => {
  // The test itself holds all 10 permits (leases far in the future) while one request comes in.
  const orderId = `late-${randomUUID().slice(0, 8)}`;
  const holders = Array.from({ length: 10 }, (_, i) => [Date.now() + 600_000, `test-holder-${i}`]).flat();
  await fx.client.zadd(stack.keys.leases, ...holders);
  const res = await fetch(`${stack.apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(stack.merchants.apiKey) },
    body: JSON.stringify({ orderId, amount: 1000 }),
  });
  await fx.client.del(stack.keys.leases);
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await res.json()).toMatchObject({ error: 'unavailable' });
  const unknown = await stack.http.status(requestIdForKey(TEST_MERCHANT, orderId));
  expect(unknown.status).toBe(404);

  const retry = await stack.http.post({ orderId, amount: 1000 });
  expect(retry.status).toBe(200);
  expect(retry.body).toMatchObject({ status: 'SUCCESS' });
  const again = await stack.http.post({ orderId, amount: 1000 });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({
    requestId: retry.requestId,
    status: 'SUCCESS',
    transactionId: (retry.body as { transactionId: string }).transactionId,
  });
});
