/** `npm run worker`: one payment worker process. */
import { runMain } from '../config/env';
import { onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { installTemporalRuntime } from '../infra/temporal-runtime';
import { registerSearchAttributes } from '../infra/temporal-search-attributes';
import { loadWorkerConfig } from './config';
import { startPaymentWorker } from './worker';

runMain(async () => {
  const config = loadWorkerConfig();
  const log = createLogger('worker', config.logLevel);
  // Before the worker connects: the SDK's runtime is installed once per process.
  const sdkMetrics = config.metrics.sdkPort ? { host: config.metrics.host, port: config.metrics.sdkPort } : undefined;
  const sdkMetricsUrl = installTemporalRuntime(log, sdkMetrics);
  if (sdkMetricsUrl) log.info({ url: sdkMetricsUrl }, 'Temporal SDK metrics exporter on');
  // Any server, a Docker one included, learns the payment's search attributes (MerchantId, …).
  await registerSearchAttributes(config.temporal.address, config.temporal.namespace).catch((err: unknown) =>
    log.warn({ reason: (err as Error).message }, 'search attributes not registered'),
  );
  const running = await startPaymentWorker(config, log);
  onShutdown(() => running.stop());
  await running.done;
  log.info('worker stopped');
});
