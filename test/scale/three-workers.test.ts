import { paymentBodies } from '../../src/load/payments-client';
import { type ScaleStack, startScaleStack } from './scale-support';

describe('three workers, each configured for 10, share one PG limit of 10', () => {
  let scale: ScaleStack;

  beforeAll(async () => {
    scale = await startScaleStack({ workers: 3, pgLatencyMs: '20-50', leaseMs: 5000 });
  }, 180_000);
  afterAll(() => scale?.stop());

  test('when 300 payments arrive at once then all succeed, each charged once, and the PG never sees more than 10 at once', async () => {
    const { stack } = scale;
    const posted = await stack.api.burst(paymentBodies(300, `scale-${Date.now()}`));
    expect(posted.map((p) => p.status)).toEqual(Array(300).fill(202));
    const ids = posted.map((p) => p.requestId!);

    const final = await stack.api.waitForFinal(ids, { timeoutMs: 150_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(300).fill('SUCCESS'));

    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(300);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.rejected429).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
  }, 200_000);
});
