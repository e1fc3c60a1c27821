/**
 * The baseline serves the same HTTP contract as the Temporal engine (docs/design.md §4): the shared
 * bad-input cases, idempotency, unknown ids, and a 503 with Retry-After while Redis is down.
 */
import { bearer } from '../../../src/load/payments-client';
import { TEST_MERCHANT } from '../../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey } from '../../../src/contract/payment';
import { looksLikeStackTrace } from '../../support/answers';
import { badInputCases, sendBadInput } from '../../support/bad-inputs';
import { FAST_PG, type Fixture, type TestStack, startFixture, startStack } from './fixture';

let fx: Fixture;
let stack: TestStack;
beforeAll(async () => {
  fx = await startFixture(FAST_PG);
  // No consumers: accepted payments stay in the queue, where the tests can count them.
  stack = await startStack(fx, 'list', 0);
});
afterAll(async () => {
  await stack?.stop();
  await fx?.stop();
});

test.each(badInputCases)('when POST /payments gets $name then it answers $status $error', async (c) => {
  const answer = await sendBadInput(stack.apiUrl, c, stack.merchants.apiKey);
  expect({ status: answer.status, error: answer.body.error }).toEqual({ status: c.status, error: c.error });
  expect(looksLikeStackTrace(answer.text)).toBe(false);
});

test('when bad inputs were refused then nothing was queued', async () => {
  expect(await fx.client.llen(stack.keys.queue)).toBe(0);
});

test('when the same key comes with the same body then the same requestId is answered and one message is queued; with another body, 409', async () => {
  const key = `key-${randomUUID()}`;
  const body = { orderId: `idem-${randomUUID().slice(0, 8)}`, amount: 5000 };
  const first = await stack.http.post(body, { 'Idempotency-Key': key });
  const second = await stack.http.post(body, { 'Idempotency-Key': key });
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(first.requestId).toBe(requestIdForKey(TEST_MERCHANT, key));
  expect(second.requestId).toBe(first.requestId);
  expect(await fx.client.llen(stack.keys.queue)).toBe(1);

  const conflict = await stack.http.post({ ...body, amount: 5001 }, { 'Idempotency-Key': key });
  expect(conflict.status).toBe(409);
  expect(conflict.body).toMatchObject({ error: 'idempotency_key_reused' });
  expect(await fx.client.llen(stack.keys.queue)).toBe(1);

  const status = await stack.http.status(first.requestId!);
  expect(status.status).toBe(200);
  expect(status.body).toMatchObject({ requestId: first.requestId, status: 'PENDING', attempts: 0 });
});

test('when the status of an unknown id is asked then the answer is 404 not_found', async () => {
  const res = await fetch(
    `${stack.apiUrl}/payments/${requestIdForKey(TEST_MERCHANT, `never-${randomUUID()}`)}/status`,
    {
      headers: bearer(stack.merchants.apiKey),
    },
  );
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: 'not_found' });
});

// Last: it stops this file's Redis.
test('when Redis is down then POST, status and healthz answer 503 with Retry-After, never 500', async () => {
  const accepted = await stack.http.post({ orderId: `before-${randomUUID().slice(0, 8)}`, amount: 1000 });
  expect(accepted.status).toBe(202);
  expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
  await fx.redis.stop();

  const post = await fetch(`${stack.apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(stack.merchants.apiKey) },
    body: JSON.stringify({ orderId: `down-${randomUUID().slice(0, 8)}`, amount: 1000 }),
  });
  const text = await post.text();
  expect(post.status).toBe(503);
  expect(JSON.parse(text)).toMatchObject({ error: 'unavailable' });
  expect(Number(post.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(looksLikeStackTrace(text)).toBe(false);

  const status = await fetch(`${stack.apiUrl}/payments/${accepted.requestId}/status`, {
    headers: bearer(stack.merchants.apiKey),
  });
  expect(status.status).toBe(503);
  expect(Number(status.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(503);
});
