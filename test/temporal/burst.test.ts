import { paymentBodies } from '../../src/load/payments-client';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';

describe("the study document's exercise 2: a burst of 100 with 10 permits", () => {
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '100-300' } });
  });
  afterAll(() => stack?.stop());

  test('when 100 payments arrive at once then all are accepted, all succeed, and the PG limits hold', async () => {
    const posted = await stack.api.burst(paymentBodies(100, `burst-${Date.now()}`));
    expect(posted.map((p) => p.status)).toEqual(Array(100).fill(202));

    const ids = posted.map((p) => p.requestId!);
    expect(new Set(ids).size).toBe(100);
    const final = await stack.api.waitForFinal(ids, { timeoutMs: 90_000 });
    const statuses = ids.map((id) => final.get(id)?.status);
    expect(statuses).toEqual(Array(100).fill('SUCCESS'));

    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(100);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.rejected429).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
    expect(pg.maxPerSecond).toBeLessThanOrEqual(10);
  });
});
