import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { createPgClient } from '../../src/pg-client/pg-client';

/**
 * The referee rolls the same dice for every engine: the n-th call after a reset draws the n-th
 * latency and failure roll, whatever the order its latency timer fires in, so two runs on one seed
 * meet the same injected failures at the same call positions.
 */
const calls = 20;

/** Sends `calls` charges `spacingMs` apart, each overlapping the others; answers each one's outcome in send order. */
async function outcomesOf(handle: FakePgHandle, tag: string, spacingMs: number): Promise<string[]> {
  const pg = createPgClient({ baseUrl: handle.url, connections: calls });
  try {
    const sent: Array<Promise<string>> = [];
    for (let i = 0; i < calls; i++) {
      const key = `${tag}-${i}`;
      sent.push(
        pg.charge({ idempotencyKey: key, request: { orderId: key, amount: 1, currency: 'KRW' } }).then((o) => o.kind),
      );
      await new Promise((r) => setTimeout(r, spacingMs));
    }
    return await Promise.all(sent);
  } finally {
    await pg.close();
  }
}

describe('the fake PG’s dice', () => {
  let handle: FakePgHandle | undefined;
  afterEach(async () => {
    await handle?.process.stop();
    handle = undefined;
  });

  test('when a run is repeated after a reset, its calls spaced otherwise, then the same call positions meet an injected failure', async () => {
    handle = await startFakePg({
      PG_FAILURE_RATE: '0.3',
      PG_SEED: '7',
      // Long against the spacing: the calls' latency timers fire in another order than they arrived.
      PG_LATENCY_MS: '100-400',
      PG_RATE_LIMIT: '1000',
      PG_MAX_CONCURRENCY: '100',
    });
    // Another spacing the second time: the calls overlap otherwise, as two engines' calls would.
    const first = await outcomesOf(handle, 'first', 25);
    const firstInjected = (await handle.client.stats()).injected5xx;
    await handle.client.reset();
    const second = await outcomesOf(handle, 'second', 60);
    const secondInjected = (await handle.client.stats()).injected5xx;

    expect(first).toContain('approved');
    expect(first).toContain('transient');
    expect(second).toEqual(first);
    expect(secondInjected).toBe(firstInjected);
    expect(firstInjected).toBe(first.filter((kind) => kind === 'transient').length);
  });
});
