/**
 * The margin the network is seen to need, measured on every answer rather than learnt from 429s.
 *
 * A PG that says how long it held a call (`Server-Timing: pg;dur=…`, which the fake PG sends)
 * lets the caller split its round trip: round trip − the PG's time = the network's share, both
 * ways. Its spread over recent calls bounds how far apart two calls sent a window apart can land
 * at the PG's stamp, which is what the margin must cover. With 0-30 ms of arrival jitter the
 * spread comes out near 30 ms within the first second's answers, before the eleventh call, so
 * the step widens before the first call the jitter could push over the limit; on a quiet loopback it
 * stays at a few ms and the configured margin (PG_RATE_MARGIN_MS) rules as before.
 *
 * Why not only 429s (./margin.ts): a refusal comes when two calls' delays happen to differ by more
 * than the margin at a window's edge. Where the calls are spaced a little wider than the window
 * that is rare, and the first refusal, the only lesson, could come at any time in a run (measured:
 * 23 s and 48 s into a burst of 500). The 429 learning stays, for whatever the spread misses.
 *
 * The spread is the second-slowest less the second-fastest of the last `samples` calls, so one
 * answer held up on our side (a GC pause) does not widen it alone, × `headroom`.
 *
 * What the spread leaves out on purpose, one call held up for tens of ms (the PG's process or the
 * machine stalled as it arrived), that call's own answer still shows, and in time: it comes back
 * within the window (a PG answering in 100-300 ms), before the call ten after it is due. So the
 * step counts such a call's start later by what its share exceeds the fastest by, beyond the
 * margin it was admitted with (`lateStartMs` in ./margin.ts, `excessMs` here).
 */

export interface NetworkSpreadOptions {
  /** How many recent answers the spread is read from. */
  samples: number;
  /** The margin is the spread × this. */
  headroom: number;
}

export const DEFAULT_NETWORK_SPREAD: NetworkSpreadOptions = { samples: 40, headroom: 1.25 };

/** Parses `Server-Timing` for the PG's own time (the `dur` of its first metric), in ms. */
export function pgOwnTimeMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  const match = value?.match(/(?:^|[;,\s])dur=("?)(\d+(?:\.\d+)?)\1/);
  return match ? Number(match[2]) : undefined;
}

export class NetworkSpread {
  private readonly recent: number[] = [];
  private next = 0;
  private readonly options: NetworkSpreadOptions;

  constructor(options: Partial<NetworkSpreadOptions> = {}) {
    this.options = { ...DEFAULT_NETWORK_SPREAD, ...options };
  }

  /** One answer's network share: round trip less the PG's own time, ms. */
  record(networkMs: number): void {
    if (!Number.isFinite(networkMs)) return;
    const ms = Math.max(0, networkMs);
    if (this.recent.length < this.options.samples) this.recent.push(ms);
    else this.recent[this.next] = ms;
    this.next = (this.next + 1) % this.options.samples;
  }

  /**
   * How much slower than the fastest recent answer's this network share is, ms (0 before two
   * answers): at most how much later the PG stamped this call than it stamps a call that meets no
   * delay on the way, to within the return path's own variation.
   */
  excessMs(networkMs: number): number {
    if (this.recent.length < 2) return 0;
    return Math.max(0, networkMs - Math.min(...this.recent));
  }

  /** The margin the recent answers call for (0 before two of them). */
  marginMs(): number {
    if (this.recent.length < 2) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    const trim = sorted.length >= 10 ? 1 : 0;
    const spread = sorted[sorted.length - 1 - trim]! - sorted[trim]!;
    return spread * this.options.headroom;
  }
}
