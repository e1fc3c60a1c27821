import { TEST_MERCHANT } from '../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey, statusUrlFor } from '../../src/contract/payment';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { looksLikeStackTrace } from '../support/answers';

/** Idempotency of POST /payments (docs/design.md §4): one key names one payment, charged once. */
describe('idempotency of POST /payments', () => {
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '20-50' } });
  });
  afterAll(() => stack?.stop());

  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  /**
   * A later payment that must succeed: once it has, the task queue has been served past anything
   * a replay could have started, so "no new charge" is checked after the fact, not after a sleep.
   */
  async function settleWithSentinel(): Promise<void> {
    const sentinel = await stack.api.post({ orderId: unique('sentinel'), amount: 1 });
    expect(sentinel.status).toBe(202);
    const final = await stack.api.waitForFinal([sentinel.requestId!], { timeoutMs: 60_000 });
    expect(final.get(sentinel.requestId!)?.status).toBe('SUCCESS');
  }

  test('when the same key and body come again then the answer is the same requestId and nothing new is charged', async () => {
    await stack.pg.client.reset();
    const key = `key-${randomUUID()}`;
    const body = { orderId: unique('order'), amount: 15_000, currency: 'KRW' };

    const first = await stack.api.post(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    expect(first.requestId).toBe(requestIdForKey(TEST_MERCHANT, key));
    expect(first.body).toMatchObject({ status: 'PENDING', statusUrl: statusUrlFor(first.requestId!) });

    const final = await stack.api.waitForFinal([first.requestId!], { timeoutMs: 60_000 });
    const done = final.get(first.requestId!)!;
    expect(done.status).toBe('SUCCESS');
    expect(done.transactionId).toMatch(/^TXN-/);
    expect(done.attempts).toBe(1);
    // The workflow's own record: accepted, then started, then completed, in that order.
    expect(Date.parse(done.acceptedAt)).toBeLessThanOrEqual(Date.parse(done.startedAt!));
    expect(Date.parse(done.startedAt!)).toBeLessThanOrEqual(Date.parse(done.completedAt!));
    expect((await stack.pg.client.stats()).charges).toBe(1);

    const again = await stack.api.post(body, { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.requestId).toBe(first.requestId);

    await settleWithSentinel();
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(2); // the payment and the sentinel, nothing more
    expect(pg.requests).toBe(2);
    expect(pg.duplicateCharges).toBe(0);
    const status = await stack.api.status(first.requestId!);
    expect(status.body.transactionId).toBe(done.transactionId);
  });

  test('when the same key and body arrive together then all get one requestId and one charge', async () => {
    await stack.pg.client.reset();
    const key = `key-${randomUUID()}`;
    const body = { orderId: unique('together'), amount: 700 };

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => stack.api.post(body, { 'Idempotency-Key': key })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((a) => a.requestId))).toEqual(new Set([requestIdForKey(TEST_MERCHANT, key)]));

    const final = await stack.api.waitForFinal([requestIdForKey(TEST_MERCHANT, key)], { timeoutMs: 60_000 });
    expect(final.get(requestIdForKey(TEST_MERCHANT, key))?.status).toBe('SUCCESS');
    await settleWithSentinel();
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(2);
    expect(pg.duplicateCharges).toBe(0);
  });

  test('when the same key comes with another body then the answer is 409 idempotency_key_reused', async () => {
    const key = `key-${randomUUID()}`;
    const orderId = unique('order');
    const first = await stack.api.post({ orderId, amount: 1000 }, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);

    for (const other of [
      { orderId, amount: 1001 },
      { orderId, amount: 1000, currency: 'USD' },
      { orderId: unique('other'), amount: 1000 },
    ]) {
      const reused = await stack.api.post(other, { 'Idempotency-Key': key });
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ error: 'idempotency_key_reused' });
      expect(looksLikeStackTrace(JSON.stringify(reused.body))).toBe(false);
    }

    const final = await stack.api.waitForFinal([first.requestId!], { timeoutMs: 60_000 });
    expect(final.get(first.requestId!)?.status).toBe('SUCCESS');
    // After the payment completed the key still belongs to the first body.
    const late = await stack.api.post({ orderId, amount: 999 }, { 'Idempotency-Key': key });
    expect(late.status).toBe(409);
  });

  test('when no Idempotency-Key is sent then the orderId names the payment', async () => {
    await stack.pg.client.reset();
    const orderId = unique('by-order');
    const first = await stack.api.post({ orderId, amount: 5000 });
    expect(first.status).toBe(202);
    expect(first.requestId).toBe(requestIdForKey(TEST_MERCHANT, orderId));

    const again = await stack.api.post({ orderId, amount: 5000 });
    expect(again.status).toBe(202);
    expect(again.requestId).toBe(first.requestId);

    const changed = await stack.api.post({ orderId, amount: 5001 });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ error: 'idempotency_key_reused' });

    const final = await stack.api.waitForFinal([first.requestId!], { timeoutMs: 60_000 });
    expect(final.get(first.requestId!)?.status).toBe('SUCCESS');
    await settleWithSentinel();
    expect((await stack.pg.client.stats()).charges).toBe(2);
  });
});
