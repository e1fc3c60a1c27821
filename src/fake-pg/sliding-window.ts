/**
 * Exact sliding one-second window over arrival times. `record(t)` returns how many arrivals fall in
 * (t - 1000 ms, t], this one included; the maximum of that over all arrivals is the most arrivals in
 * any sliding second, with no estimate and no bucket edges.
 */
export class SlidingWindow {
  private readonly times: number[] = [];
  private head = 0;
  maxCount = 0;

  constructor(private readonly windowMs = 1000) {}

  /** How many arrivals would be in the window if one arrived at `now` (not recording it). */
  countAt(now: number): number {
    this.evict(now);
    return this.times.length - this.head + 1;
  }

  record(now: number): number {
    const count = this.countAt(now);
    this.times.push(now);
    if (count > this.maxCount) this.maxCount = count;
    return count;
  }

  reset(): void {
    this.times.length = 0;
    this.head = 0;
    this.maxCount = 0;
  }

  private evict(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 4096) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}
