/** The HTTP API of the BullMQ engine: the project's one contract over a BullMQ queue. */
import { createApp } from '../../src/api/app';
import { runMain } from '../../src/config/env';
import { listen, onShutdown } from '../../src/infra/http-server';
import { createLogger } from '../../src/infra/logger';
import { openMerchantDirectory } from '../../src/merchants/directory';
import { loadBullmqApiConfig } from './config';
import { createBullmqEngine } from './engine';

runMain(async () => {
  const config = loadBullmqApiConfig();
  const log = createLogger('bullmq-api', config.logLevel);
  const merchants = openMerchantDirectory({ file: config.merchantsFile, log });
  const engine = createBullmqEngine(config);
  const running = await listen(createApp({ engine, log, merchants }), config.host, config.port, config.httpLimits);
  log.info({ url: running.url }, `bullmq payments API listening on ${running.url}`);
  onShutdown(async () => {
    await running.close();
    await engine.close();
    merchants.close();
  });
});
