/** The report's arithmetic, in one place: percentiles, the physical limit (docs/design.md §7), PG series. */
import type { PgTimeline } from '../../src/fake-pg/scoreboard';
import type { Percentiles } from './types';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const percentiles = (values: number[]): Percentiles => ({
  p50: Math.round(percentile(values, 50)),
  p99: Math.round(percentile(values, 99)),
});

/**
 * docs/design.md §7: at most R calls in any sliding second still lets R start together, so N payments
 * cannot finish before (ceil(N/R) - 1) s + L, nor with C slots before ceil(N/C) x L; the ideal is
 * the larger, L the PG's mean latency. Arrivals spread over `arrivalsMs` (the sustained load) add
 * their own bound: the last one cannot finish before it arrived plus L.
 */
export function idealMakespanMs(
  n: number,
  limits: { concurrency: number; ratePerSecond: number },
  meanLatencyMs: number,
  arrivalsMs = 0,
): number {
  if (n <= 0) return 0;
  const rateBound = (Math.ceil(n / limits.ratePerSecond) - 1) * 1000 + meanLatencyMs;
  const slotBound = Math.ceil(n / limits.concurrency) * meanLatencyMs;
  return Math.round(Math.max(rateBound, slotBound, arrivalsMs + meanLatencyMs));
}

export const utilisation = (ideal: number, actual: number): number =>
  actual > 0 ? Math.round((ideal / actual) * 1000) / 1000 : 0;

/**
 * When the PG's first sliding second filled: its first arrival and its R-th (R its rate), ms after
 * the first POST (`offsetMs` shifts the PG's own clock), null where it never had that many. Each
 * later call comes at least a second after the call R before it, so a run of N calls cannot end
 * before the R-th's time plus (N/R - 1) s: an engine slow to fill the first second pays for it at
 * the end, whatever it does after (docs/benchmark.md, "Where Temporal's extra seconds go").
 */
export function firstSecondOf(
  timeline: Pick<PgTimeline, 'arrivals'>,
  offsetMs: number,
  ratePerSecond: number,
): { firstCallMs: number | null; rateFullMs: number | null } {
  const sorted = [...timeline.arrivals].sort((a, b) => a - b);
  const at = (i: number) => (sorted[i] === undefined ? null : Math.round(sorted[i] + offsetMs));
  return { firstCallMs: at(0), rateFullMs: at(ratePerSecond - 1) };
}

/**
 * The retry path as the PG sees it: for each call that followed an admitted call of the same
 * idempotency key (a retry after a 5xx or a lost answer; a 429's retry is left out), ms between the
 * two arrivals. That is the first call's latency, the engine's backoff and its way back to the PG.
 */
export function retryGapsMs(callsByKey: PgTimeline['callsByKey']): number[] {
  const gaps: number[] = [];
  for (const calls of Object.values(callsByKey))
    for (let i = 1; i < calls.length; i++) if (!calls[i - 1]!.refused) gaps.push(calls[i]!.at - calls[i - 1]!.at);
  return gaps;
}

/** `PG_LATENCY_MS` "100-300" or "150" → its mean. */
export function meanLatencyMs(latency: string): number {
  const [min, max = min] = latency.split('-').map(Number) as [number, number?];
  return (min + max) / 2;
}

/**
 * The PG's in-flight count at every change, from its own timeline: an arrival opens a call, a
 * rejection (same instant) closes it at once, a completion closes it. Times shift by `offsetMs`.
 */
export function inFlightSeries(timeline: PgTimeline, offsetMs: number): Array<[number, number]> {
  const events: Array<[number, number]> = [
    ...timeline.arrivals.map((t): [number, number] => [t, +1]),
    ...timeline.rejections.map((t): [number, number] => [t, -1]),
    ...timeline.completions.map((t): [number, number] => [t, -1]),
  ].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const series: Array<[number, number]> = [];
  let open = 0;
  for (const [t, delta] of events) {
    open += delta;
    series.push([Math.round(t + offsetMs), open]);
  }
  return series;
}
