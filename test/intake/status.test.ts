import { randomUUID } from 'node:crypto';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { paymentBodies } from '../../src/load/payments-client';

/**
 * Status reads never wait on a worker: an ended payment and a pending one answer 200 from the
 * payment store with every worker stopped, and clients polling their status all through a burst
 * get 200s while the PG's limits hold.
 */
describe('status reads with the Redis intake', () => {
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '20-50' } });
  });
  afterAll(() => stack?.stop());

  test('when 60 clients poll their status four times a second through a burst then every answer is 200 and the PG limits hold', async () => {
    const posted = await stack.api.burst(paymentBodies(60, `poll-${randomUUID().slice(0, 8)}`));
    const ids = posted.map((p) => p.requestId!);
    expect(posted.map((p) => p.status)).toEqual(ids.map(() => 202));
    const codes = new Map<number, number>();
    const seen = new Set<string>();
    const polls = ids.map(async (id) => {
      for (;;) {
        const answer = await stack.api.status(id);
        codes.set(answer.status, (codes.get(answer.status) ?? 0) + 1);
        seen.add(answer.body.status);
        if (answer.status !== 200 || ['SUCCESS', 'FAILED', 'CANCELLED'].includes(answer.body.status)) return answer;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    const last = await Promise.all(polls);
    expect([...codes.keys()]).toEqual([200]);
    expect(last.map((a) => a.body.status)).toEqual(ids.map(() => 'SUCCESS'));
    expect(seen.has('PENDING')).toBe(true);
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(60);
    expect(pg.rejected429).toBe(0);
    expect(pg.maxPerSecond).toBeLessThanOrEqual(10);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
  });

  test('when every worker is stopped then an ended and a pending payment both answer 200 at once, from the store', async () => {
    const ended = await stack.api.post({ orderId: `ended-${randomUUID().slice(0, 8)}`, amount: 100 });
    const final = await stack.api.waitForFinal([ended.requestId!], { timeoutMs: 60_000 });
    expect(final.get(ended.requestId!)?.status).toBe('SUCCESS');

    for (const worker of stack.workers) await worker.stop();
    const pending = await stack.api.post({ orderId: `pending-${randomUUID().slice(0, 8)}`, amount: 100 });
    expect(pending.status).toBe(202);
    // Give the starter time to start its workflow: its status is then a running workflow's.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    for (const [id, expected] of [
      [ended.requestId!, 'SUCCESS'],
      [pending.requestId!, 'PENDING'],
    ] as const) {
      const started = performance.now();
      const answer = await stack.api.status(id);
      const ms = performance.now() - started;
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ requestId: id, status: expected });
      // A read that waited on the absent worker would take the query's whole deadline.
      expect(ms).toBeLessThan(1000);
    }
    const transactionId = final.get(ended.requestId!)?.transactionId;
    expect(transactionId).toMatch(/^TXN-/);
    expect((await stack.api.status(ended.requestId!)).body.transactionId).toBe(transactionId);
  });
});
