/**
 * The fake PG's charge route in its named parts: the stamp on arrival (where the limits apply and
 * the score counts), the charge read from the body, a replay or a refusal for a key seen before,
 * the one charge per key, and the failures injected before or after it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { seededRandom } from '../infra/random';
import type { FakePgConfig } from './config';
import { sendError } from './errors';
import { arrivalDelays, delay, drawFrom } from './network';
import type { Outage } from './outage';
import type { Scoreboard } from './scoreboard';

const chargeSchema = z.object({
  orderId: z.string().min(1).max(64),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
});
type Charge = z.infer<typeof chargeSchema>;

interface Answer {
  status: number;
  body: unknown;
}

/**
 * What the PG draws for one call: its own latency and the roll that decides an injected failure.
 * Drawn in arrival order, one pair per admitted call, so the n-th call after a reset gets the same
 * pair whichever engine sent it: engines compared on one seed meet the same failures at the same
 * call positions, not a different handful each (drawn as the calls' timers fired, the count of
 * injected 5xx in one run of 100 ranged from 9 to 15 between engines).
 */
interface CallDice {
  latencyMs: number;
  roll: number;
}

interface StoredAnswer {
  fingerprint: string;
  answer: Promise<Answer>;
}

/**
 * Tells the caller how long the PG itself held the call, from its stamp to its answer, as a
 * `Server-Timing` field (W3C Server Timing): `pg;dur=183.2`. The caller's round trip less this is
 * the network's share, arrival jitter included, which is how its admission step learns the margin
 * the network needs without waiting for a 429 (src/pg-client/network-spread.ts). Set as the head
 * of the answer is written, whichever route answers.
 */
function reportOwnTime(res: Response, stampedAt: number): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    res.setHeader('Server-Timing', `pg;dur=${(performance.now() - stampedAt).toFixed(1)}`);
    return writeHead(...args);
  }) as Response['writeHead'];
}

export class ChargeDesk {
  private readonly answers = new Map<string, StoredAnswer>();
  private random!: () => number;
  private arrivalDelay!: () => number;
  private readonly dice = new WeakMap<Request, CallDice>();
  // IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) on a refusal: which limit
  // refused the call and when its quota resets, the same moment as Retry-After.
  private readonly rateLimitPolicy: string;

  constructor(
    private readonly config: FakePgConfig,
    private readonly scoreboard: Scoreboard,
    private readonly outage: Outage,
  ) {
    this.rewind();
    this.rateLimitPolicy = `"rate";q=${config.ratePerSecond};w=1, "concurrency";q=${config.concurrency};qu="concurrent-requests"`;
  }

  /**
   * Starts over as a fresh PG (the score's reset): every stored answer forgotten, so a key seen
   * before is new again, and the seeded draws rewound, so each run after a reset meets the same
   * latencies, failures and network delays in the same order.
   */
  startOver(): void {
    this.answers.clear();
    this.rewind();
  }

  private draw(): CallDice {
    return { latencyMs: drawFrom(this.config.latency, this.random), roll: this.random() };
  }

  private rewind(): void {
    this.random = seededRandom(this.config.seed);
    this.arrivalDelay = arrivalDelays(this.config.arrivalJitter, this.config.seed);
  }

  /**
   * Counted on arrival, before the body is read: this is what the PG's limits apply to. With
   * PG_ARRIVAL_JITTER_MS the call first crosses the network path, so the stamp is its arrival here.
   */
  stampOnArrival = (req: Request, res: Response, next: NextFunction): void => {
    // 'finish' fires as the answer is handed to the socket, before the caller can react to it.
    // A caller killed mid-call never gets its answer: 'close' without 'finish', counted once.
    let open = false;
    let gone = false;
    const finish = () => {
      if (!open) return;
      open = false;
      this.scoreboard.finish();
    };
    res.on('finish', finish);
    res.on('close', () => {
      gone = true;
      finish();
    });
    const stamp = () => {
      reportOwnTime(res, performance.now());
      const admission = this.scoreboard.arrive(req.get('Idempotency-Key'));
      if (!admission.admitted) return this.refuseOverLimit(res, admission.reason);
      this.dice.set(req, this.draw());
      open = true;
      // A caller that gave up while its call was on the way: the call still arrived, and is over.
      if (gone) finish();
      else if (this.outage.active()) {
        // Past the limits (a load balancer in front of the PG counts it) but nothing behind them.
        this.scoreboard.outageRefused();
        sendError(res, 503, 'pg_outage', 'the PG is down');
      } else next();
    };
    const wait = this.arrivalDelay();
    if (wait > 0) void delay(wait).then(stamp);
    else stamp();
  };

  /** A stamped call with its JSON body read: replayed, refused, or charged once. */
  handleCharge = async (req: Request, res: Response): Promise<void> => {
    const call = this.readCharge(req);
    if (!call) {
      sendError(res, 400, 'invalid_request', 'an Idempotency-Key header and a valid charge are required');
      return;
    }
    // Drawn at the stamp; a call routed here unstamped (none is) would draw now.
    const dice = this.dice.get(req) ?? this.draw();
    // The PG's own latency: a plain timer, as precise as a remote PG is.
    await new Promise((resolve) => setTimeout(resolve, dice.latencyMs));

    const stored = this.answers.get(call.key);
    if (stored) return this.replay(res, stored, call.fingerprint);

    // Injected before the charge: nothing happened, the caller may retry.
    const roll = dice.roll;
    if (roll < this.config.failureRate / 2) {
      this.scoreboard.injectedFailure();
      sendError(res, 503, 'temporarily_unavailable', 'injected failure before the charge');
      return;
    }
    const answer = this.chargeOnce(call.key, call.charge, call.fingerprint);
    // Injected after the charge: the money moved but the answer is lost. Only an idempotent retry
    // (same key) keeps this from becoming a second charge.
    if (roll < this.config.failureRate) {
      this.scoreboard.injectedFailure();
      sendError(res, 500, 'internal_error', 'injected failure after the charge');
      return;
    }
    res.status(answer.status).json(answer.body);
  };

  /** 429 for a call over a limit, with Retry-After and the RateLimit fields naming the limit. */
  private refuseOverLimit(res: Response, reason: string): void {
    res.set({
      'Retry-After': String(this.config.retryAfterSeconds),
      'RateLimit-Policy': this.rateLimitPolicy,
      RateLimit: `"${reason}";r=0;t=${this.config.retryAfterSeconds}`,
    });
    sendError(res, 429, 'rate_limited', `over the PG's ${reason} limit`, { reason });
  }

  /** The call's key, charge and fingerprint; undefined when it lacks a key or a valid charge. */
  private readCharge(req: Request): { key: string; charge: Charge; fingerprint: string } | undefined {
    const key = req.get('Idempotency-Key');
    const parsed = chargeSchema.safeParse(req.body);
    if (!key || !parsed.success) return undefined;
    const charge = parsed.data;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([charge.orderId, charge.amount, charge.currency]))
      .digest('hex');
    return { key, charge, fingerprint };
  }

  /** A key seen before: the stored answer again (a replay), or 422 when the charge differs. */
  private async replay(res: Response, stored: StoredAnswer, fingerprint: string): Promise<void> {
    if (stored.fingerprint !== fingerprint) {
      sendError(res, 422, 'idempotency_key_reused', 'this idempotency key was used with another charge');
      return;
    }
    const answer = await stored.answer;
    this.scoreboard.replayed();
    res.status(answer.status).set('Idempotent-Replayed', 'true').json(answer.body);
  }

  /** Charges (or declines) once under `key`, keeping the answer for replays; scores the outcome. */
  private chargeOnce(key: string, charge: Charge, fingerprint: string): Answer {
    const answer = charge.orderId.startsWith('decline')
      ? { status: 402, body: { code: 'card_declined', message: 'the card was declined' } }
      : { status: 200, body: { transactionId: `TXN-${randomUUID()}`, status: 'APPROVED' } };
    this.answers.set(key, { fingerprint, answer: Promise.resolve(answer) });
    if (answer.status === 200) this.scoreboard.charged(charge.orderId);
    else this.scoreboard.declinedOne();
    return answer;
  }
}
