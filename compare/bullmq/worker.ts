/**
 * The BullMQ worker, configured the way BullMQ's documentation recommends for a rate-limited API:
 * the worker's `limiter: {max: R, duration: 1000}` (shared by every worker of the queue), the
 * queue's global concurrency C, `attempts` + exponential `backoff` for retries, a decline thrown as
 * `UnrecoverableError`, and a 429 handed back through `worker.rateLimit()` + `RateLimitError`.
 * No admission step of our own: this engine measures what BullMQ's own settings do.
 */
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { Logger } from '../../src/infra/logger';
import { createPgClient } from '../../src/pg-client/pg-client';
import { PAYMENT_ERRORS } from '../../src/contract/payment';
import { BULLMQ_QUEUE_NAME, type BullmqWorkerConfig, type ChargeJobData, type ChargeJobResult } from './config';

export interface RunningBullmqWorker {
  worker: Worker<ChargeJobData, ChargeJobResult>;
  stop(): Promise<void>;
}

export async function startBullmqWorker(config: BullmqWorkerConfig, log: Logger): Promise<RunningBullmqWorker> {
  // Workers must keep retrying Redis forever (BullMQ requires maxRetriesPerRequest: null).
  const connection = new IORedis(config.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const pg = createPgClient({ baseUrl: config.pg.url, connections: config.pg.concurrency });
  await pg.warmUp();

  const queue = new Queue(BULLMQ_QUEUE_NAME, { connection, prefix: config.prefix });
  // Global for the queue: at most C jobs active across every worker.
  await queue.setGlobalConcurrency(config.pg.concurrency);

  const processor = async (job: Job<ChargeJobData, ChargeJobResult>): Promise<ChargeJobResult> => {
    const outcome = await pg.charge({ idempotencyKey: job.data.requestId, request: job.data.request });
    switch (outcome.kind) {
      case 'approved':
        return { transactionId: outcome.transactionId, attempt: job.attemptsMade + 1, replayed: outcome.replayed };
      case 'declined':
        throw new UnrecoverableError(outcome.code);
      case 'rejected':
        throw new UnrecoverableError(PAYMENT_ERRORS.pgRejected);
      case 'rate_limited':
        // BullMQ's manual rate limit: pause the queue for Retry-After; the job goes back to wait
        // without using up an attempt.
        await worker.rateLimit(outcome.retryAfterMs);
        throw Worker.RateLimitError();
      case 'transient':
        throw new Error('pg_unavailable');
    }
  };

  const worker = new Worker<ChargeJobData, ChargeJobResult>(BULLMQ_QUEUE_NAME, processor, {
    connection,
    prefix: config.prefix,
    concurrency: config.pg.concurrency,
    limiter: { max: config.pg.ratePerSecond, duration: 1000 },
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  await worker.waitUntilReady();
  log.info(
    {
      queue: BULLMQ_QUEUE_NAME,
      concurrency: config.pg.concurrency,
      globalConcurrency: config.pg.concurrency,
      limiter: { max: config.pg.ratePerSecond, duration: 1000 },
    },
    `bullmq worker ready on queue "${BULLMQ_QUEUE_NAME}"`,
  );

  return {
    worker,
    stop: async () => {
      await worker.close();
      await queue.close();
      await pg.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}
