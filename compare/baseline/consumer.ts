/**
 * The consumer loop of the study document §3.2, shared by the queue modes.
 *
 * - `list`, as the study document wrote it: every poll interval, `tryAcquire` a permit, pop one message,
 *   process it, release. At most one message per poll; processing runs beside later polls (as
 *   with a thread-pool scheduler), so one consumer can still use every permit.
 * - `list-reliable` and `stream`: block up to a poll interval for a message, then wait for a
 *   permit, and go again at once, so a consumer is never the bottleneck.
 */
import type { Logger } from '../../src/infra/logger';
import type { PaymentObserver } from '../../src/metrics/payment-metrics';
import type { PgAdmission } from '../../src/pg-client/admission';
import type { PgClient } from '../../src/pg-client/pg-client';
import { chargeWithRetries } from './charge';
import type { ConsumerConfig } from './config';
import type { BaselineKeys } from './keys';
import { parseMessage } from './message';
import { type Permit, type PermitPool, acquireWithin } from './permits';
import type { BaselineRedis } from './redis';
import { resultFields } from './status-store';
import type { TakenMessage, WorkQueue } from './work-queue';

export interface ConsumerDeps {
  config: ConsumerConfig;
  redis: BaselineRedis;
  keys: BaselineKeys;
  queue: WorkQueue;
  permits: PermitPool;
  pg: PgClient;
  log: Logger;
  /** Hears each payment's queue wait and final status, for /metrics. */
  observer?: PaymentObserver;
  /** The fixed modes' admission step (config.rateLimit > 0). */
  admission?: PgAdmission;
}

const secondsSince = (from: string, to?: string) => ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Consumer {
  private stopping = false;
  private loop?: Promise<void>;
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly deps: ConsumerDeps) {}

  async start(): Promise<void> {
    await this.deps.queue.start();
    this.loop = this.run();
  }

  /** Stops taking messages, waits (bounded) for those in flight, stops background work. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.race([Promise.allSettled([...this.handling]), sleep(graceMs)]);
    await this.deps.queue.stop();
    this.deps.permits.close();
  }

  private async run(): Promise<void> {
    const { config, log } = this.deps;
    while (!this.stopping) {
      try {
        if (config.mode === 'list') await this.pollLikeTheStudy();
        else await this.takeThenAcquire();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'poll failed; retrying');
        await sleep(Math.max(config.pollMs, 500));
      }
    }
  }

  /** list: the study document's order — a permit first, then RPOP; at most one message per poll interval. */
  private async pollLikeTheStudy(): Promise<void> {
    const permit = await this.deps.permits.tryAcquire();
    if (permit) {
      let taken: TakenMessage | null = null;
      try {
        taken = await this.deps.queue.take();
      } finally {
        if (!taken) await permit.release();
      }
      if (taken) this.dispatch(taken, permit);
    }
    await sleep(this.deps.config.pollMs);
  }

  /**
   * list-reliable, stream: block for a message first (it is safe in this consumer's processing
   * list or pending entries), then wait for a permit. An idle consumer so holds no permit, and each
   * consumer holds at most one message that waits for one.
   */
  private async takeThenAcquire(): Promise<void> {
    const taken = await this.deps.queue.take();
    if (!taken) return;
    const permit = await acquireWithin(
      this.deps.permits,
      Number.POSITIVE_INFINITY,
      this.deps.config.pollMs,
      () => this.stopping,
    );
    // Stopping: the message stays where the design keeps it and comes back to a consumer.
    if (permit) this.dispatch(taken, permit);
  }

  private dispatch(taken: TakenMessage, permit: Permit): void {
    const handling = this.handle(taken, permit).finally(() => this.handling.delete(handling));
    this.handling.add(handling);
  }

  private async handle(taken: TakenMessage, permit: Permit): Promise<void> {
    const { config, redis, keys, queue, pg, log } = this.deps;
    const parsed = parseMessage(taken.raw);
    const requestId = parsed.ok ? parsed.payment.requestId : parsed.requestId;
    try {
      log.info({ requestId }, 'message taken');
      if (config.testPauseAfterTakeMs > 0) await sleep(config.testPauseAfterTakeMs);
      if (!parsed.ok) {
        await queue.reject(taken, requestId ? keys.status(requestId) : undefined, parsed.reason);
        return;
      }
      const { payment } = parsed;
      const statusKey = keys.status(payment.requestId);
      const fresh = await redis.markProcessing(
        statusKey,
        payment.requestId,
        payment.enqueuedAt,
        payment.fingerprint,
        new Date().toISOString(),
      );
      if (fresh !== 1) {
        // Delivered again after its result was stored: acknowledge, charge nothing.
        await queue.complete(taken, statusKey, []);
        return;
      }
      const result = await chargeWithRetries(payment, permit, {
        pg,
        policy: config.retry,
        admission: this.deps.admission,
        reacquire: () => acquireWithin(this.deps.permits, Number.POSITIVE_INFINITY, config.pollMs),
        onAttempt: async (attempt) => {
          if (attempt === 1) this.deps.observer?.queueWait(secondsSince(payment.enqueuedAt));
          await redis.hset(statusKey, 'attempts', String(attempt));
        },
      });
      await queue.complete(taken, statusKey, resultFields(result));
      this.deps.observer?.final(result.status, secondsSince(payment.enqueuedAt, result.completedAt));
      log.info(
        { requestId, status: result.status, attempts: result.attempts, error: result.error },
        'payment completed',
      );
    } catch (err) {
      log.error(
        { requestId, err: (err as Error).message },
        'processing failed; the message stays where the design keeps it',
      );
    } finally {
      await permit.release().catch(() => undefined);
    }
  }
}
