import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { requestIdForKey } from '../../src/contract/payment';
import { toolPath } from '../../src/infra/paths';
import { freePort } from '../../src/infra/ports';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import { type MerchantsFixture, createMerchantsFixture, merchantClients } from '../../src/launch/merchants';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { PaymentsClient, bearer } from '../../src/load/payments-client';
import { looksLikeStackTrace, pollUntil } from '../support/answers';
import { webUiWorkflowList } from '../support/chromium';

const run = promisify(execFile);

/**
 * Merchants on the Temporal engine (docs/merchants.md): a Bearer key on every /payments route,
 * each merchant's payments its own, and an operator who finds them by search attribute.
 */
describe('merchants on the Temporal engine', () => {
  let temporal: RunningDevServer;
  let merchants: MerchantsFixture;
  let stack: TemporalStack;
  let shopA: PaymentsClient;
  let shopB: PaymentsClient;

  beforeAll(async () => {
    temporal = await startDevServer({ port: await freePort(), uiPort: await freePort() });
    merchants = createMerchantsFixture(['shop-a', 'shop-b', 'shop-gone']);
    stack = await startTemporalStack({ temporal, merchants, pgEnv: { PG_LATENCY_MS: '20-50' } });
    [shopA, shopB] = merchantClients(stack.apiUrl, merchants, ['shop-a', 'shop-b']) as [PaymentsClient, PaymentsClient];
  });
  afterAll(async () => {
    await shopA?.close();
    await shopB?.close();
    await stack?.stop();
    await temporal?.stop();
    merchants?.dispose();
  });

  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function post(headers: Record<string, string>) {
    const res = await fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ orderId: unique('unauth'), amount: 1000 }),
    });
    return { status: res.status, challenge: res.headers.get('www-authenticate'), text: await res.text() };
  }

  test.each([
    ['no Authorization header', {}],
    ['a Basic header', { authorization: 'Basic c2hvcDpzZWNyZXQ=' }],
    ['Bearer without a key', { authorization: 'Bearer ' }],
    ['two words after Bearer', { authorization: 'Bearer a b' }],
    ['a wrong key', { authorization: 'Bearer sk_not-a-key-of-anyone' }],
  ])('when a payment comes with %s then it answers 401 unauthorized with WWW-Authenticate: Bearer', async (_n, h) => {
    const before = await stack.pg.client.stats();
    const answer = await post(h);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe('Bearer');
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'unauthorized', message: expect.any(String) as unknown });
    expect(looksLikeStackTrace(answer.text)).toBe(false);
    expect((await stack.pg.client.stats()).requests).toBe(before.requests);
  });

  test('when a status is read without a key then it answers 401 too', async () => {
    const res = await fetch(`${stack.apiUrl}/payments/pay_0000/status`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('when a merchant is removed then its key answers 401 within a few seconds', async () => {
    const key = merchants.keys.get('shop-gone')!;
    const accepted = await post(bearer(key));
    expect(accepted.status).toBe(202);
    merchants.remove('shop-gone');
    await pollUntil(
      'the removed key to answer 401',
      async () => ((await post(bearer(key))).status === 401 ? true : undefined),
      10_000,
    );
  });

  test('when the same idempotency key comes from two merchants then they are two payments, each charged once', async () => {
    const key = unique('order-key');
    const body = { orderId: unique('shared-order'), amount: 2500 };
    const a = await shopA.post(body, { 'Idempotency-Key': key });
    const b = await shopB.post(body, { 'Idempotency-Key': key });
    expect(a).toMatchObject({ status: 202, requestId: requestIdForKey('shop-a', key) });
    expect(b).toMatchObject({ status: 202, requestId: requestIdForKey('shop-b', key) });
    expect(a.requestId).not.toBe(b.requestId);

    const finalA = await shopA.waitForFinal([a.requestId!], { timeoutMs: 60_000 });
    const finalB = await shopB.waitForFinal([b.requestId!], { timeoutMs: 60_000 });
    expect(finalA.get(a.requestId!)).toMatchObject({ status: 'SUCCESS', merchantId: 'shop-a' });
    expect(finalB.get(b.requestId!)).toMatchObject({ status: 'SUCCESS', merchantId: 'shop-b' });
    // Counted by the PG under each payment's own key (earlier tests' payments may still be
    // charging). The PG's duplicateCharges would count this pair, one orderId charged twice: here
    // that is two shops' orders, which is the point.
    const { callsByKey } = await stack.pg.client.timeline();
    expect([a.requestId!, b.requestId!].map((id) => callsByKey[id]?.length ?? 0)).toEqual([1, 1]);
  });

  test("when a merchant reads another merchant's payment then it answers 404, exactly as for an unknown id", async () => {
    const posted = await shopA.post({ orderId: unique('private'), amount: 700 });
    expect(posted.status).toBe(202);
    expect((await shopA.status(posted.requestId!)).status).toBe(200);

    const foreign = await fetch(`${stack.apiUrl}/payments/${posted.requestId}/status`, {
      headers: bearer(merchants.keys.get('shop-b')!),
    });
    const unknown = await fetch(`${stack.apiUrl}/payments/${requestIdForKey('shop-b', unique('never'))}/status`, {
      headers: bearer(merchants.keys.get('shop-b')!),
    });
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await foreign.json()).toEqual(await unknown.json());
  });

  test('when payments end then temporal workflow list --query finds them by MerchantId, OrderId, PaymentStatus and AmountMinor', async () => {
    const declined = await shopB.post({ orderId: unique('decline-sa'), amount: 4321 });
    const paid = await shopB.post({ orderId: unique('paid-sa'), amount: 1234 });
    const other = await shopA.post({ orderId: unique('other-sa'), amount: 4321 });
    const ids = [declined, paid, other].map((p) => p.requestId!);
    await shopB.waitForFinal([declined.requestId!, paid.requestId!], { timeoutMs: 60_000 });
    await shopA.waitForFinal([other.requestId!], { timeoutMs: 60_000 });

    const list = async (query: string) => {
      const { stdout } = await run(toolPath('temporal'), [
        'workflow',
        'list',
        '--address',
        temporal.address,
        '--query',
        query,
        '--output',
        'json',
      ]);
      return (JSON.parse(stdout || '[]') as Array<{ execution: { workflowId: string } }>)
        .map((w) => w.execution.workflowId)
        .filter((id) => ids.includes(id));
    };
    const failedOfB = await pollUntil(
      'the FAILED status in visibility',
      async () => {
        const found = await list('MerchantId="shop-b" AND PaymentStatus="FAILED"');
        return found.length > 0 ? found : undefined;
      },
      20_000,
    );
    expect(failedOfB).toEqual([declined.requestId]);
    expect(await list('MerchantId="shop-b" AND PaymentStatus="SUCCESS"')).toEqual([paid.requestId]);
    expect(await list(`OrderId="${other.orderId}"`)).toEqual([other.requestId]);
    expect((await list('AmountMinor = 4321')).sort()).toEqual([declined.requestId, other.requestId].sort());
  });

  test('when a merchant lists its payments then it gets its own only, newest first, page by page, filtered by status and orderId', async () => {
    const shop = 'shop-list';
    const key = merchants.add(shop);
    const client = new PaymentsClient(stack.apiUrl, { apiKey: key });
    try {
      // The API picks the new merchant up when it next looks at the file.
      await pollUntil(
        'the new key to be known',
        async () => ((await client.status('pay_x')).status === 404 ? true : undefined),
        10_000,
      );
      const posted: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await client.post({
          orderId: `${i === 4 ? 'decline' : 'list'}-${i}-${randomUUID().slice(0, 6)}`,
          amount: 100 + i,
        });
        expect(p.status).toBe(202);
        posted.push(p.requestId!);
        await client.waitForFinal([p.requestId!], { timeoutMs: 60_000 });
      }
      await shopA.post({ orderId: unique('not-listed'), amount: 100 });
      const list = async (query: string) => {
        const res = await fetch(`${stack.apiUrl}/payments?${query}`, { headers: bearer(key) });
        expect(res.status).toBe(200);
        return (await res.json()) as {
          payments: Array<{ requestId: string; status: string; orderId: string; amount: number }>;
          nextCursor?: string;
        };
      };
      // Visibility catches up with the last status within moments.
      await pollUntil(
        'all five in the list',
        async () => ((await list('limit=10')).payments.length === 5 ? true : undefined),
        20_000,
      );

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.payments.length).toBeLessThanOrEqual(2);
        pages.push(page.payments.map((p) => p.requestId));
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages.flat()).toEqual([...posted].reverse());
      expect(pages[0]).toHaveLength(2);

      const failed = await list('status=FAILED');
      expect(failed.payments.map((p) => p.requestId)).toEqual([posted[4]]);
      expect(failed.payments[0]).toMatchObject({ status: 'FAILED', amount: 104 });
      const one = (await list('')).payments.find((p) => p.requestId === posted[1])!;
      expect((await list(`orderId=${one.orderId}`)).payments.map((p) => p.requestId)).toEqual([posted[1]]);

      for (const bad of ['limit=0', 'limit=101', 'status=DONE', 'orderId=a%20b', 'cursor=%2F%2F', 'extra=1']) {
        const res = await fetch(`${stack.apiUrl}/payments?${bad}`, { headers: bearer(key) });
        expect([bad, res.status]).toEqual([bad, 400]);
      }
      const garbled = await fetch(`${stack.apiUrl}/payments?cursor=bm90LWEtdG9rZW4.x`, { headers: bearer(key) });
      expect([garbled.status, await garbled.text()]).toEqual([400, expect.stringContaining('cursor')]);
      // Another merchant's cursor is refused too, not read as a place in this merchant's list.
      const { nextCursor } = await list('limit=2');
      const foreign = await fetch(`${stack.apiUrl}/payments?limit=2&cursor=${nextCursor}`, {
        headers: bearer(merchants.keys.get('shop-a')!),
      });
      expect(foreign.status).toBe(400);
    } finally {
      await client.close();
    }
  });

  test("when the Web UI's list is filtered by MerchantId then headless Chromium sees that merchant's payments only", async () => {
    const mine = await shopB.post({ orderId: unique('ui-b'), amount: 990 });
    const theirs = await shopA.post({ orderId: unique('ui-a'), amount: 990 });
    await shopB.waitForFinal([mine.requestId!], { timeoutMs: 60_000 });
    await shopA.waitForFinal([theirs.requestId!], { timeoutMs: 60_000 });

    const page = await pollUntil(
      "the Web UI to list shop-b's payment",
      async () => {
        const dom = await webUiWorkflowList(temporal.uiUrl!, 'default', 'MerchantId="shop-b"');
        return dom.includes(mine.requestId!) ? dom : undefined;
      },
      60_000,
      1000,
    );
    expect(page).toContain(mine.requestId);
    expect(page).not.toContain(theirs.requestId);
  });
});
