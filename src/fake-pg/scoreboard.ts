/**
 * The referee's score: every call counted on arrival, whether it is then admitted or refused.
 * An engine that keeps the PG's limits scores rejected429 == 0, maxInFlight <= concurrency and
 * maxPerSecond <= ratePerSecond.
 */
import { performance } from 'node:perf_hooks';
import { SlidingWindow } from './sliding-window';

export interface PgLimits {
  concurrency: number;
  ratePerSecond: number;
}

export interface PgStats {
  requests: number;
  charges: number;
  replays: number;
  declined: number;
  rejected429: number;
  /** Why calls were refused: over the concurrency limit or over the rate limit. */
  rejectedBy: { concurrency: number; rate: number };
  injected5xx: number;
  /** Calls answered 503 pg_outage while the outage switch was on (counted in requests too). */
  outage503: number;
  inFlight: number;
  maxInFlight: number;
  maxPerSecond: number;
  duplicateCharges: number;
  limits: PgLimits;
}

/** Arrival and completion times in ms since the last reset, for charts. */
export interface PgTimeline {
  startedAtEpochMs: number;
  arrivals: number[];
  completions: number[];
  rejections: number[];
  /**
   * Every arrival by idempotency key, in order, and whether the limits refused it: pairs a 429
   * with the retry that followed it, so a test can check the retry waited for Retry-After.
   */
  callsByKey: Record<string, KeyedArrival[]>;
}

export interface KeyedArrival {
  at: number;
  refused?: 'concurrency' | 'rate';
}

export type Admission = { admitted: true } | { admitted: false; reason: 'concurrency' | 'rate' };

export class Scoreboard {
  private readonly window = new SlidingWindow(1000);
  private readonly chargesByOrder = new Map<string, number>();
  private origin = performance.now();
  private originEpoch = Date.now();
  private timeline: PgTimeline = this.emptyTimeline();
  private counts = Scoreboard.zeroCounts();
  private inFlight = 0;
  private maxInFlight = 0;
  private duplicateCharges = 0;

  constructor(readonly limits: PgLimits) {}

  /** Counts an arriving call (under its idempotency key, if it has one) and decides whether the PG's limits admit it. */
  arrive(key?: string): Admission {
    const now = this.now();
    this.counts.requests++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const inWindow = this.window.record(now);
    this.timeline.arrivals.push(now);
    const reason =
      this.inFlight > this.limits.concurrency
        ? 'concurrency'
        : inWindow > this.limits.ratePerSecond
          ? 'rate'
          : undefined;
    if (key !== undefined) {
      const calls = this.timeline.callsByKey[key] ?? (this.timeline.callsByKey[key] = []);
      calls.push(reason ? { at: now, refused: reason } : { at: now });
    }
    return reason ? this.refuse(reason, now) : { admitted: true };
  }

  /** An admitted call has been answered. */
  finish(): void {
    this.inFlight--;
    this.timeline.completions.push(this.now());
  }

  charged(orderId: string): void {
    this.counts.charges++;
    const times = (this.chargesByOrder.get(orderId) ?? 0) + 1;
    this.chargesByOrder.set(orderId, times);
    if (times === 2) this.duplicateCharges++;
  }

  replayed(): void {
    this.counts.replays++;
  }

  declinedOne(): void {
    this.counts.declined++;
  }

  injectedFailure(): void {
    this.counts.injected5xx++;
  }

  outageRefused(): void {
    this.counts.outage503++;
  }

  stats(): PgStats {
    return {
      ...this.counts,
      rejectedBy: { ...this.counts.rejectedBy },
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      maxPerSecond: this.window.maxCount,
      duplicateCharges: this.duplicateCharges,
      limits: { ...this.limits },
    };
  }

  timelineSnapshot(): PgTimeline {
    return {
      startedAtEpochMs: this.originEpoch,
      arrivals: [...this.timeline.arrivals],
      completions: [...this.timeline.completions],
      rejections: [...this.timeline.rejections],
      callsByKey: structuredClone(this.timeline.callsByKey),
    };
  }

  /** Clears the score. Calls still open stay counted as in flight. */
  reset(): void {
    this.window.reset();
    this.chargesByOrder.clear();
    this.counts = Scoreboard.zeroCounts();
    this.maxInFlight = this.inFlight;
    this.duplicateCharges = 0;
    this.origin = performance.now();
    this.originEpoch = Date.now();
    this.timeline = this.emptyTimeline();
  }

  private static zeroCounts() {
    return {
      requests: 0,
      charges: 0,
      replays: 0,
      declined: 0,
      rejected429: 0,
      rejectedBy: { concurrency: 0, rate: 0 },
      injected5xx: 0,
      outage503: 0,
    };
  }

  private refuse(reason: 'concurrency' | 'rate', now: number): Admission {
    this.counts.rejected429++;
    this.counts.rejectedBy[reason]++;
    this.inFlight--;
    this.timeline.rejections.push(now);
    return { admitted: false, reason };
  }

  private now(): number {
    return performance.now() - this.origin;
  }

  private emptyTimeline(): PgTimeline {
    return {
      startedAtEpochMs: this.originEpoch,
      arrivals: [],
      completions: [],
      rejections: [],
      callsByKey: Object.create(null) as Record<string, KeyedArrival[]>,
    };
  }
}
