/**
 * The payment store in Redis: each accepted payment's status record, the intake stream the starter
 * drains into Temporal, and the counts that pace it. The API accepts a payment here at the speed of
 * one Redis write; the PG activity claims it before its PG call and records how it ended; a status
 * read finds it here whether or not a worker runs. Every change is one Lua script, so it is atomic.
 */
import path from 'node:path';
import Redis from 'ioredis';
import {
  type PaymentStatusView,
  type QueuedPaymentRequest,
  PAYMENT_STATUSES,
  type PaymentStatus,
} from '../contract/payment';
import { DEFAULT_MERCHANT, DEFAULT_PG, merchantOfPayment, pgOfPayment } from '../temporal/routing';
import { defineLuaCommands } from '../infra/lua-scripts';

interface StoreCommands {
  accept(
    record: string,
    stream: string,
    counts: string,
    order: string,
    intakes: string,
    id: string,
    fp: string,
    at: string,
    json: string,
    merchantId: string,
    newAttempt: string,
    recordPrefix: string,
    pg: string,
    intake: string,
  ): Promise<string>;
  started(record: string, counts: string): Promise<number>;
  claim(record: string, attempt: number, startedAt: string): Promise<string>;
  finish(record: string, counts: string, ...args: Array<string | number>): Promise<number>;
  cancel(record: string, counts: string, completedAt: string): Promise<string>;
}

export type AcceptOutcome =
  | 'created'
  | 'replay'
  | 'conflict'
  /** The order's latest payment is live or paid (or failed, and this is no declared new attempt). */
  | { order: { status: PaymentStatus; requestId: string } };
export type ClaimOutcome = 'claimed' | 'cancelled' | 'absent';
export type CancelOutcome = 'cancelled' | 'absent' | 'PROCESSING' | 'SUCCESS' | 'FAILED';

export interface FinalRecord {
  status: 'SUCCESS' | 'FAILED';
  attempts: number;
  transactionId?: string;
  error?: string;
  startedAt?: string;
}

/** A payment's stored record: the status answer, and whether the starter has started its workflow. */
export interface StoredPayment {
  view: PaymentStatusView;
  workflowStarted: boolean;
}

/** One merchant's intake stream for one PG, which the starter serves in turn with the others. */
export interface Intake {
  key: string;
  pg: string;
  merchant: string;
  weight: number;
}

/** Key names under one prefix; tests and several stacks on one Redis use their own. */
const storeKeys = (prefix: string) => ({
  record: (requestId: string) => `${prefix}payment:${requestId}`,
  order: (merchantId: string, orderId: string) => `${prefix}order:${merchantId}:${orderId}`,
  /**
   * A merchant's intake stream for a PG. The default merchant on pg-main keeps the single stream
   * of the release before, so what it accepted is still started after an upgrade.
   */
  intake: (pg: string = DEFAULT_PG, merchant: string = DEFAULT_MERCHANT) =>
    pg === DEFAULT_PG && merchant === DEFAULT_MERCHANT ? `${prefix}intake` : `${prefix}intake:${pg}:${merchant}`,
  /** Every intake stream there is, with its PG, merchant and weight. */
  intakes: `${prefix}intakes`,
  counts: `${prefix}counts`,
});

/** What Temporal holds of one PG's payments: started and not yet ended. */
export interface PgCounts {
  started: number;
  ended: number;
}

const STATUS_FIELDS = [
  'status',
  'attempts',
  'acceptedAt',
  'startedAt',
  'completedAt',
  'transactionId',
  'error',
  'workflow',
  'merchantId',
];

function viewOf(requestId: string, fields: Array<string | null>): StoredPayment | null {
  const [status, attempts, acceptedAt, startedAt, completedAt, transactionId, error, workflow, merchantId] = fields;
  if (!status || !acceptedAt || !(PAYMENT_STATUSES as readonly string[]).includes(status)) return null;
  const view: PaymentStatusView = {
    requestId,
    status: status as PaymentStatus,
    attempts: Number(attempts ?? 0),
    acceptedAt,
  };
  if (merchantId) view.merchantId = merchantId;
  if (startedAt) view.startedAt = startedAt;
  if (completedAt) view.completedAt = completedAt;
  if (transactionId) view.transactionId = transactionId;
  if (error) view.error = error;
  return { view, workflowStarted: workflow === '1' };
}

export class PaymentStore {
  readonly keys: ReturnType<typeof storeKeys>;
  private readonly redis: Redis & StoreCommands;

  constructor(redis: Redis, prefix: string) {
    this.keys = storeKeys(prefix);
    this.redis = defineLuaCommands<StoreCommands>(redis, path.join(__dirname, 'lua'));
  }

  /**
   * A connection of its own. A command waits through one reconnect attempt at most, so while
   * Redis is down a request fails within a fraction of a second instead of hanging.
   */
  static connect(url: string, prefix: string): PaymentStore {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', () => undefined); // reported by the failing command; reconnects by itself
    return new PaymentStore(redis, prefix);
  }

  get connection(): Redis {
    return this.redis;
  }

  async accept(payment: QueuedPaymentRequest & { fingerprint: string; newAttempt?: boolean }): Promise<AcceptOutcome> {
    const { record, intake, intakes, counts, order } = this.keys;
    const id = payment.requestId;
    const pg = pgOfPayment(payment);
    const merchant = merchantOfPayment(payment);
    const outcome = await this.redis.accept(
      record(id),
      intake(pg, merchant),
      counts,
      order(payment.merchantId, payment.request.orderId),
      intakes,
      id,
      payment.fingerprint,
      payment.enqueuedAt,
      JSON.stringify(payment),
      payment.merchantId,
      payment.newAttempt ? '1' : '0',
      record(''),
      pg,
      JSON.stringify({ pg, merchant, weight: payment.weight ?? 1 }),
    );
    const [kind, status, requestId] = outcome.split(':');
    if (kind === 'order') return { order: { status: status as PaymentStatus, requestId: requestId ?? '' } };
    return outcome as AcceptOutcome;
  }

  async get(requestId: string): Promise<StoredPayment | null> {
    return viewOf(requestId, await this.redis.hmget(this.keys.record(requestId), ...STATUS_FIELDS));
  }

  /**
   * Takes an intake entry off its stream (acknowledged in the starters' group, then deleted), and
   * counts its payment's workflow as started when there is one: one transaction, one round trip.
   */
  async finishIntake(entry: { stream: string; group: string; id: string }, started?: string): Promise<void> {
    // In a transaction a script command queues itself and answers the transaction.
    const tx = this.redis.multi() as ReturnType<Redis['multi']> & { started(record: string, counts: string): unknown };
    if (started !== undefined) tx.started(this.keys.record(started), this.keys.counts);
    const answers = await tx.xack(entry.stream, entry.group, entry.id).xdel(entry.stream, entry.id).exec();
    const failed = answers?.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }

  async claim(requestId: string, attempt: number, startedAt: string): Promise<ClaimOutcome> {
    return (await this.redis.claim(this.keys.record(requestId), attempt, startedAt)) as ClaimOutcome;
  }

  async finish(requestId: string, final: FinalRecord, completedAt = new Date().toISOString()): Promise<boolean> {
    const recorded = await this.redis.finish(
      this.keys.record(requestId),
      this.keys.counts,
      final.status,
      final.attempts,
      completedAt,
      final.transactionId ?? '',
      final.error ?? '',
      final.startedAt ?? '',
    );
    return recorded === 1;
  }

  async cancel(requestId: string, at = new Date().toISOString()): Promise<CancelOutcome> {
    return (await this.redis.cancel(this.keys.record(requestId), this.keys.counts, at)) as CancelOutcome;
  }

  /** Payments accepted, workflows started, and workflows ended (final status recorded). */
  async counts(): Promise<{ accepted: number; started: number; ended: number }> {
    const [accepted, started, ended] = await this.redis.hmget(this.keys.counts, 'accepted', 'started', 'ended');
    return { accepted: Number(accepted ?? 0), started: Number(started ?? 0), ended: Number(ended ?? 0) };
  }

  /** Workflows started and ended, per PG. */
  async countsPerPg(): Promise<Map<string, PgCounts>> {
    const fields = await this.redis.hgetall(this.keys.counts);
    const perPg = new Map<string, PgCounts>();
    for (const [field, value] of Object.entries(fields)) {
      const match = /^(started|ended):(.+)$/.exec(field);
      if (!match) continue;
      const pg = perPg.get(match[2]!) ?? { started: 0, ended: 0 };
      pg[match[1] as keyof PgCounts] = Number(value);
      perPg.set(match[2]!, pg);
    }
    return perPg;
  }

  /** Every merchant's intake stream for every PG, as the API last accepted into it. */
  async intakes(): Promise<Intake[]> {
    const fields = await this.redis.hgetall(this.keys.intakes);
    const legacy = this.keys.intake();
    const found = Object.entries(fields).map(([key, json]) => ({ key, ...(JSON.parse(json) as Omit<Intake, 'key'>) }));
    // The single stream of the release before has no entry until the API accepts into it again.
    if (!found.some((i) => i.key === legacy))
      found.push({ key: legacy, pg: DEFAULT_PG, merchant: DEFAULT_MERCHANT, weight: 1 });
    return found;
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}
