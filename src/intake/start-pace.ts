/**
 * How fast the starter hands a PG's payments to Temporal: after a quiet spell as many at once as
 * the PG takes at once (`burst`), then `perSecond`, its rate, within the PG's window.
 *
 * Why: in the first second of a burst the PG takes only its first `burst` calls; the window's
 * other payments cannot reach it before the second after. Started all at once, their starts,
 * workflow tasks and activity tasks took the two cores from the first ten's, and the PG's tenth
 * call came 0.78 s after the burst instead of 0.55 s (docs/benchmark.md, "Starts at the PG's
 * pace"). Spread at the PG's rate, each is at the PG's gate before its place in the PG's second.
 *
 * A token bucket: it is a pace, not a limit. The PG's limits are the admission step's
 * (src/pg-client/admission.ts), which knows every call; here a start taken early costs nothing
 * but CPU.
 */
export interface Pace {
  /** Starts at once after a quiet spell: the PG's first moment (min of its concurrency and rate). */
  burst: number;
  /** Starts a second after that: the PG's rate. */
  perSecond: number;
}

/** The pace that matches a PG's limits. */
export const paceOfPg = (pg: { concurrency: number; ratePerSecond: number }): Pace => ({
  burst: Math.max(1, Math.min(pg.concurrency, pg.ratePerSecond)),
  perSecond: pg.ratePerSecond,
});

export class StartPace {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly paceOf: (pg: string) => Pace | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts the PG may have now (Infinity where it has no pace). */
  room(pg: string): number {
    const bucket = this.refill(pg);
    return bucket ? Math.floor(bucket.tokens) : Infinity;
  }

  /** Milliseconds until the PG may have one more start: 0 when it may now. */
  waitMs(pg: string): number {
    const bucket = this.refill(pg);
    const pace = this.paceOf(pg);
    if (!bucket || !pace || bucket.tokens >= 1) return 0;
    return Math.ceil(((1 - bucket.tokens) * 1000) / pace.perSecond);
  }

  /** `n` starts given to the PG. */
  take(pg: string, n = 1): void {
    const bucket = this.refill(pg);
    if (bucket) bucket.tokens -= n;
  }

  private refill(pg: string): { tokens: number; at: number } | undefined {
    const pace = this.paceOf(pg);
    if (!pace) return undefined;
    const now = this.now();
    const bucket = this.buckets.get(pg) ?? { tokens: pace.burst, at: now };
    bucket.tokens = Math.min(pace.burst, bucket.tokens + ((now - bucket.at) * pace.perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(pg, bucket);
    return bucket;
  }
}
