/** A Temporal stack with N workers sharing one PG admission step in a private Redis, for the scale tests. */
import { randomUUID } from 'node:crypto';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';

export interface ScaleStack {
  stack: TemporalStack;
  redis: RunningRedis;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * The PG's rate limit and the task queue's are set high so the runs test the concurrency limit
 * alone and stay short; the PG latency is the caller's.
 */
export async function startScaleStack(options: {
  workers: number;
  pgLatencyMs: string;
  leaseMs: number;
}): Promise<ScaleStack> {
  const redis = await startRedis();
  const prefix = `pg:permits:${randomUUID().slice(0, 8)}:`;
  try {
    const stack = await startTemporalStack({
      workers: options.workers,
      redis, // the payment store and the shared admission step on one Redis
      pgEnv: { PG_LATENCY_MS: options.pgLatencyMs, PG_MAX_CONCURRENCY: '10', PG_RATE_LIMIT: '1000' },
      // The API starts payments at the PG's pace (src/intake/start-pace.ts): it knows the PG's
      // limits as the workers do, or it would start them at the default 10 a second.
      apiEnv: { PG_MAX_CONCURRENCY: '10', PG_RATE_LIMIT: '1000' },
      workerEnv: {
        PG_ADMISSION: 'redis',
        PG_ADMISSION_PREFIX: prefix,
        PG_ADMISSION_LEASE_MS: String(options.leaseMs),
        PG_MAX_CONCURRENCY: '10',
        PG_RATE_LIMIT: '1000',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '10',
        TASK_QUEUE_ACTIVITIES_PER_SECOND: '1000',
      },
    });
    return { stack, redis, prefix, stop: async () => void (await stack.stop(), await redis.stop()) };
  } catch (err) {
    await redis.stop();
    throw err;
  }
}
