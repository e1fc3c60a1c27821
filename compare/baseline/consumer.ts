/**
 * The consumer loop of seed §3.2, shared by the queue modes.
 *
 * - `list`, as the seed wrote it: every poll interval, `tryAcquire` a permit, pop one message,
 *   process it, release. At most one message per poll; processing runs beside later polls (as
 *   with a thread-pool scheduler), so one consumer can still use every permit.
 * - `list-reliable` and `stream`: take a permit, then block up to a poll interval for a message,
 *   and go again at once when one came, so a consumer is never the bottleneck.
 */
import type { Logger } from '../../src/infra/logger';
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
}

type PollResult = 'no-permit' | 'empty' | 'taken';

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
    const seedPace = config.mode === 'list';
    while (!this.stopping) {
      let polled: PollResult;
      try {
        polled = await this.pollOnce();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'poll failed; retrying');
        await sleep(Math.max(config.pollMs, 500));
        continue;
      }
      // The seed's fixed delay; the fixed modes wait only for a permit (an empty take() already blocked).
      if (seedPace || polled === 'no-permit') await sleep(config.pollMs);
    }
  }

  /** One poll: a permit, then a message. */
  private async pollOnce(): Promise<PollResult> {
    const permit = await this.deps.permits.tryAcquire();
    if (!permit) return 'no-permit';
    let taken: TakenMessage | null = null;
    try {
      taken = await this.deps.queue.take();
    } finally {
      if (!taken) await permit.release();
    }
    if (!taken) return 'empty';
    const handling = this.handle(taken, permit).finally(() => this.handling.delete(handling));
    this.handling.add(handling);
    return 'taken';
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
      const fresh = await redis.markProcessing(statusKey, payment.requestId, payment.enqueuedAt, payment.fingerprint, new Date().toISOString());
      if (fresh !== 1) {
        // Delivered again after its result was stored: acknowledge, charge nothing.
        await queue.complete(taken, statusKey, []);
        return;
      }
      const result = await chargeWithRetries(payment, permit, {
        pg,
        policy: config.retry,
        reacquire: () => acquireWithin(this.deps.permits, Number.POSITIVE_INFINITY, config.pollMs),
        onAttempt: async (attempt) => void (await redis.hset(statusKey, 'attempts', String(attempt))),
      });
      await queue.complete(taken, statusKey, resultFields(result));
      log.info({ requestId, status: result.status, attempts: result.attempts, error: result.error }, 'payment completed');
    } catch (err) {
      log.error({ requestId, err: (err as Error).message }, 'processing failed; the message stays where the design keeps it');
    } finally {
      await permit.release().catch(() => undefined);
    }
  }
}
