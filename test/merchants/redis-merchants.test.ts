import { randomUUID } from 'node:crypto';
import { startBaselineStack } from '../../compare/baseline/launch';
import { startBullmqStack } from '../../compare/bullmq/launch';
import { requestIdForKey } from '../../src/contract/payment';
import { type MerchantsFixture, createMerchantsFixture, merchantClients } from '../../src/launch/merchants';
import { PaymentsClient, bearer } from '../../src/load/payments-client';
import { type Fixture, startFixture } from '../compare/baseline/fixture';

/**
 * The Redis engines serve the same app, so merchants hold there too (docs/merchants.md): a key
 * on every /payments route, idempotency keys per merchant, another merchant's payment 404.
 */
let fx: Fixture;
let merchants: MerchantsFixture;
beforeAll(async () => {
  fx = await startFixture({ PG_LATENCY_MS: '20-50' });
  merchants = createMerchantsFixture(['shop-a', 'shop-b']);
});
afterAll(async () => {
  await fx?.stop();
  merchants?.dispose();
});

const engines = {
  'redis-stream': () =>
    startBaselineStack({ mode: 'stream', consumers: 1, pgUrl: fx.pg.url, redisUrl: fx.redis.url, merchants }),
  'semaphore-only': () =>
    startBaselineStack({ mode: 'semaphore-only', consumers: 0, pgUrl: fx.pg.url, redisUrl: fx.redis.url, merchants }),
  bullmq: () =>
    startBullmqStack({
      workers: 1,
      pgUrl: fx.pg.url,
      redisUrl: fx.redis.url,
      prefix: `bull-${randomUUID().slice(0, 6)}`,
      merchants,
    }),
};

describe.each(Object.keys(engines) as Array<keyof typeof engines>)('merchants on %s', (engine) => {
  let stack: { apiUrl: string; stop(): Promise<void> };
  let shopA: PaymentsClient;
  let shopB: PaymentsClient;
  beforeAll(async () => {
    stack = await engines[engine]();
    [shopA, shopB] = merchantClients(stack.apiUrl, merchants, ['shop-a', 'shop-b']) as [PaymentsClient, PaymentsClient];
  });
  afterAll(async () => {
    await shopA?.close();
    await shopB?.close();
    await stack?.stop();
  });

  test('when a payment comes without a key then it answers 401 and nothing reaches the PG', async () => {
    const before = (await fx.pg.client.stats()).requests;
    const res = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: `no-key-${randomUUID().slice(0, 8)}`, amount: 100 }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    expect((await fx.pg.client.stats()).requests).toBe(before);
  });

  test("when the same key comes from two merchants then two payments are charged, and neither reads the other's", async () => {
    const key = `k-${randomUUID()}`;
    const body = { orderId: `shared-${randomUUID().slice(0, 8)}`, amount: 1800 };
    const before = await fx.pg.client.stats();
    const a = await shopA.post(body, { 'Idempotency-Key': key });
    const b = await shopB.post(body, { 'Idempotency-Key': key });
    expect([200, 202]).toContain(a.status);
    expect([200, 202]).toContain(b.status);
    expect(a.requestId).toBe(requestIdForKey('shop-a', key));
    expect(b.requestId).toBe(requestIdForKey('shop-b', key));

    expect((await shopA.waitForFinal([a.requestId!], { timeoutMs: 60_000 })).get(a.requestId!)).toMatchObject({
      status: 'SUCCESS',
      merchantId: 'shop-a',
    });
    expect((await shopB.waitForFinal([b.requestId!], { timeoutMs: 60_000 })).get(b.requestId!)).toMatchObject({
      status: 'SUCCESS',
      merchantId: 'shop-b',
    });
    expect((await fx.pg.client.stats()).charges - before.charges).toBe(2);

    const foreign = await fetch(`${stack.apiUrl}/payments/${a.requestId}/status`, {
      headers: bearer(merchants.keys.get('shop-b')!),
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ error: 'not_found' });
  });

  test('when a merchant lists its payments then it gets its own, newest first, page by page (BullMQ: 501)', async () => {
    const list = async (query: string, merchant = 'shop-b') => {
      const res = await fetch(`${stack.apiUrl}/payments?${query}`, { headers: bearer(merchants.keys.get(merchant)!) });
      return {
        status: res.status,
        body: (await res.json()) as {
          payments: Array<{ requestId: string; orderId: string; status: string }>;
          nextCursor?: string;
        },
      };
    };
    if (engine === 'bullmq') {
      expect((await list('limit=2')).status).toBe(501);
      return;
    }
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await shopB.post({ orderId: `list-${i}-${randomUUID().slice(0, 6)}`, amount: 100 + i });
      expect([200, 202]).toContain(p.status);
      posted.push(p.requestId!);
    }
    await shopB.waitForFinal(posted, { timeoutMs: 60_000 });
    const first = await list('limit=2');
    expect(first.status).toBe(200);
    expect(first.body.payments.map((p) => p.requestId)).toEqual([posted[2], posted[1]]);
    const second = await list(`limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.payments[0]?.requestId).toBe(posted[0]);
    const one = first.body.payments[1]!;
    expect((await list(`orderId=${one.orderId}`)).body.payments.map((p) => p.requestId)).toEqual([posted[1]]);
    expect((await list('status=SUCCESS&limit=3')).body.payments.map((p) => p.requestId)).toEqual([...posted].reverse());
    // Another merchant sees none of them.
    const theirs = (await list('limit=100', 'shop-a')).body.payments.map((p) => p.requestId);
    expect(theirs.filter((id) => posted.includes(id))).toEqual([]);
    expect((await list('cursor=abc')).status).toBe(400);
  });
});

describe('cancel on the Redis Stream baseline', () => {
  let stack: Awaited<ReturnType<typeof startBaselineStack>>;
  let shopA: PaymentsClient;
  beforeAll(async () => {
    stack = await startBaselineStack({
      mode: 'stream',
      consumers: 1,
      pgUrl: fx.pg.url,
      redisUrl: fx.redis.url,
      merchants,
    });
    shopA = new PaymentsClient(stack.apiUrl, { apiKey: merchants.keys.get('shop-a') });
  });
  afterAll(async () => {
    await shopA?.close();
    await stack?.stop();
  });

  const cancel = async (requestId: string, merchant = 'shop-a') => {
    const res = await fetch(`${stack.apiUrl}/payments/${requestId}/cancel`, {
      method: 'POST',
      headers: bearer(merchants.keys.get(merchant)!),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('when a payment is cancelled before a consumer takes it then it ends CANCELLED and the PG never sees it', async () => {
    stack.consumers[0]!.kill('SIGKILL');
    await stack.consumers[0]!.exited;
    const posted = await shopA.post({ orderId: `bl-cancel-${randomUUID().slice(0, 8)}`, amount: 300 });
    expect(posted.status).toBe(202);
    expect(await cancel(posted.requestId!)).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    expect(await cancel(posted.requestId!)).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    expect((await cancel(posted.requestId!, 'shop-b')).status).toBe(404);

    await stack.startConsumer();
    const sentinel = await shopA.post({ orderId: `bl-after-${randomUUID().slice(0, 8)}`, amount: 300 });
    const final = await shopA.waitForFinal([sentinel.requestId!], { timeoutMs: 60_000 });
    expect(final.get(sentinel.requestId!)?.status).toBe('SUCCESS');
    expect((await shopA.status(posted.requestId!)).body).toMatchObject({ status: 'CANCELLED' });
    const calls = (await fx.pg.client.timeline()).callsByKey;
    expect(calls[posted.requestId!]).toBeUndefined();
    expect(calls[sentinel.requestId!]).toHaveLength(1);

    // Ended: too late to cancel.
    expect(await cancel(sentinel.requestId!)).toMatchObject({ status: 409, body: { error: 'already_processing' } });
  });
});
