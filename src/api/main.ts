/** `npm run api`: the HTTP API of the Temporal engine. */
import { runMain } from '../config/env';
import { listen, onShutdown } from '../infra/http-server';
import { createLogger } from '../infra/logger';
import { loadApiConfig } from '../temporal/config';
import { createTemporalEngine } from '../temporal/engine';
import { createApp } from './app';

runMain(async () => {
  const config = loadApiConfig();
  const log = createLogger('api', config.logLevel);
  const engine = createTemporalEngine({ temporal: config.temporal, timeoutMs: config.temporalTimeoutMs, webUiUrl: config.webUiUrl });
  const running = await listen(createApp({ engine, log }), config.host, config.port);
  log.info({ url: running.url, temporal: config.temporal.address }, `payments API listening on ${running.url}`);
  onShutdown(async () => {
    await running.close();
    await engine.close();
  });
});
