/**
 * The study document's exercise 2 on each queue design: a burst of 100 with 10 permits and 2 consumer
 * processes: all succeed, the PG never sees more than 10 at once, nothing is charged twice. And a
 * message written by the study document's own producer code is processed.
 */
import { randomUUID } from 'node:crypto';
import { statusViewOf } from '../../../compare/baseline/status-store';
import type { BaselineMode } from '../../../compare/baseline/config';
import { paymentBodies } from '../../../src/load/payments-client';
import { pollUntil } from '../../support/answers';
import { FAST_PG, type Fixture, type TestStack, startFixture, startStack } from './fixture';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture(FAST_PG);
});
afterAll(() => fx?.stop());

/** Writes a payment the way the study document's Phase 2-A producers do, bypassing the API. */
async function pushLikeTheStudy(
  stack: TestStack,
  mode: BaselineMode,
  requestId: string,
  orderId: string,
): Promise<void> {
  if (mode === 'stream') {
    // §3.3 PaymentStreamProducer: flat fields.
    await fx.client.xadd(
      stack.keys.stream,
      '*',
      'requestId',
      requestId,
      'orderId',
      orderId,
      'amount',
      '15000',
      'timestamp',
      new Date().toISOString(),
    );
  } else {
    // §3.2 PaymentQueueProducer: QueuedPaymentRequest JSON, Jackson's Instant as epoch seconds.
    const queued = { requestId, request: { orderId, amount: 15000, currency: 'KRW' }, enqueuedAt: Date.now() / 1000 };
    await fx.client.lpush(stack.keys.queue, JSON.stringify(queued));
  }
}

describe.each<BaselineMode>(['list', 'list-reliable', 'stream'])('the %s baseline with 2 consumers', (mode) => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack(fx, mode, 2);
  });
  afterAll(() => stack?.stop());
  beforeEach(() => fx.pg.client.reset());

  test('when 100 payments arrive at once then all succeed, the PG sees at most 10 at once and nothing twice', async () => {
    const posted = await stack.http.burst(paymentBodies(100, `burst-${mode}-${randomUUID().slice(0, 8)}`));
    expect(posted.map((p) => p.status)).toEqual(Array(100).fill(202));
    const ids = posted.map((p) => p.requestId!);
    expect(new Set(ids).size).toBe(100);

    const final = await stack.http.waitForFinal(ids, { timeoutMs: 90_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(100).fill('SUCCESS'));

    const pg = await fx.pg.client.stats();
    expect(pg.charges).toBe(100);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
    await pollUntil(
      'every permit free again',
      async () => ((await stack.permitsInUse()) === 0 ? true : undefined),
      15_000,
    );
  });

  test("when a message is written in the study document's producer shape then it is processed and its status becomes SUCCESS", async () => {
    const requestId = `study-${randomUUID()}`;
    const orderId = `study-order-${randomUUID().slice(0, 8)}`;
    await pushLikeTheStudy(stack, mode, requestId, orderId);

    // Read from the result table as a Phase 2-A system would: the message names no merchant, so
    // through the API it is no merchant's payment (docs/merchants.md).
    const view = await pollUntil('the study-shaped payment to finish', async () => {
      const stored = statusViewOf(await fx.client.hgetall(stack.keys.status(requestId)));
      return stored?.status === 'SUCCESS' ? stored : undefined;
    });
    expect(view).toMatchObject({ requestId, status: 'SUCCESS', attempts: 1 });
    expect(view.transactionId).toMatch(/^TXN-/);
    const pg = await fx.pg.client.stats();
    expect(pg.charges).toBe(1);
    expect((await stack.http.status(requestId)).status).toBe(404);
  });
});
