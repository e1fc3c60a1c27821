/** `npm run worker`: one payment worker process. */
import { runMain } from '../config/env';
import { onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { loadWorkerConfig } from './config';
import { startPaymentWorker } from './worker';

runMain(async () => {
  const config = loadWorkerConfig();
  const log = createLogger('worker', config.logLevel);
  const running = await startPaymentWorker(config, log);
  onShutdown(() => running.stop());
  await running.done;
  log.info('worker stopped');
});
