/**
 * The exact admission step in front of the PG: a call starts only while fewer than `concurrency`
 * calls are open and fewer than `ratePerSecond` calls started in the last second plus a margin.
 *
 * Why not a token bucket: a bucket that starts full lets `rate` calls in at once and `rate` more
 * as it refills, so up to twice the rate lands in one sliding second. This step keeps a log of
 * start times instead, so no sliding second ever holds more than the rate. The margin covers the
 * jitter between our clock at send time and the PG's at arrival; it is learnt from the PG's 429s
 * and kept above the network's measured spread (./margin.ts, ./network-spread.ts), starting from
 * and never going below `marginMs`.
 */
import { performance } from 'node:perf_hooks';
import { type Backlog, StrideShares } from '../infra/stride-shares';
import { LearnedMargin, type MarginLearning } from './margin';

export interface PgPermit {
  /** The call's request was written to the socket at `at` (performance.now()). */
  sent(at: number): void;
  /**
   * The PG answered this call 429 (rate limited), asking to wait `retryAfterMs`: the admission step
   * learns its margin from this. Called before release().
   */
  refused(retryAfterMs: number): void;
  /**
   * The PG answered, and its round trip less the time the PG says it held the call came to
   * `networkMs`: the admission step keeps its margin above the network's measured spread, and
   * counts a call whose share shows it was stamped late as starting that much later.
   */
  answered(networkMs: number): void;
  release(): void;
}

/** Whose call it is: calls waiting in one worker are admitted in turns by key, weighted. */
export interface Fairness {
  fairnessKey: string;
  fairnessWeight: number;
  /**
   * When the payment was accepted (epoch ms): a key's calls go longest-waiting payment first, so
   * a retry back from its backoff does not queue again behind payments accepted after it.
   * Unset: in the order they came.
   */
  acceptedAt?: number;
}

export interface PgAdmission {
  acquire(signal?: AbortSignal, fairness?: Fairness): Promise<PgPermit>;
  /** Calls open now and the limit, for the semaphore gauges; the margin in use, where one is learnt. */
  /**
   * `readable: false` while the step's shared state cannot be read (the gate's Redis is down):
   * its figures are then unknown, not free. Absent means readable.
   */
  usage(): { used: number; limit: number; marginMs?: number; readable?: boolean };
}

export interface AdmissionLimits {
  concurrency: number;
  ratePerSecond: number;
  /** Added to the one-second window; covers send-to-arrival jitter. The least the learnt margin is. */
  marginMs: number;
  /** How the margin learns from refusals; ./margin.ts DEFAULT_MARGIN_LEARNING unless set (tests). */
  learning?: Partial<Omit<MarginLearning, 'floorMs'>>;
}

export interface Waiter {
  fairness?: Fairness;
  resolve(permit: PgPermit): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Queues a caller for a permit; an abort takes it out of the queue and rejects it. */
export function waitInLine(
  waiters: Waiter[],
  signal: AbortSignal | undefined,
  then: () => void,
  fairness?: Fairness,
): Promise<PgPermit> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort rejects with the signal's own reason, as Node's APIs do
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<PgPermit>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal, fairness };
    if (signal) {
      waiter.onAbort = () => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the signal's own reason, as above
        reject(signal.reason ?? new Error('aborted'));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    waiters.push(waiter);
    then();
  });
}

/**
 * Takes the next waiter off the queue, no longer listening for its abort: of the key whose turn it
 * is, the one accepted first (else the first to come), so the server's fair order across merchants
 * survives the wait in the worker (up to its slots' worth of calls, a second of the PG's rate).
 */
export function nextInLine(waiters: Waiter[], turns: StrideShares): Waiter | undefined {
  const keyOf = (w: Waiter) => w.fairness?.fairnessKey ?? '';
  const backlogs = new Map<string, Backlog>();
  for (const w of waiters) {
    const key = keyOf(w);
    const backlog = backlogs.get(key) ?? { key, weight: w.fairness?.fairnessWeight ?? 1, waiting: 0 };
    backlog.waiting++;
    backlogs.set(key, backlog);
  }
  const [turn] = turns.allot(1, [...backlogs.values()]);
  const acceptedAt = (w: Waiter) => w.fairness?.acceptedAt ?? Infinity;
  let index = -1;
  for (let i = 0; i < waiters.length; i++)
    if (keyOf(waiters[i]!) === turn && (index < 0 || acceptedAt(waiters[i]!) < acceptedAt(waiters[index]!))) index = i;
  const [waiter] = index >= 0 ? waiters.splice(index, 1) : [];
  if (waiter?.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  return waiter;
}

export class LocalPgAdmission implements PgAdmission {
  /** Start times of recent calls, oldest first (entries move later, never earlier). */
  private readonly starts: Array<{ at: number }> = [];
  private readonly waiters: Waiter[] = [];
  private readonly turns = new StrideShares();
  private readonly margin: LearnedMargin;
  private open = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now = () => performance.now(),
  ) {
    this.margin = new LearnedMargin(limits.marginMs, limits.learning);
    // A new admission step cannot know what a worker before it (say, one just killed) sent in the last
    // second, so it starts with a full window: its first call waits one window after start.
    const created = now();
    for (let i = 0; i < limits.ratePerSecond; i++) this.starts.push({ at: created });
  }

  usage() {
    return { used: this.open, limit: this.limits.concurrency, marginMs: this.margin.at(this.now()) };
  }

  acquire(signal?: AbortSignal, fairness?: Fairness): Promise<PgPermit> {
    return waitInLine(this.waiters, signal, () => this.pump(), fairness);
  }

  /**
   * Pumps again at `due`, not after it. A timer fires on a whole millisecond and up to one more
   * late, and every call chained to this one (one window later, and the next) inherits the delay:
   * a millisecond per window, 49 of them in a burst of 500. So the timer wakes a millisecond early
   * and the last stretch is spent in setImmediate turns, which let I/O run in between.
   */
  private wakeAt(due: number): void {
    const wait = due - this.now();
    if (wait > 2) this.timer = setTimeout(() => this.pump(), Math.floor(wait) - 1);
    else this.immediate = setImmediate(() => this.pump());
  }

  /** Admits waiters, in turns by merchant, for as long as both limits allow. */
  private pump(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    while (this.waiters.length > 0 && this.open < this.limits.concurrency) {
      const now = this.now();
      const marginMs = this.margin.at(now);
      const windowMs = 1000 + marginMs;
      // Entries only move later, so the list stays nearly sorted. Kept as long as the longest
      // window could still want them: a margin widened now must see the starts behind it.
      for (let i = this.starts.length - 1; i >= 0; i--)
        if (this.starts[i]!.at <= now - this.margin.longestWindowMs) this.starts.splice(i, 1);
      const inWindow = this.starts.filter((s) => s.at > now - windowMs);
      if (inWindow.length >= this.limits.ratePerSecond) {
        // The earliest start leaves the window at its time + windowMs. Calls not yet sent have no
        // time yet; their sent() or release() pumps again.
        const earliest = Math.min(...inWindow.map((s) => s.at));
        if (Number.isFinite(earliest)) this.wakeAt(earliest + windowMs);
        return;
      }
      const waiter = nextInLine(this.waiters, this.turns)!;
      // A call's start is the moment its request is written to the socket, not its admission:
      // time between the two is jitter the margin need not cover. Until then it counts in the
      // window and cannot leave it; a call released unsent counts from its release.
      const start = { at: Infinity };
      this.starts.push(start);
      this.open++;
      let released = false;
      waiter.resolve({
        sent: (at) => {
          start.at = Number.isFinite(start.at) ? Math.max(start.at, at) : Math.max(now, at);
          this.pump();
        },
        // Admitted at `now` with `marginMs`: the refusal teaches something unless a wider margin came since.
        refused: () => {
          if (!released) this.margin.refused(this.now(), now, marginMs);
        },
        // An answer that shows the call was stamped late moves its start later: the PG's window
        // for it closes later too.
        answered: (networkMs) => {
          const lateMs = this.margin.answered(networkMs, marginMs);
          if (lateMs > 0 && Number.isFinite(start.at)) start.at += lateMs;
        },
        release: () => {
          if (released) return;
          released = true;
          if (!Number.isFinite(start.at)) start.at = this.now();
          this.open--;
          this.pump();
        },
      });
    }
  }
}
