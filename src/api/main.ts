/** `npm run api`: the HTTP API of the Temporal engine. */
import { ConfigError, runMain } from '../config/env';
import { listen, onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { PaymentStore } from '../intake/payment-store';
import { openMerchantDirectory } from '../merchants/directory';
import { createMetricsRoutes } from '../metrics/routes';
import { createTemporalMetricsSource } from '../metrics/temporal-source';
import { loadApiConfig } from '../temporal/config';
import { createTemporalEngine } from '../temporal/engine';
import { createApp } from './app';
import { healthChecksOf } from './health-checks';
import { openApiRoutes } from './openapi';

runMain(async () => {
  const config = loadApiConfig();
  const log = createLogger('api', config.logLevel);
  const merchants = openMerchantDirectory({ file: config.merchantsFile, log });
  // A merchant routed to a PG no lane serves would have its payments accepted and never charged.
  const pgNames = new Set(config.pgs.map((pg) => pg.name));
  const astray = merchants.list().find((m) => !pgNames.has(m.pg));
  if (astray)
    throw new ConfigError(
      `MERCHANTS_FILE ${config.merchantsFile}: merchant ${astray.id}'s pg ${astray.pg} is not one of the PGs (${[...pgNames].join(', ')}; PGS_FILE)`,
    );
  const engine = createTemporalEngine({ ...config, timeoutMs: config.temporalTimeoutMs, log });
  const metrics = createTemporalMetricsSource({
    temporal: config.temporal,
    pgs: config.pgs,
    store: config.intake === 'redis' ? PaymentStore.connect(config.store.redisUrl, config.store.prefix) : undefined,
    timeoutMs: config.temporalTimeoutMs,
  });
  const extend = (app: Parameters<typeof openApiRoutes>[0]) => {
    createMetricsRoutes(metrics, log)(app);
    openApiRoutes(app);
  };
  const health = healthChecksOf(config, engine);
  const running = await listen(
    createApp({ engine, log, merchants, extend, health: health.checks }),
    config.host,
    config.port,
    config.httpLimits,
  );
  log.info(
    { url: running.url, temporal: config.temporal.address, intake: config.intake },
    `payments API listening on ${running.url}`,
  );
  onShutdown(async () => {
    await running.close();
    await engine.close();
    merchants.close();
    await metrics.close?.();
    await health.close();
  });
});
