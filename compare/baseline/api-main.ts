/**
 * The baseline's HTTP API (the study document's Phase 2-A producer, or the §1 semaphore-only service),
 * serving the shared contract through `createApp`. `BASELINE_MODE` picks the design.
 */
import { hostname } from 'node:os';
import type express from 'express';
import { createApp } from '../../src/api/app';
import type { PaymentEngine } from '../../src/api/engine';
import { runMain } from '../../src/config/env';
import { listen, onShutdown } from '../../src/infra/http-server';
import { createLogger } from '../../src/infra/logger';
import { openMerchantDirectory } from '../../src/merchants/directory';
import { openApiRoutes } from '../../src/api/openapi';
import { createRedisObserver } from '../../src/metrics/redis-observations';
import { createMetricsRoutes } from '../../src/metrics/routes';
import { createPgClient } from '../../src/pg-client/pg-client';
import { type BaselineApiConfig, loadApiConfig } from './config';
import { createInlineEngine } from './inline-engine';
import { createBaselineMetricsSource } from './metrics-source';
import { baselineKeys } from './keys';
import { createPermitPool } from './permit-pool';
import { createQueueEngine } from './queue-engine';
import { connectRedis, whenReady } from './redis';

/** Routes other parts of the project mount on the baseline API (metrics, OpenAPI). */
export type ExtendApp = (app: express.Express) => void;

async function createEngine(config: BaselineApiConfig, log: ReturnType<typeof createLogger>): Promise<PaymentEngine> {
  const redis = connectRedis(config.redisUrl, { commandTimeoutMs: config.redisTimeoutMs });
  const keys = baselineKeys(config.keyPrefix);
  // Commands before the connection is ready would fail (no offline queue): wait a little for it.
  const ready = await whenReady(redis, 10_000).then(
    () => true,
    () => false,
  );
  if (!ready) log.warn({ redis: config.redisUrl }, 'redis is not reachable yet; answering 503 until it is');
  if (config.mode !== 'semaphore-only')
    return createQueueEngine({ redis, keys, target: config.mode === 'stream' ? 'stream' : 'list' });
  // semaphore-only sets up its permits in Redis at start.
  if (!ready) throw new Error(`no Redis at ${config.redisUrl}`);
  const permits = await createPermitPool({
    mode: config.mode,
    redis,
    keys,
    permits: config.permits,
    leaseMs: config.leaseMs,
    holderId: `api-${hostname()}-${process.pid}`,
    log,
  });
  const pg = createPgClient({ baseUrl: config.pgUrl, connections: config.permits });
  const observer = createRedisObserver(redis, keys.metrics, (err) =>
    log.debug({ err: err.message }, 'metrics not recorded'),
  );
  return createInlineEngine({
    redis,
    keys,
    permits,
    pg,
    retry: config.retry,
    permitWaitMs: config.permitWaitMs,
    observer,
  });
}

export async function main(extend?: ExtendApp): Promise<void> {
  const config = loadApiConfig();
  const log = createLogger('baseline-api', config.logLevel);
  const merchants = openMerchantDirectory({ file: config.merchantsFile, log });
  const engine = await createEngine(config, log);
  // /metrics reads every figure from Redis, on a connection of its own.
  const metricsRedis = connectRedis(config.redisUrl);
  const metrics = createBaselineMetricsSource({
    redis: metricsRedis,
    keys: baselineKeys(config.keyPrefix),
    mode: config.mode,
    permits: config.permits,
  });
  const routes: ExtendApp = (app) => {
    createMetricsRoutes(metrics, log)(app);
    openApiRoutes(app);
    extend?.(app);
  };
  const running = await listen(
    createApp({ engine, log, merchants, extend: routes }),
    config.host,
    config.port,
    config.httpLimits,
  );
  log.info({ url: running.url, mode: config.mode }, `baseline API listening on ${running.url} (mode ${config.mode})`);
  onShutdown(async () => {
    await running.close();
    await engine.close();
    merchants.close();
    await metricsRedis.quit().catch(() => metricsRedis.disconnect());
  });
}

if (require.main === module) runMain(() => main());
