/** `npm run fake-pg`: the fake PG alone. */
import { runMain } from '../config/env';
import { listen, onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { loadFakePgConfig } from './config';
import { createFakePg } from './app';
import { raisePriority } from './priority';

runMain(async () => {
  const config = loadFakePgConfig();
  const log = createLogger('fake-pg', config.logLevel);
  const priority = raisePriority(config);
  const { app } = createFakePg(config);
  const running = await listen(app, config.host, config.port);
  log.info(
    { url: running.url, limits: { concurrency: config.concurrency, ratePerSecond: config.ratePerSecond }, latency: config.latency, failureRate: config.failureRate, priority },
    `fake PG listening on ${running.url} (stats: ${running.url}/v1/stats)`,
  );
  onShutdown(() => running.close());
});
