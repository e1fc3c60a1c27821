import { randomUUID } from 'node:crypto';
import { paymentBodies } from '../../src/load/payments-client';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { pollUntil } from '../support/answers';

/**
 * A worker killed with SIGKILL in the middle of a burst, while it holds PG calls (issue 3): once a
 * new worker starts, every accepted payment ends SUCCESS and the PG counts no second charge. The
 * killed worker's open calls reached the PG and were charged; their retries must be replays.
 */
describe('a worker killed in the middle of a burst', () => {
  const count = 60;
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '200-400' }, workers: 1 });
  });
  afterAll(() => stack?.stop());

  test('when the only worker is SIGKILLed and a new one starts then every payment succeeds, charged once', async () => {
    const posted = await stack.api.burst(paymentBodies(count, `crash-${randomUUID().slice(0, 8)}`));
    expect(posted.map((p) => p.status)).toEqual(Array(count).fill(202));
    const ids = posted.map((p) => p.requestId!);

    // Kill while the worker holds PG calls, a third of the way through the burst.
    const atKill = await pollUntil(
      'the worker to be a third of the way through, with PG calls open',
      async () => {
        const pg = await stack.pg.client.stats();
        return pg.requests >= count / 3 && pg.inFlight >= 2 ? pg : undefined;
      },
      60_000,
      20,
    );
    const [victim] = stack.workers;
    victim!.kill('SIGKILL');
    expect(await victim!.exited).toBe('SIGKILL');
    expect(atKill.charges).toBeLessThan(count); // the burst really was cut in the middle

    await stack.startWorker();
    const final = await stack.api.waitForFinal(ids, { timeoutMs: 100_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(count).fill('SUCCESS'));

    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(count);
    expect(pg.duplicateCharges).toBe(0);
    // The calls open at the kill were charged, their answers lost: the retries were replays.
    expect(pg.replays).toBeGreaterThan(0);
  });
});
