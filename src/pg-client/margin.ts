/**
 * How the admission step learns the margin it adds to the PG's one-second window.
 *
 * The margin covers the time between our send and the PG's stamp, which no one tells us: a quiet
 * loopback needs ~15 ms, a network path with 0-30 ms of jitter needs over 30. Two signals set it.
 * Where the PG says how long it held each call (Server-Timing), the spread of the network's share
 * of recent round trips is a floor the margin never goes below (./network-spread.ts): that covers
 * a jittery network from its first answers. What that misses (the PG stamping late on a busy
 * machine, a PG that does not say) only the PG's 429 shows, so the margin is also a memory of
 * refusals:
 *
 * - **Widen at once, decisively.** A refusal of a call admitted with margin m sets the margin to
 *   max(2m, m + 30 ms), at most 500 ms, and remembers m as a margin that was not enough. Doubling
 *   gets past any jitter in a few refusals (15 → 45 → 90 → 180), where small steps would pay a
 *   429 per step; the first step is 30 ms, not less, because the PG stamps a call a few ms late on
 *   a busy machine on top of the network's jitter (up to ~8 ms here), and a step that only just
 *   covers the jitter (+20: 35 ms for 0-30 ms of jitter) was refused again in one run of eight.
 *   Only a call admitted after the last widening can widen again: calls already in flight then
 *   were admitted with the old margin, and their refusals teach nothing new.
 * - **Hold, then shrink slowly.** The margin stays put for a minute after the last refusal, then
 *   loses 10 % every 10 s. A shrink below what the network needs is a probe that costs a 429, so
 *   it comes at most once a minute (a burst of 500 at 10/s lasts 50 s and never probes).
 * - **Not back below what failed.** While a refusal is recent (5 minutes), the margin stays at least
 *   1.25 × the margin that failed: a network that needed more than m once needs it again, and the
 *   first shrink past it would only buy another 429. With 0-30 ms of jitter that is 15 → 45 on the
 *   first refusal; in a long run the probes below it then cost a 429 or two until the remembered
 *   margin is one that was not enough by little (high 20s), and the margin settles 1.25 × above it.
 * - **Forget after a long quiet spell.** Five minutes without a refusal and the memory of the
 *   failed margin goes: the margin shrinks on to the configured floor (PG_RATE_MARGIN_MS), the
 *   least it ever is (or the measured spread, if more), so a network that calmed down gets today's
 *   utilisation back. If it did not calm down, that costs one 429, and the memory is back.
 *
 * What the PG says beside the 429 does not change this. Retry-After (and the IETF RateLimit
 * fields, if any) tell the caller when to send the refused call again; the step does not stop the
 * others for it, since the PG counted the refused call in its window and so does the step: the
 * next calls are already spaced by the window. A 429 for concurrency cannot be told apart here
 * (`refused()` hears only Retry-After), and our count of open calls is exact, so such a refusal
 * means the PG's view lags ours (a close it has not yet counted). It widens the margin like any
 * refusal: spacing calls further apart also gives a lagging close time to land, and the margin
 * comes back down as above. It is rare, and not worth a second signal.
 *
 * The state is a few numbers and the margin a pure function of them and the clock, so the Redis
 * gate keeps the same state in one hash and computes the same function in Lua
 * (lua/acquire-3.lua, lua/refused-1.lua).
 */

import { NetworkSpread } from './network-spread';

export interface MarginLearning {
  /** The configured margin (PG_RATE_MARGIN_MS): where it starts and the least it ever is. */
  floorMs: number;
  /** The most it ever is, so a PG that refuses for other reasons cannot stall us. */
  capMs: number;
  /** A refusal sets the margin to max(2m, m + widenByMs). */
  widenByMs: number;
  /** No shrinking for this long after a refusal. */
  holdMs: number;
  /** Then the margin is multiplied by `shrinkFactor` every `shrinkEveryMs`. */
  shrinkEveryMs: number;
  shrinkFactor: number;
  /** While a refusal is recent, the margin stays at least this × the margin that failed. */
  headroom: number;
  /** After this long without a refusal the failed margin is forgotten. */
  forgetMs: number;
}

export const DEFAULT_MARGIN_LEARNING: Omit<MarginLearning, 'floorMs'> = {
  capMs: 500,
  widenByMs: 30,
  holdMs: 60_000,
  shrinkEveryMs: 10_000,
  shrinkFactor: 0.9,
  headroom: 1.25,
  forgetMs: 300_000,
};

/** What a refusal taught: the margin it set, the margin that had failed, and when. */
export interface MarginMemory {
  widenedMs: number;
  failedMs: number;
  at: number;
}

/** The margin at `now`, given the last refusal's lesson (none: the floor). */
export function marginAt(memory: MarginMemory | undefined, learning: MarginLearning, now: number): number {
  if (!memory) return learning.floorMs;
  const quiet = now - memory.at;
  if (quiet < learning.holdMs) return memory.widenedMs;
  const steps = Math.floor((quiet - learning.holdMs) / learning.shrinkEveryMs) + 1;
  const shrunk = memory.widenedMs * learning.shrinkFactor ** steps;
  const remembered = quiet < learning.forgetMs ? memory.failedMs * learning.headroom : 0;
  return Math.max(learning.floorMs, Math.min(memory.widenedMs, Math.max(shrunk, remembered)));
}

/** The least margin now: the configured floor, or the network's measured need (up to the cap) where that is more. */
export const measuredFloorMs = (learning: Pick<MarginLearning, 'floorMs' | 'capMs'>, network: NetworkSpread): number =>
  Math.max(learning.floorMs, Math.min(learning.capMs, network.marginMs()));

/**
 * Hears one answer's network share `networkMs` of a call admitted with `admittedMarginMs`, and
 * returns how much later than its send the call's start should count: what its share exceeds the
 * fastest recent one by, less what that margin covers, at most `capMs`. The call a window after it
 * then waits that much longer, and only that one window pays. Measured (docs/admission.md, "A call
 * stamped late, seen in its own answer"): on a busy machine the PG stamped one call now and then
 * 19-52 ms after its send, where the others came within a few ms.
 */
export function lateStartMs(
  network: NetworkSpread,
  networkMs: number,
  admittedMarginMs: number,
  capMs: number,
): number {
  network.record(networkMs);
  return Math.min(capMs, Math.max(0, network.excessMs(networkMs) - admittedMarginMs));
}

/**
 * The lesson of a refusal at `now` of a call admitted at `admittedAt` with margin
 * `admittedMarginMs`, or undefined when it teaches nothing new (admitted before the last widening).
 */
export function afterRefusal(
  memory: MarginMemory | undefined,
  learning: MarginLearning,
  now: number,
  admittedAt: number,
  admittedMarginMs: number,
): MarginMemory | undefined {
  if (memory && admittedAt < memory.at) return undefined;
  const ceiling = Math.max(learning.capMs, learning.floorMs);
  const widenedMs = Math.min(ceiling, Math.max(2 * admittedMarginMs, admittedMarginMs + learning.widenByMs));
  return { widenedMs, failedMs: admittedMarginMs, at: now };
}

/**
 * How long a lesson matters when no refusal follows: until the margin is back at the floor from
 * the widest it can be. The Redis gate lets the lesson's key expire then.
 */
export function lessonKeptMs(learning: MarginLearning): number {
  const ceiling = Math.max(learning.capMs, learning.floorMs);
  const steps = Math.ceil(Math.log(Math.max(learning.floorMs, 1) / ceiling) / Math.log(learning.shrinkFactor));
  return Math.max(learning.forgetMs, learning.holdMs + Math.max(0, steps) * learning.shrinkEveryMs);
}

/**
 * The margin one admission step uses, learning from its own refusals, and never below what the
 * network is measured to need (./network-spread.ts).
 */
export class LearnedMargin {
  readonly learning: MarginLearning;
  private memory: MarginMemory | undefined;
  private readonly network = new NetworkSpread();

  constructor(floorMs: number, overrides: Partial<Omit<MarginLearning, 'floorMs'>> = {}) {
    this.learning = { ...DEFAULT_MARGIN_LEARNING, ...overrides, floorMs };
  }

  at(now: number): number {
    return marginAt(this.memory, { ...this.learning, floorMs: this.floorMs() }, now);
  }

  /** The least margin now (measuredFloorMs). */
  floorMs(): number {
    return measuredFloorMs(this.learning, this.network);
  }

  /**
   * Hears one answer's network share (round trip less the PG's own time), ms, of a call admitted
   * with `admittedMarginMs`; returns how much later its start should count (lateStartMs).
   */
  answered(networkMs: number, admittedMarginMs: number): number {
    return lateStartMs(this.network, networkMs, admittedMarginMs, this.learning.capMs);
  }

  /** The longest the window ever is: starts older than this can be forgotten. */
  get longestWindowMs(): number {
    return 1000 + Math.max(this.learning.capMs, this.learning.floorMs);
  }

  /** Hears a refusal; true when it widened the margin. */
  refused(now: number, admittedAt: number, admittedMarginMs: number): boolean {
    const lesson = afterRefusal(this.memory, this.learning, now, admittedAt, admittedMarginMs);
    if (lesson) this.memory = lesson;
    return lesson !== undefined;
  }
}
