/**
 * Latencies counted in 1 ms buckets up to a minute (slower ones share the last bucket; the
 * maximum stays exact): percentiles of any number of readings in a fixed 240 kB.
 */
import type { Percentiles } from './types';

const BUCKETS = 60_001;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private maxMs = 0;

  record(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.round(ms)));
    this.counts[bucket]!++;
    this.total++;
    this.maxMs = Math.max(this.maxMs, ms);
  }

  get count(): number {
    return this.total;
  }

  /** The same rank rule as figures.ts's percentile (nearest rank). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.min(this.total, Math.max(1, Math.ceil((p / 100) * this.total)));
    let seen = 0;
    for (let ms = 0; ms < BUCKETS; ms++) {
      seen += this.counts[ms]!;
      if (seen >= rank) return ms;
    }
    return BUCKETS - 1;
  }

  summary(): Percentiles & { max: number } {
    return { p50: this.percentile(50), p99: this.percentile(99), max: Math.round(this.maxMs) };
  }
}
