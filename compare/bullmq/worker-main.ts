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
  onShutdown(() => running.stop());
});
