import type { FakePgHandle } from '../../src/launch/fake-pg';
import { burstThroughAdmission } from '../../src/load/pg-burst';
import type { PgAdmission } from '../../src/pg-client/admission';

/**
 * A burst straight at a fake PG through admission steps (src/load/pg-burst.ts), scored by the PG
 * from a reset just before it. The payments arrive at 18/s, nearly twice the PG's rate of 10/s, so
 * calls queue and the step, not the arrivals, paces them; but each window's ten calls start spread
 * over ~0.5 s, as they reach the PG through an engine (README: the Temporal burst's tenth call
 * leaves 0.46-0.63 s after the first). Queued all in one instant instead, every window's calls
 * start together, and a margin only a little short of the network's jitter fails so seldom that
 * its one 429 may come late (docs/admission.md has both patterns' figures).
 */
export async function marginBurst(pg: FakePgHandle, admissions: PgAdmission[], count: number, tag: string) {
  // A worker's step is up well before a burst. A new local step starts with a full window, and
  // the calls queued behind it would all start together when it ends: let it pass first.
  await new Promise((r) => setTimeout(r, 1100));
  await pg.client.reset();
  const arrivalsMs = (count / 18) * 1000;
  const { outcomes } = await burstThroughAdmission({ pgUrl: pg.url, admissions, count, tag, arrivalsMs });
  const [stats, timeline] = await Promise.all([pg.client.stats(), pg.client.timeline()]);
  return { outcomes, stats, timeline };
}

/** Every call charged once; at most `max429` refusals, none after the first 10 s; never over the concurrency. */
export function expectSettledEarly(run: Awaited<ReturnType<typeof marginBurst>>, max429: number): void {
  expect(run.outcomes.filter((o) => o.kind !== 'approved')).toEqual([]);
  expect(run.stats.duplicateCharges).toBe(0);
  expect(run.stats.rejected429).toBeLessThanOrEqual(max429);
  expect(Math.max(0, ...run.timeline.rejections)).toBeLessThan(10_000);
  expect(run.stats.maxInFlight).toBeLessThanOrEqual(10);
}
