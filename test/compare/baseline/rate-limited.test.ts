/**
 * A 429 is the PG asking us to wait, not the payment failing: with one attempt allowed, payments
 * that meet 429s still end SUCCESS on that one attempt, and each waited the PG's Retry-After
 * before it called again. The engine's own rate is set at twice the PG's, so the PG refuses for real,
 * and the shared gate hears each refusal and widens its margin.
 */
import { randomUUID } from 'node:crypto';
import { paymentBodies } from '../../../src/load/payments-client';
import { refusalsOf } from '../../support/refusals';
import { type Fixture, type TestStack, startFixture, startStack } from './fixture';

const count = 12;
const retryAfterMs = 1000;
/** The gate's configured margin (BASELINE_RATE_MARGIN_MS), the least it learns. */
const marginFloorMs = 15;

let fx: Fixture;
let stack: TestStack;
beforeAll(async () => {
  fx = await startFixture({
    PG_LATENCY_MS: '20-50',
    PG_RATE_LIMIT: '3',
    PG_MAX_CONCURRENCY: '10',
    PG_RETRY_AFTER_S: String(retryAfterMs / 1000),
  });
  stack = await startStack(fx, 'stream', 1, {
    PG_RATE_LIMIT: '6',
    BASELINE_MAX_ATTEMPTS: '1',
    BASELINE_RATE_MARGIN_MS: String(marginFloorMs),
  });
});
afterAll(async () => {
  await stack?.stop();
  await fx?.stop();
});

test('when the PG answers 429 then the attempt count stays where it was and the payment waits Retry-After', async () => {
  const posted = await stack.http.burst(paymentBodies(count, `limited-${randomUUID().slice(0, 8)}`));
  expect(posted.map((p) => p.status)).toEqual(Array(count).fill(202));
  const ids = posted.map((p) => p.requestId!);
  const final = await stack.http.waitForFinal(ids, { timeoutMs: 60_000 });

  // One attempt allowed: a 429 counted as one would have ended these FAILED rate_limited.
  expect(ids.map((id) => [final.get(id)?.status, final.get(id)?.attempts])).toEqual(Array(count).fill(['SUCCESS', 1]));
  const pg = await fx.pg.client.stats();
  expect(pg.rejected429).toBeGreaterThan(0);
  expect([pg.charges, pg.duplicateCharges]).toEqual([count, 0]);

  const { waitsMs, endedRefused } = await refusalsOf(fx.pg.client, ids);
  expect(waitsMs).toHaveLength(pg.rejected429);
  expect(endedRefused).toEqual([]);
  expect(waitsMs.filter((w) => w === undefined || w < retryAfterMs)).toEqual([]);

  // The consumer told the shared gate of its 429s: the margin every consumer adds to the window
  // widened from its floor (unheard, the gate kept the floor and each short window cost a 429).
  // Against a PG at half the engine's rate it widens on to its cap; how far is not the point here.
  const lesson = await fx.client.hgetall(`${stack.keys.pgGate}margin`);
  expect(Number(lesson.failed)).toBeGreaterThanOrEqual(marginFloorMs);
  expect(Number(lesson.widened)).toBeGreaterThan(marginFloorMs);
});
