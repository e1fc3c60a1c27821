/** One BullMQ worker process. */
import { runMain } from '../../src/config/env';
import { onShutdown } from '../../src/infra/http-server';
import { createLogger } from '../../src/infra/logger';
import { loadBullmqWorkerConfig } from './config';
import { startBullmqWorker } from './worker';

runMain(async () => {
  const config = loadBullmqWorkerConfig();
  const log = createLogger('bullmq-worker', config.logLevel);
  const running = await startBullmqWorker(config, log);
  // Bounded: a stop that hangs on Redis must not keep the process alive past its supervisor's grace.
  onShutdown(() => Promise.race([running.stop(), new Promise<void>((resolve) => setTimeout(resolve, 4000).unref())]));
});
