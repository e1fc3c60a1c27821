/**
 * The BullMQ engine behind the HTTP API: one job per payment, its `jobId` the request id (BullMQ
 * never adds a second job under an id it holds), its status read from the job. Every Redis call has
 * a deadline; past it, or with Redis gone, the API answers 503.
 */
import { randomUUID } from 'node:crypto';
import { type Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { PaymentEngine, SubmitResult } from '../../src/api/engine';
import { EngineUnavailable, IdempotencyKeyReused } from '../../src/api/errors';
import type { PaymentStatus, PaymentStatusView, QueuedPaymentRequest } from '../../src/contract/payment';
import {
  BULLMQ_QUEUE_NAME,
  CHARGE_JOB_NAME,
  type BullmqApiConfig,
  type ChargeJobData,
  type ChargeJobResult,
} from './config';

const withDeadline = <T>(ms: number, work: Promise<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EngineUnavailable('redis did not answer in time')), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const STATUS_OF_STATE: Record<string, PaymentStatus> = {
  waiting: 'PENDING',
  prioritized: 'PENDING',
  'waiting-children': 'PENDING',
  delayed: 'PENDING',
  active: 'PROCESSING',
  completed: 'SUCCESS',
  failed: 'FAILED',
};

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

/** The status view of a job, from BullMQ's own fields. */
export function viewOfJob(job: Job<ChargeJobData, ChargeJobResult>, state: string): PaymentStatusView {
  // A job waiting out a retry backoff ('delayed'), or back in line after a 429 ('waiting'), after
  // at least one attempt: that is PROCESSING.
  const between = (state === 'delayed' || state === 'waiting') && job.attemptsMade > 0;
  const status = between ? 'PROCESSING' : (STATUS_OF_STATE[state] ?? 'PENDING');
  const view: PaymentStatusView = {
    requestId: job.data.requestId,
    merchantId: job.data.merchantId,
    status,
    // attemptsMade, not attemptsStarted: a 429 puts the job back without using up an attempt
    // (RateLimitError), so it must not count as one here either.
    attempts:
      status === 'SUCCESS'
        ? (job.returnvalue?.attempt ?? job.attemptsMade + 1)
        : job.attemptsMade + (state === 'active' ? 1 : 0),
    acceptedAt: job.data.enqueuedAt,
    startedAt: iso(job.processedOn),
  };
  if (status === 'SUCCESS') {
    view.transactionId = job.returnvalue?.transactionId;
    view.completedAt = iso(job.finishedOn);
  }
  if (status === 'FAILED') {
    view.error = job.failedReason || 'processing_failed';
    view.completedAt = iso(job.finishedOn);
  }
  return view;
}

export function createBullmqEngine(config: BullmqApiConfig): PaymentEngine {
  // A producer fails fast while Redis is away (BullMQ's advice for queues that face users):
  // no offline queue, so the API answers 503 instead of holding the request.
  const connection = new IORedis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.timeoutMs,
  });
  connection.on('error', () => undefined);
  const queue = new Queue<ChargeJobData, ChargeJobResult>(BULLMQ_QUEUE_NAME, { connection, prefix: config.prefix });
  queue.on('error', () => undefined);
  const call = <T>(work: () => Promise<T>): Promise<T> =>
    withDeadline(config.timeoutMs, work()).catch((err: unknown) => {
      if (err instanceof EngineUnavailable || err instanceof IdempotencyKeyReused) throw err;
      throw new EngineUnavailable('redis is unreachable');
    });

  return {
    async submit(payment: QueuedPaymentRequest & { fingerprint: string }): Promise<SubmitResult> {
      const data: ChargeJobData = { ...payment, submissionId: randomUUID() };
      return call(async () => {
        await queue.add(CHARGE_JOB_NAME, data, {
          jobId: payment.requestId,
          attempts: config.attempts,
          backoff: { type: 'exponential', delay: config.backoffMs },
        });
        // With an id it already holds, BullMQ keeps the first job: read back whose data is stored.
        const stored = await queue.getJob(payment.requestId);
        if (!stored) throw new EngineUnavailable('the job vanished after it was added');
        if (stored.data.fingerprint !== payment.fingerprint) throw new IdempotencyKeyReused();
        return { requestId: payment.requestId, created: stored.data.submissionId === data.submissionId };
      });
    },

    async status(requestId: string): Promise<PaymentStatusView | null> {
      return call(async () => {
        // State first, fields second: BullMQ moves a job to completed and writes its return value
        // in one script, so a job read after 'completed' has its transaction id. Read the other
        // way round, a job finishing in between reads SUCCESS with no transaction id.
        const state = await queue.getJobState(requestId);
        const job = await queue.getJob(requestId);
        if (!job) return null;
        return viewOfJob(job, state === 'unknown' ? await job.getState() : state);
      });
    },

    async healthy(): Promise<boolean> {
      return call(() => connection.ping()).then(
        () => true,
        () => false,
      );
    },

    async close(): Promise<void> {
      await queue.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}
