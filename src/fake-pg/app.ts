/**
 * The fake PG (DESIGN §5): an HTTP server that charges payments under an idempotency key, refuses
 * with 429 whatever breaks its concurrency or rate limit, and keeps the score that tests and the
 * benchmark trust.
 */
import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../infra/logger';
import { seededRandom } from '../infra/random';
import type { FakePgConfig, LatencyRange } from './config';
import { jsonErrors, notFound, sendError } from './errors';
import { arrivalDelays, delay, drawFrom } from './network';
import { Outage, readOutageSeconds } from './outage';
import { type PgStats, Scoreboard } from './scoreboard';

const chargeSchema = z.object({
  orderId: z.string().min(1).max(64),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
});

interface StoredAnswer {
  fingerprint: string;
  answer: Promise<{ status: number; body: unknown }>;
}

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
  const random = seededRandom(config.seed);
  const arrivalDelay = arrivalDelays(config.arrivalJitter, config.seed);
  const answers = new Map<string, StoredAnswer>();
  const outage = new Outage();
  // IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) on a refusal: which limit
  // refused the call and when its quota resets, the same moment as Retry-After.
  const rateLimitPolicy = `"rate";q=${config.ratePerSecond};w=1, "concurrency";q=${config.concurrency};qu="concurrent-requests"`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const latency = () => drawFrom(config.latency, random);

  const app = express();
  app.disable('x-powered-by');

  // Counted on arrival, before the body is read: this is what the PG's limits apply to. With
  // PG_ARRIVAL_JITTER_MS the call first crosses the network path, so the stamp is its arrival here.
  app.post('/v1/payments', (req, res, next) => {
    // 'finish' fires as the answer is handed to the socket, before the caller can react to it.
    // A caller killed mid-call never gets its answer: 'close' without 'finish', counted once.
    let open = false;
    let gone = false;
    const finish = () => {
      if (!open) return;
      open = false;
      scoreboard.finish();
    };
    res.on('finish', finish);
    res.on('close', () => {
      gone = true;
      finish();
    });
    const stamp = () => {
      const admission = scoreboard.arrive(req.get('Idempotency-Key'));
      if (!admission.admitted) {
        res.set({
          'Retry-After': String(config.retryAfterSeconds),
          'RateLimit-Policy': rateLimitPolicy,
          RateLimit: `"${admission.reason}";r=0;t=${config.retryAfterSeconds}`,
        });
        sendError(res, 429, 'rate_limited', `over the PG's ${admission.reason} limit`, { reason: admission.reason });
        return;
      }
      open = true;
      // A caller that gave up while its call was on the way: the call still arrived, and is over.
      if (gone) finish();
      else if (outage.active()) {
        // Past the limits (a load balancer in front of the PG counts it) but nothing behind them.
        scoreboard.outageRefused();
        sendError(res, 503, 'pg_outage', 'the PG is down');
      } else next();
    };
    const wait = arrivalDelay();
    if (wait > 0) void delay(wait).then(stamp);
    else stamp();
  });

  app.post('/v1/payments', express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const key = req.get('Idempotency-Key');
    const parsed = chargeSchema.safeParse(req.body);
    if (!key || !parsed.success) {
      sendError(res, 400, 'invalid_request', 'an Idempotency-Key header and a valid charge are required');
      return;
    }
    const charge = parsed.data;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([charge.orderId, charge.amount, charge.currency]))
      .digest('hex');

    await sleep(latency());

    const stored = answers.get(key);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        sendError(res, 422, 'idempotency_key_reused', 'this idempotency key was used with another charge');
        return;
      }
      const answer = await stored.answer;
      scoreboard.replayed();
      res.status(answer.status).set('Idempotent-Replayed', 'true').json(answer.body);
      return;
    }

    // Injected before the charge: nothing happened, the caller may retry.
    const roll = random();
    if (roll < config.failureRate / 2) {
      scoreboard.injectedFailure();
      sendError(res, 503, 'temporarily_unavailable', 'injected failure before the charge');
      return;
    }

    const answer = charge.orderId.startsWith('decline')
      ? { status: 402, body: { code: 'card_declined', message: 'the card was declined' } }
      : { status: 200, body: { transactionId: `TXN-${randomUUID()}`, status: 'APPROVED' } };
    answers.set(key, { fingerprint, answer: Promise.resolve(answer) });
    if (answer.status === 200) scoreboard.charged(charge.orderId);
    else scoreboard.declinedOne();

    // Injected after the charge: the money moved but the answer is lost. Only an idempotent retry
    // (same key) keeps this from becoming a second charge.
    if (roll < config.failureRate) {
      scoreboard.injectedFailure();
      sendError(res, 500, 'internal_error', 'injected failure after the charge');
      return;
    }
    res.status(answer.status).json(answer.body);
  });

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
    answers.clear();
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
