/** `npm run worker`: one payment worker process. */
import { runMain } from '../config/env';
import { onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { installSdkMetrics } from '../metrics/sdk-metrics';
import { loadWorkerConfig } from './config';
import { startPaymentWorker } from './worker';

runMain(async () => {
  const config = loadWorkerConfig();
  const log = createLogger('worker', config.logLevel);
  if (config.metrics.sdkPort) {
    // Before the worker connects: the SDK's runtime is installed once per process.
    log.info(
      { url: installSdkMetrics(config.metrics.host, config.metrics.sdkPort) },
      'Temporal SDK metrics exporter on',
    );
  }
  const running = await startPaymentWorker(config, log);
  onShutdown(() => running.stop());
  await running.done;
  log.info('worker stopped');
});
