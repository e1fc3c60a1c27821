/**
 * A consumer SIGKILLed with payments in its hands. The study document's List design (`list`) loses the
 * message and leaks the permit for good — shown here, on purpose. The fixed designs lose nothing,
 * charge nothing twice, and free every permit again.
 */
import { randomUUID } from 'node:crypto';
import type { BaselineMode } from '../../../compare/baseline/config';
import { paymentBodies } from '../../../src/load/payments-client';
import { pollUntil } from '../../support/answers';
import { type Fixture, type TestStack, startFixture, startStack } from './fixture';

// Slow PG calls, so the kill lands while charges are in flight; no rate limit (concurrency is asserted).
const PG = { PG_LATENCY_MS: '1500', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '10' };
// Short leases, heartbeats and claim times, so recovery happens within the test.
const FAST_RECOVERY = {
  BASELINE_LEASE_MS: '1500',
  BASELINE_HEARTBEAT_MS: '200',
  BASELINE_HEARTBEAT_TTL_MS: '1000',
  BASELINE_CLAIM_IDLE_MS: '1500',
};

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture(PG);
});
afterAll(() => fx?.stop());
beforeEach(() => fx.pg.client.reset());

describe('the list baseline (the study document as written)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack(fx, 'list', 0);
  });
  afterAll(() => stack?.stop());

  test('when a consumer is killed between RPOP and releasing its permit then the payment is lost and the permit leaks', async () => {
    // The victim holds each message it takes long enough for the kill to land between the two steps.
    const victim = await stack.startConsumer({ BASELINE_TEST_PAUSE_AFTER_TAKE_MS: '600000' });
    const lost = await stack.http.post({ orderId: `lost-${randomUUID().slice(0, 8)}`, amount: 1000 });
    expect(lost.status).toBe(202);
    await victim.waitForLine(/message taken/, 30_000);
    victim.kill('SIGKILL');
    await victim.exited;

    // A healthy consumer works through a later payment…
    const healthy = await stack.startConsumer();
    const later = await stack.http.post({ orderId: `later-${randomUUID().slice(0, 8)}`, amount: 1000 });
    const done = await stack.http.waitForFinal([later.requestId!], { timeoutMs: 30_000 });
    expect(done.get(later.requestId!)?.status).toBe('SUCCESS');

    // …but the first one is gone: not in the queue, never charged, never final.
    expect(await fx.client.llen(stack.keys.queue)).toBe(0);
    expect((await stack.http.status(lost.requestId!)).body.status).toBe('PENDING');
    expect((await fx.pg.client.stats()).charges).toBe(1);
    // And the victim's permit never comes back: 9 of 10 are left for good. The healthy consumer
    // stops first, as the study document's holds a permit for a moment in every poll, empty queue or not.
    await healthy.stop();
    expect(await stack.permitsInUse()).toBe(1);
  });
});

describe.each<BaselineMode>(['list-reliable', 'stream'])('the %s baseline', (mode) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack(fx, mode, 0, FAST_RECOVERY);
  });
  afterAll(() => stack?.stop());

  test('when a consumer is killed with charges in flight then nothing is lost, nothing is charged twice and every permit comes back', async () => {
    const victim = await stack.startConsumer();
    const posted = await stack.http.burst(paymentBodies(20, `kill-${mode}-${randomUUID().slice(0, 8)}`));
    expect(posted.map((p) => p.status)).toEqual(Array(20).fill(202));
    // Kill while the victim's charges are at the PG.
    await pollUntil(
      'the victim to have charges in flight',
      async () => ((await fx.pg.client.stats()).inFlight > 0 ? true : undefined),
      30_000,
      50,
    );
    victim.kill('SIGKILL');
    await victim.exited;

    const survivor = await stack.startConsumer();
    const ids = posted.map((p) => p.requestId!);
    const final = await stack.http.waitForFinal(ids, { timeoutMs: 90_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(20).fill('SUCCESS'));

    // The survivor got the victim's payments through the recovery path, not by luck.
    await survivor.waitForLine(
      mode === 'list-reliable' ? /re-queued the messages of a dead consumer/ : /claimed an entry of a dead consumer/,
      1000,
    );
    const pg = await fx.pg.client.stats();
    expect(pg.charges).toBe(20);
    expect(pg.duplicateCharges).toBe(0);
    // The victim's charges in flight were charged by the PG, then re-sent by the survivor with
    // the same idempotency key: replays, not second charges.
    expect(pg.replays).toBeGreaterThan(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
    await pollUntil(
      'every permit free again',
      async () => ((await stack.permitsInUse()) === 0 ? true : undefined),
      15_000,
    );
    if (mode === 'list-reliable') expect(await fx.client.llen(stack.keys.queue)).toBe(0);
    else expect(await fx.client.xlen(stack.keys.stream)).toBe(0);
  });
});
