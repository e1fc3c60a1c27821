/**
 * A 429 is the PG asking us to wait, not the payment failing: with one attempt allowed
 * (BULLMQ_ATTEMPTS=1), jobs that meet 429s still end SUCCESS on that one attempt, and each waited
 * the PG's Retry-After before it called again. BullMQ's limiter is set above the PG's rate, so the
 * PG refuses for real.
 */
import { randomUUID } from 'node:crypto';
import { paymentBodies } from '../../../src/load/payments-client';
import { refusalsOf } from '../../support/refusals';
import { type BullmqFixture, startBullmqFixture } from './fixture';

const count = 12;
const retryAfterMs = 1000;

let fx: BullmqFixture | undefined;
beforeAll(async () => {
  fx = await startBullmqFixture(
    { PG_LATENCY_MS: '20-50', PG_RATE_LIMIT: '3', PG_RETRY_AFTER_S: String(retryAfterMs / 1000) },
    { PG_RATE_LIMIT: '30', BULLMQ_ATTEMPTS: '1' },
  );
});
afterAll(() => fx?.stop());

test('when the PG answers 429 then the attempt count stays where it was and the job waits Retry-After', async () => {
  const posted = await fx!.api.burst(paymentBodies(count, `bullmq-limited-${randomUUID().slice(0, 8)}`));
  expect(posted.map((p) => p.status)).toEqual(Array(count).fill(202));
  const ids = posted.map((p) => p.requestId!);
  const final = await fx!.api.waitForFinal(ids, { timeoutMs: 60_000 });

  expect(ids.map((id) => [final.get(id)?.status, final.get(id)?.attempts])).toEqual(Array(count).fill(['SUCCESS', 1]));
  const stats = await fx!.pg.client.stats();
  expect(stats.rejected429).toBeGreaterThan(0);
  expect([stats.charges, stats.duplicateCharges]).toEqual([count, 0]);

  const { waitsMs, endedRefused } = await refusalsOf(fx!.pg.client, ids);
  expect(waitsMs).toHaveLength(stats.rejected429);
  expect(endedRefused).toEqual([]);
  expect(waitsMs.filter((w) => w === undefined || w < retryAfterMs)).toEqual([]);
});
