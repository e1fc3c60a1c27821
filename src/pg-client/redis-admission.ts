/**
 * The PG admission step shared by every worker process: the same two limits as LocalPgAdmission
 * (concurrency, and starts per sliding second plus a margin), kept in Redis by the Lua scripts in
 * ./lua, timed by Redis's own clock.
 *
 * A permit is a lease with an expiry that its holder renews while the call runs. A worker killed
 * with SIGKILL stops renewing, so its slots come back at most `leaseMs` after its last renewal: the
 * study document's semaphore leaked them for good. Only the holder knows a lease's id, so only it releases it.
 *
 * Waiters are woken by a pub/sub message on every release, and otherwise at the time the refusal
 * said a limit frees up (an expiring start or lease), so the PG does not idle while calls wait.
 * Inside a process waiters are served in turns by merchant, the earliest accepted first
 * (nextInLine); only the head competes in Redis.
 *
 * The margin is learnt from the PG's 429s as in LocalPgAdmission (./margin.ts says how), but once
 * for all workers: the lesson lives in Redis beside the leases and starts, so a refusal one worker
 * hears widens every worker's window at its next grant. Each worker also keeps its grants' margin
 * above the network spread it measures itself (./network-spread.ts), passed as the script's floor.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Redis from 'ioredis';
import { StrideShares } from '../infra/stride-shares';
import { defineLuaCommands } from '../infra/lua-scripts';
import { DEFAULT_MARGIN_LEARNING, type MarginLearning, lateStartMs, lessonKeptMs, measuredFloorMs } from './margin';
import { NetworkSpread } from './network-spread';
import {
  type AdmissionLimits,
  type PgPermit,
  type PgAdmission,
  type Waiter,
  type Fairness,
  nextInLine,
  waitInLine,
} from './admission';

const LUA_DIR = path.join(__dirname, 'lua');
/** Longest sleep between two tries: pub/sub is at-most-once, so never rely on it alone. */
const MAX_POLL_MS = 500;
const RETRY_AFTER_ERROR_MS = 250;

/** The scripts of ./lua, as commands (src/infra/lua-scripts.ts). */
interface Scripts {
  acquire(
    leases: string,
    starts: string,
    margin: string,
    id: string,
    concurrency: number,
    rate: number,
    floorMs: number,
    ttlMs: number,
    capMs: number,
    holdMs: number,
    shrinkEveryMs: number,
    shrinkFactor: number,
    headroom: number,
    forgetMs: number,
  ): Promise<[number, string | number, string]>;
  renew(leases: string, ttlMs: number, ...ids: string[]): Promise<string[]>;
  release(leases: string, starts: string, id: string, channel: string): Promise<number>;
  sent(starts: string, id: string, channel: string): Promise<number>;
  late(starts: string, id: string, lateMs: number): Promise<number>;
  refused(
    margin: string,
    grantedAt: string,
    marginMs: string,
    floorMs: number,
    capMs: number,
    widenByMs: number,
    keepMs: number,
  ): Promise<[number, string | number]>;
}
type ScriptedRedis = Redis & Scripts;

export interface RedisAdmissionOptions extends AdmissionLimits {
  url: string;
  /** Key prefix: workers that share one PG share one prefix. */
  prefix: string;
  /** A lease not renewed for this long is free again: the bound on a dead worker's slots. */
  leaseMs: number;
  /** Told when a lease was lost (renewals failed for `leaseMs`); the call may exceed the limit. */
  onLeaseLost?: (count: number) => void;
  /** Told once per outage when Redis errors; the step keeps retrying. */
  onRedisError?: (err: Error) => void;
}

function connect(url: string, onError: (err: Error) => void = () => undefined): Redis {
  // Commands wait for a reconnect rather than fail at once: a Redis blip delays calls, not fails them.
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    connectTimeout: 2000,
    retryStrategy: (n) => Math.min(n * 100, 1000),
  });
  redis.on('error', onError);
  return redis;
}

export class RedisPgAdmission implements PgAdmission {
  private readonly redis: ScriptedRedis;
  private readonly subscriber: Redis;
  private readonly keys: { leases: string; starts: string; margin: string; channel: string };
  private readonly learning: MarginLearning;
  /** This worker's measure of the network (./network-spread.ts): its grants use at least that margin. */
  private readonly network = new NetworkSpread();
  /** The margin of the last grant or widening, for usage(): the truth is in Redis. */
  private marginMs: number;
  /** Lease ids start with the pid: an operator (or a test) can tell whose slots they are. */
  private readonly owner = `${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly held = new Set<string>();
  private readonly waiters: Waiter[] = [];
  /** This worker's waiting calls take turns by merchant; across workers, the server's order holds. */
  private readonly turns = new StrideShares();
  private readonly renewTimer: NodeJS.Timeout;
  /** Until this resolves a release can go unheard (waiters then fall back to polling). */
  private readonly subscribed: Promise<unknown>;
  private sequence = 0;
  private pumping = false;
  private wake: (() => void) | undefined;
  /** Release messages seen; a message that lands while a try is in flight must not be lost. */
  private releases = 0;
  private closed = false;
  private failing = false;
  private lastConnectionError: Error | undefined;

  constructor(private readonly options: RedisAdmissionOptions) {
    this.keys = {
      leases: `${options.prefix}leases`,
      starts: `${options.prefix}starts`,
      margin: `${options.prefix}margin`,
      channel: `${options.prefix}released`,
    };
    this.learning = { ...DEFAULT_MARGIN_LEARNING, ...options.learning, floorMs: options.marginMs };
    this.marginMs = options.marginMs;
    this.redis = defineLuaCommands<Scripts>(
      connect(options.url, (err) => (this.lastConnectionError = err)),
      LUA_DIR,
    );
    this.subscriber = connect(options.url);
    this.subscriber.on('message', () => {
      this.releases++;
      this.wake?.();
    });
    this.subscribed = this.subscriber.subscribe(this.keys.channel).catch(() => undefined);
    // Three renewals per lease period: one lost or late renewal does not lose the lease.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(options.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Resolves when Redis answers and the release channel is subscribed; rejects naming the URL. */
  async ready(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)),
    );
    try {
      await Promise.race([Promise.all([this.redis.ping(), this.subscribed]), timeout]);
    } catch (err) {
      const cause = this.lastConnectionError?.message ?? (err as Error).message;
      throw new Error(
        `Redis at ${this.options.url} does not answer (${cause}); the shared PG admission step (PG_ADMISSION=redis) needs it: start redis-server or set REDIS_URL`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  usage() {
    // This process's share; the API sums the workers' figures into the global one.
    return {
      used: this.held.size,
      limit: this.options.concurrency,
      marginMs: this.marginMs,
      readable: this.redis.status === 'ready' && !this.failing,
    };
  }

  acquire(signal?: AbortSignal, fairness?: Fairness): Promise<PgPermit> {
    if (this.closed) return Promise.reject(new Error('PG admission closed'));
    return waitInLine(this.waiters, signal, () => void this.pump(), fairness);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.renewTimer);
    this.wake?.();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('PG admission closed'));
    if (this.redis.status === 'ready') {
      await Promise.allSettled(
        [...this.held].map((id) => this.redis.release(this.keys.leases, this.keys.starts, id, this.keys.channel)),
      );
    }
    this.held.clear();
    this.subscriber.disconnect();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /** One loop per process: tries for the head waiter until the queue is empty. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0 && !this.closed) {
        const id = `${this.owner}:${++this.sequence}`;
        const { concurrency, ratePerSecond, leaseMs } = this.options;
        const l = this.learning;
        const releasesBefore = this.releases;
        let answer: [number, string | number, string];
        try {
          answer = await this.redis.acquire(
            this.keys.leases,
            this.keys.starts,
            this.keys.margin,
            id,
            concurrency,
            ratePerSecond,
            measuredFloorMs(l, this.network),
            leaseMs,
            l.capMs,
            l.holdMs,
            l.shrinkEveryMs,
            l.shrinkFactor,
            l.headroom,
            l.forgetMs,
          );
          this.failing = false;
        } catch (err) {
          if (!this.failing) this.options.onRedisError?.(err as Error);
          this.failing = true;
          await this.sleep(RETRY_AFTER_ERROR_MS);
          continue;
        }
        const [granted, value, marginMs] = answer;
        this.marginMs = Number(marginMs);
        if (granted !== 1) {
          if (this.releases === releasesBefore) await this.sleep(Math.min(Number(value), MAX_POLL_MS));
          continue;
        }
        this.held.add(id);
        const waiter = nextInLine(this.waiters, this.turns);
        if (!waiter) {
          // The waiter gave up while the script ran: hand the slot straight back.
          this.releaseLease(id);
          continue;
        }
        waiter.resolve(this.permit(id, String(value), marginMs));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A permit for lease `id`, granted at `grantedAt` (Redis ms) under `marginMs`. */
  private permit(id: string, grantedAt: string, marginMs: string): PgPermit {
    let released = false;
    return {
      // Called right after the request is written: Redis stamps the start with its own clock on
      // arrival, which is at or after the real send; until then the call cannot leave the window.
      // Same connection as release, so it lands first.
      sent: () => {
        if (released) return;
        this.redis.sent(this.keys.starts, id, this.keys.channel).catch(() => undefined);
      },
      // Same connection as release, so the lesson is in Redis before the slot is free again.
      refused: () => {
        if (released) return;
        const l = this.learning;
        this.redis
          .refused(this.keys.margin, grantedAt, marginMs, l.floorMs, l.capMs, l.widenByMs, lessonKeptMs(l))
          .then(([widened, margin]) => {
            if (widened === 1) this.marginMs = Number(margin);
          })
          .catch(() => undefined);
      },
      // A call its answer shows was stamped late counts as starting later, for every worker.
      answered: (networkMs) => {
        const lateMs = lateStartMs(this.network, networkMs, Number(marginMs), this.learning.capMs);
        if (lateMs > 0) this.redis.late(this.keys.starts, id, lateMs).catch(() => undefined);
      },
      release: () => {
        if (released) return;
        released = true;
        this.releaseLease(id);
      },
    };
  }

  private releaseLease(id: string): void {
    this.held.delete(id);
    // If this fails the lease simply expires after leaseMs.
    this.redis.release(this.keys.leases, this.keys.starts, id, this.keys.channel).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0 || this.closed) return;
    try {
      const lost = await this.redis.renew(this.keys.leases, this.options.leaseMs, ...this.held);
      for (const id of lost) this.held.delete(id);
      if (lost.length > 0) this.options.onLeaseLost?.(lost.length);
    } catch (err) {
      if (!this.failing) this.options.onRedisError?.(err as Error);
    }
  }

  /** Sleeps until `ms` pass or a release is published, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
