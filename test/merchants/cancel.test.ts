import { randomUUID } from 'node:crypto';
import { killTree } from '../../compare/bench/kill-tree';
import { type MerchantsFixture, createMerchantsFixture } from '../../src/launch/merchants';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { PaymentsClient, bearer } from '../../src/load/payments-client';
import { pollUntil } from '../support/answers';

/**
 * POST /payments/:id/cancel on the Temporal engine (docs/merchants.md): CANCELLED while no PG call
 * has claimed the payment, and then never charged, also when the worker was killed around the
 * cancel; 409 already_processing once the PG call is open; the same answer twice; another
 * merchant's payment 404. The PG's own per-key count is the judge.
 */
describe('cancelling a payment', () => {
  let merchants: MerchantsFixture;
  let stack: TemporalStack;
  let shopB: PaymentsClient;

  beforeAll(async () => {
    merchants = createMerchantsFixture(['shop-a', 'shop-b']);
    // Long PG calls, so a payment is still at the PG when its cancel comes.
    stack = await startTemporalStack({ merchants, pgEnv: { PG_LATENCY_MS: '3000' } });
    shopB = new PaymentsClient(stack.apiUrl, { apiKey: merchants.keys.get('shop-b') });
  });
  afterAll(async () => {
    await shopB?.close();
    await stack?.stop();
    merchants?.dispose();
  });

  const cancel = async (requestId: string, apiKey = merchants.apiKey) => {
    const res = await fetch(`${stack.apiUrl}/payments/${requestId}/cancel`, {
      method: 'POST',
      headers: bearer(apiKey),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pgCallsOf = async (requestId: string) => (await stack.pg.client.timeline()).callsByKey[requestId] ?? [];

  test('when the worker is killed, a payment cancelled, and a worker back then it ends CANCELLED and the PG never sees it', async () => {
    await killTree(stack.workers[0]!);
    const posted = await stack.api.post({ orderId: `cancel-${randomUUID().slice(0, 8)}`, amount: 1000 });
    expect(posted.status).toBe(202);

    const first = await cancel(posted.requestId!);
    expect(first).toMatchObject({ status: 200, body: { requestId: posted.requestId, status: 'CANCELLED' } });
    // Twice: the same answer.
    expect(await cancel(posted.requestId!)).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    // Another merchant: as if there were no such payment.
    const foreign = await cancel(posted.requestId!, merchants.keys.get('shop-b'));
    expect(foreign).toMatchObject({ status: 404, body: { error: 'not_found' } });

    await stack.startWorker();
    // A later payment that ends SUCCESS: the worker has worked through the task queue by then.
    const sentinel = await stack.api.post({ orderId: `after-cancel-${randomUUID().slice(0, 8)}`, amount: 1000 });
    const final = await stack.api.waitForFinal([sentinel.requestId!], { timeoutMs: 60_000 });
    expect(final.get(sentinel.requestId!)?.status).toBe('SUCCESS');
    expect((await stack.api.status(posted.requestId!)).body).toMatchObject({ status: 'CANCELLED' });
    expect(await pgCallsOf(posted.requestId!)).toEqual([]);
    expect(await pgCallsOf(sentinel.requestId!)).toHaveLength(1);
  });

  test('when the PG call is open then cancel answers 409 already_processing, twice, and the payment is charged once', async () => {
    const posted = await stack.api.post({ orderId: `late-cancel-${randomUUID().slice(0, 8)}`, amount: 1000 });
    expect(posted.status).toBe(202);
    await pollUntil(
      'the PG call to open',
      async () => ((await pgCallsOf(posted.requestId!)).length > 0 ? true : undefined),
      30_000,
      50,
    );
    const refused = await cancel(posted.requestId!);
    expect(refused).toMatchObject({ status: 409, body: { error: 'already_processing', status: 'PROCESSING' } });
    expect((await cancel(posted.requestId!)).status).toBe(409);

    const final = await stack.api.waitForFinal([posted.requestId!], { timeoutMs: 60_000 });
    expect(final.get(posted.requestId!)?.status).toBe('SUCCESS');
    expect(await pgCallsOf(posted.requestId!)).toHaveLength(1);
    expect((await stack.pg.client.stats()).duplicateCharges).toBe(0);
  });

  test('when an unknown id is cancelled then it answers 404', async () => {
    expect((await cancel('pay_0000000000000000')).status).toBe(404);
  });
});
