/** `npm run fake-pg`: the fake PG alone. */
import { getPriority, setPriority } from 'node:os';
import { runMain } from '../config/env';
import { listen, onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { loadFakePgConfig } from './config';
import { createFakePg } from './app';
import { warmUp } from './warm-up';

runMain(async () => {
  const config = loadFakePgConfig();
  const log = createLogger('fake-pg', config.logLevel);
  try {
    setPriority(config.nice);
  } catch {
    log.warn(
      { nice: config.nice, actual: getPriority() },
      'could not raise the PG process priority; on a busy machine its arrival times may lag',
    );
  }
  const { app } = createFakePg(config, log);
  const running = await listen(app, config.host, config.port);
  await warmUp(running.url);
  log.info(
    {
      url: running.url,
      limits: { concurrency: config.concurrency, ratePerSecond: config.ratePerSecond },
      latency: config.latency,
      arrivalJitter: config.arrivalJitter,
      failureRate: config.failureRate,
    },
    `fake PG listening on ${running.url} (stats: ${running.url}/v1/stats)`,
  );
  onShutdown(() => running.close());
});
