/**
 * The network path in front of the PG (`PG_ARRIVAL_JITTER_MS`): every call waits a drawn delay
 * before the referee stamps it, as a packet crossing a real network would. The caller's send and
 * the PG's stamp then lie apart by an amount no caller is told, and two calls sent close together
 * may be stamped in the other order. The stamp stays the referee's: what counts is when a call
 * reaches the PG, not when it left.
 */
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../infra/random';
import type { LatencyRange } from './config';

/** A uniform draw from a range of milliseconds. */
export const drawFrom = (range: LatencyRange, random: () => number): number =>
  range.minMs + random() * (range.maxMs - range.minMs);

/**
 * The delays of successive arrivals, repeatable with `PG_SEED`. Their own stream, not the one the
 * PG's latency and injected failures draw from: turning jitter on leaves those draws as they were.
 */
export function arrivalDelays(range: LatencyRange, seed: number): () => number {
  const random = seededRandom(seed ^ 0x6a177e5);
  return () => drawFrom(range, random);
}

/**
 * Resolves once `ms` have passed on the monotonic clock, never before. A timer alone may fire up
 * to a millisecond early (it reads a cached loop time), which would stamp a call sooner than its
 * delay; so the timer wakes a little early and the rest is spent in setImmediate turns.
 */
export function delay(ms: number): Promise<void> {
  const due = performance.now() + ms;
  return new Promise((resolve) => {
    const check = () => {
      const left = due - performance.now();
      if (left <= 0) resolve();
      else if (left > 2) setTimeout(check, Math.floor(left) - 1);
      else setImmediate(check);
    };
    check();
  });
}
