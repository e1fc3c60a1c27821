/**
 * The fake PG (docs/design.md §5): an HTTP server that charges payments under an idempotency key, refuses
 * with 429 whatever breaks its concurrency or rate limit, and keeps the score that tests and the
 * benchmark trust.
 */
import express from 'express';
import type { Logger } from '../infra/logger';
import { ChargeDesk } from './charge-desk';
import type { FakePgConfig, LatencyRange } from './config';
import { jsonErrors, notFound, sendError } from './errors';
import { Outage, readOutageSeconds } from './outage';
import { type PgStats, Scoreboard } from './scoreboard';

/** The score (PgStats), whether the PG is down (ISO end of the outage, or null) and what its network path is set to. */
export interface FakePgStats extends PgStats {
  outageUntil: string | null;
  network: { arrivalJitterMs: LatencyRange };
}

export interface FakePg {
  app: express.Express;
  scoreboard: Scoreboard;
}

export function createFakePg(config: FakePgConfig, log?: Logger): FakePg {
  const scoreboard = new Scoreboard({ concurrency: config.concurrency, ratePerSecond: config.ratePerSecond });
  const outage = new Outage();
  const desk = new ChargeDesk(config, scoreboard, outage);

  const app = express();
  app.disable('x-powered-by');
  app.post('/v1/payments', desk.stampOnArrival, express.json({ limit: '16kb' }), desk.handleCharge);

  const stats = (): FakePgStats => ({
    ...scoreboard.stats(),
    outageUntil: outage.untilIso(),
    network: { arrivalJitterMs: config.arrivalJitter },
  });

  app.get('/v1/stats', (_req, res) => {
    res.json(stats());
  });

  app.get('/v1/stats/timeline', (_req, res) => {
    res.json(scoreboard.timelineSnapshot());
  });

  app.post('/v1/stats/reset', (_req, res) => {
    scoreboard.reset();
    desk.startOver();
    res.json(stats());
  });

  app.post('/v1/admin/outage', express.json({ limit: '1kb' }), (req, res) => {
    const seconds = readOutageSeconds(req.body, req.query);
    if (typeof seconds === 'string') return sendError(res, 400, 'invalid_request', seconds);
    outage.set(seconds);
    res.json({ outageUntil: outage.untilIso() });
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.use(notFound);
  app.use(jsonErrors((err) => log?.error({ err }, 'unexpected error in the fake PG')));

  return { app, scoreboard };
}
