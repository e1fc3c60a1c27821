import { randomUUID } from 'node:crypto';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { paymentBodies } from '../../src/load/payments-client';
import { looksLikeStackTrace } from '../support/answers';

/**
 * With TEMPORAL_INTAKE=direct the API keeps at most TEMPORAL_START_CONCURRENCY workflow starts in flight; the rest of a burst
 * waits in line within TEMPORAL_TIMEOUT_MS. Here one start at a time and 300 ms: a burst of 100
 * cannot all start in time, so the API must refuse some with 503 + Retry-After, and a client that
 * retries them as told must end with every payment charged once, none twice.
 */
describe('a burst longer than the API may wait to start it', () => {
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({
      pgEnv: { PG_LATENCY_MS: '5-10', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '50' },
      workerEnv: { PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '50', WORKER_MAX_CONCURRENT_ACTIVITIES: '50' },
      apiEnv: { TEMPORAL_INTAKE: 'direct', TEMPORAL_START_CONCURRENCY: '1', TEMPORAL_TIMEOUT_MS: '300' },
    });
  });
  afterAll(() => stack?.stop());

  test('when 100 payments arrive at once then those past the deadline get 503 with Retry-After, and retried with the same key every payment is charged exactly once', async () => {
    await stack.pg.client.reset();
    const bodies = paymentBodies(100, `deadline-${randomUUID().slice(0, 8)}`);
    const posted = await stack.api.burst(bodies);
    const refused = posted.filter((p) => p.status === 503);
    expect(posted.filter((p) => p.status !== 202 && p.status !== 503)).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(100);
    for (const answer of refused) {
      expect(answer.body).toMatchObject({ error: 'unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(looksLikeStackTrace(JSON.stringify(answer.body))).toBe(false);
    }

    // The client does as told: the refused ones again, one at a time, with the same key. A start
    // whose answer came too late may have begun on the server; the same key makes it a replay.
    const retried = [];
    for (const body of bodies.filter((b) => refused.some((r) => r.orderId === b.orderId)))
      retried.push(await stack.api.post(body));
    expect(retried.map((r) => r.status)).toEqual(retried.map(() => 202));
    const ids = [...new Set([...posted, ...retried].filter((p) => p.status === 202).map((p) => p.requestId!))];
    expect(ids).toHaveLength(100);

    const final = await stack.api.waitForFinal(ids, { timeoutMs: 90_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(ids.map(() => 'SUCCESS'));
    const stats = await stack.pg.client.stats();
    expect(stats.charges).toBe(100);
    expect(stats.duplicateCharges).toBe(0);
  });
});
