import { TEST_MERCHANT } from '../../../src/launch/merchants';
import { paymentBodies } from '../../../src/load/payments-client';
import { requestIdForKey } from '../../../src/contract/payment';
import { chargeElsewhere } from '../../support/pg-seed';
import { type BullmqFixture, startBullmqFixture } from './fixture';

describe('the BullMQ engine behind the payments contract', () => {
  let fx: BullmqFixture | undefined;

  beforeAll(async () => {
    // This file checks the contract; what BullMQ's limiter lets through the PG's rate is the
    // benchmark's measurement, so the PG's rate limit here is out of the way (no 429 retries).
    fx = await startBullmqFixture({ PG_LATENCY_MS: '20-60', PG_RATE_LIMIT: '1000' });
  });
  afterAll(() => fx?.stop());

  test('when 40 payments arrive at once then every one ends SUCCESS and none is charged twice', async () => {
    const bodies = paymentBodies(40, `bullmq-${Date.now()}`);
    const posted = await fx!.api.burst(bodies);
    expect(posted.map((p) => p.status)).toEqual(Array(40).fill(202));
    const ids = posted.map((p) => p.requestId!);

    const final = await fx!.api.waitForFinal(ids, { timeoutMs: 90_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(40).fill('SUCCESS'));
    expect(ids.every((id) => final.get(id)?.transactionId?.startsWith('TXN-'))).toBe(true);

    const stats = await fx!.pg.client.stats();
    expect(stats.charges).toBe(40);
    expect(stats.duplicateCharges).toBe(0);
  });

  test('when the same key comes with the same body then the same id is answered; with another body, 409', async () => {
    const body = { orderId: `bullmq-replay-${Date.now()}`, amount: 500, currency: 'KRW' };
    const first = await fx!.api.post(body);
    const again = await fx!.api.post(body);
    const changed = await fx!.api.post({ ...body, amount: 501 });
    expect([first.status, again.status, changed.status]).toEqual([202, 202, 409]);
    expect(again.requestId).toBe(first.requestId);
    expect((changed.body as { error?: string }).error).toBe('idempotency_key_reused');
  });

  test('when the order is declined then the payment ends FAILED and the decline is never retried', async () => {
    const before = await fx!.pg.client.stats();
    const posted = await fx!.api.post({ orderId: `decline-bullmq-${Date.now()}`, amount: 700, currency: 'KRW' });
    const final = await fx!.api.waitForFinal([posted.requestId!], { timeoutMs: 30_000 });
    const view = final.get(posted.requestId!);
    expect(view?.status).toBe('FAILED');
    expect(view?.error).toBe('card_declined');
    // A 429 from the burst's limiter may come first (it is not an attempt); the decline itself comes once.
    const after = await fx!.pg.client.stats();
    expect(after.declined - before.declined).toBe(1);
    expect(after.replays - before.replays).toBe(0);
  });

  test('when the PG answers 422 (its key was used with another body) then the payment ends FAILED pg_rejected, never retried', async () => {
    const key = `bullmq-reused-${Date.now()}`;
    await chargeElsewhere(fx!.pg.url, requestIdForKey(TEST_MERCHANT, key), `elsewhere-${key}`);
    const posted = await fx!.api.post(
      { orderId: `order-${key}`, amount: 700, currency: 'KRW' },
      { 'Idempotency-Key': key },
    );
    expect(posted).toMatchObject({ status: 202, requestId: requestIdForKey(TEST_MERCHANT, key) });
    const view = (await fx!.api.waitForFinal([posted.requestId!], { timeoutMs: 30_000 })).get(posted.requestId!);
    expect(view).toMatchObject({ status: 'FAILED', error: 'pg_rejected' });
    // The earlier charge and one refused call: no retry after the 422.
    const { callsByKey } = await fx!.pg.client.timeline();
    expect(callsByKey[requestIdForKey(TEST_MERCHANT, key)]?.length).toBe(2);
  });
});
