/** A baseline consumer process: `BASELINE_MODE` picks its queue and its semaphore. */
import { runMain } from '../../src/config/env';
import { onShutdown } from '../../src/infra/http-server';
import { createLogger } from '../../src/infra/logger';
import { createRedisObserver } from '../../src/metrics/redis-observations';
import { createPgClient } from '../../src/pg-client/pg-client';
import { RedisPgAdmission } from '../../src/pg-client/redis-admission';
import { type ConsumerConfig, loadConsumerConfig } from './config';
import { Consumer } from './consumer';
import { type BaselineKeys, baselineKeys } from './keys';
import { ListQueue } from './list-queue';
import { createPermitPool } from './permit-pool';
import { type BaselineRedis, connectRedis, whenReady } from './redis';
import { ReliableListQueue } from './reliable-list-queue';
import { StreamQueue } from './stream-queue';
import type { WorkQueue } from './work-queue';

function createQueue(
  config: ConsumerConfig,
  redis: BaselineRedis,
  keys: BaselineKeys,
  log: ReturnType<typeof createLogger>,
): { queue: WorkQueue; blocking?: BaselineRedis } {
  const { consumerId, pollMs, heartbeatMs } = config;
  switch (config.mode) {
    case 'list':
      return { queue: new ListQueue(redis, keys) };
    case 'list-reliable': {
      const blocking = connectRedis(config.redisUrl, { blocking: true });
      return {
        blocking,
        queue: new ReliableListQueue(
          redis,
          blocking,
          keys,
          { consumerId, pollMs, heartbeatMs, heartbeatTtlMs: config.heartbeatTtlMs },
          log,
        ),
      };
    }
    case 'stream': {
      const blocking = connectRedis(config.redisUrl, { blocking: true });
      return {
        blocking,
        queue: new StreamQueue(
          redis,
          blocking,
          keys,
          { consumerId, pollMs, heartbeatMs, claimIdleMs: config.claimIdleMs, maxDeliveries: config.maxDeliveries },
          log,
        ),
      };
    }
    default:
      throw new Error(`BASELINE_MODE=${config.mode} has no consumers: the API charges inside the request`);
  }
}

runMain(async () => {
  const config = loadConsumerConfig();
  const log = createLogger('baseline-consumer', config.logLevel).child({ consumer: config.consumerId });
  const redis = connectRedis(config.redisUrl);
  await whenReady(redis, 10_000);
  const keys = baselineKeys(config.keyPrefix);
  const { queue, blocking } = createQueue(config, redis, keys, log);
  if (blocking) await whenReady(blocking, 10_000);
  const permits = await createPermitPool({
    mode: config.mode,
    redis,
    keys,
    permits: config.permits,
    leaseMs: config.leaseMs,
    holderId: config.consumerId,
    log,
  });
  const pg = createPgClient({ baseUrl: config.pgUrl, connections: config.permits });
  const observer = createRedisObserver(redis, keys.metrics, (err) =>
    log.debug({ err: err.message }, 'metrics not recorded'),
  );
  // The fixed modes also keep the PG's rate, with the same Redis admission step the Temporal engine's workers
  // share (src/pg-client/redis-admission.ts): a semaphore alone lets 429 retries fill the PG's window.
  const admission =
    config.rateLimit > 0
      ? new RedisPgAdmission({
          url: config.redisUrl,
          prefix: keys.pgGate,
          concurrency: config.permits,
          ratePerSecond: config.rateLimit,
          marginMs: config.rateMarginMs,
          leaseMs: config.leaseMs,
        })
      : undefined;
  await admission?.ready(10_000);
  const consumer = new Consumer({ config, redis, keys, queue, permits, pg, log, observer, admission });
  await consumer.start();
  log.info(
    { mode: config.mode, permits: config.permits, pollMs: config.pollMs, rateLimit: config.rateLimit || 'none' },
    `consumer ready (mode ${config.mode})`,
  );
  onShutdown(async () => {
    await consumer.stop();
    await admission?.close();
    await pg.close();
    blocking?.disconnect();
    await redis.quit().catch(() => redis.disconnect());
  });
});
