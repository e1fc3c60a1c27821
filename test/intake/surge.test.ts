import { randomUUID } from 'node:crypto';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { paymentBodies } from '../../src/load/payments-client';

/**
 * A flash sale bigger than Temporal can start at once: with the Redis intake every payment is
 * accepted (202, never 503) and becomes its workflow at the pace the starter keeps, each charged
 * exactly once within the PG's limits. The PG here is ten times the default, so 1,500 payments
 * end in seconds; the benchmark's `surge` runs 5,000 at the defaults.
 */
describe('a surge of 1,500 payments at once through the Redis intake', () => {
  let stack: TemporalStack;
  const limits = { PG_RATE_LIMIT: '100', PG_MAX_CONCURRENCY: '20' };

  beforeAll(async () => {
    stack = await startTemporalStack({
      pgEnv: { ...limits, PG_LATENCY_MS: '20-40' },
      workerEnv: { ...limits, WORKER_MAX_CONCURRENT_ACTIVITIES: '20' },
      apiEnv: limits,
    });
  });
  afterAll(() => stack?.stop());

  test('then every one gets 202, none 503, and each is charged exactly once within the limits', async () => {
    await stack.api.connect();
    const posted = await stack.api.burst(paymentBodies(1500, `surge-${randomUUID().slice(0, 8)}`));
    const codes = posted.reduce<Record<number, number>>((n, p) => ({ ...n, [p.status]: (n[p.status] ?? 0) + 1 }), {});
    expect(codes).toEqual({ 202: 1500 });

    const ids = posted.map((p) => p.requestId!);
    const final = await stack.api.waitForFinal(ids, { timeoutMs: 240_000, parallel: 64 });
    expect(ids.filter((id) => final.get(id)?.status !== 'SUCCESS')).toEqual([]);
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(1500);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(20);
    expect(pg.maxPerSecond).toBeLessThanOrEqual(100);
  });
});
