/**
 * The charge activity's own logic in seconds: MockActivityEnvironment runs it as a worker would,
 * against the fake PG served in this process (real HTTP on loopback), through the real PG client
 * and admission step. Covers the mapping of every PG outcome to a result or a typed failure, and
 * what the activity tells the payment store (its interface recorded here; the Redis store itself is
 * tested on a real Redis in test/intake).
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { PAYMENT_ERRORS, type QueuedPaymentRequest } from '../../src/contract/payment';
import { loadFakePgConfig } from '../../src/fake-pg/config';
import { createFakePg } from '../../src/fake-pg/app';
import { type RunningServer, listen } from '../../src/infra/http-server';
import { LocalPgAdmission } from '../../src/pg-client/admission';
import { type PgClient, createPgClient } from '../../src/pg-client/pg-client';
import type { ClaimOutcome, FinalRecord } from '../../src/intake/payment-store';
import { type ActivityStore, createActivities } from '../../src/temporal/activities';
import { ActivityErrorType, type ChargeFailureDetails, type ChargeResult } from '../../src/temporal/shared';

jest.setTimeout(30_000);

/** One fake PG in this process with the given settings, its client, and the activity in front of it. */
interface Pg {
  server: RunningServer;
  client: PgClient;
  activities: ReturnType<typeof createActivities>;
}

// Wider than any PG below, so every refusal the tests see is the PG's own. It starts with a full
// window (it cannot know what was sent before it), so it is made once: only the first call waits.
const admission = new LocalPgAdmission({ concurrency: 10, ratePerSecond: 100, marginMs: 0 });
const pgs: Pg[] = [];

/** What the activity told the store, by request id; `cancelled` ids are refused at the claim. */
const claims = new Map<string, number[]>();
const finals = new Map<string, FinalRecord>();
const cancelled = new Set<string>();
const store: ActivityStore = {
  claim: (requestId, attempt) => {
    claims.set(requestId, [...(claims.get(requestId) ?? []), attempt]);
    return Promise.resolve<ClaimOutcome>(cancelled.has(requestId) ? 'cancelled' : 'claimed');
  },
  finish: (requestId, final) => {
    finals.set(requestId, final);
    return Promise.resolve(true);
  },
};

/** Charges `input` through `activities` as attempt `attempt` would run on a worker; its log quiet unless it errs. */
const charge = (activities: Pg['activities'], input: QueuedPaymentRequest, attempt = 1): Promise<ChargeResult> =>
  new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') }).run(
    (p: QueuedPaymentRequest) => activities.chargePayment(p),
    input,
  );

async function startPg(settings: NodeJS.ProcessEnv): Promise<Pg> {
  const config = loadFakePgConfig({ PG_HOST: '127.0.0.1', PG_PORT: '0', PG_LATENCY_MS: '1', ...settings });
  const server = await listen(createFakePg(config).app, config.host, 0);
  const client = createPgClient({ baseUrl: server.url, connections: 4 });
  const pg = { server, client, activities: createActivities({ pg: client, admission, store }) };
  pgs.push(pg);
  return pg;
}

/** Calls the PG has counted, from its own score. */
const requestsAt = async ({ server }: Pg): Promise<number> =>
  ((await (await fetch(`${server.url}/v1/stats`)).json()) as { requests: number }).requests;

let pg: Pg;
beforeAll(async () => {
  pg = await startPg({});
});
afterAll(async () => {
  for (const { client, server } of pgs) {
    await client.close();
    await server.close();
  }
});

const payment = (orderId = `order-${randomUUID()}`, amount = 15_000): QueuedPaymentRequest => ({
  requestId: `pay_${randomUUID()}`,
  merchantId: 'shop-test',
  request: { orderId, amount, currency: 'KRW' },
  enqueuedAt: new Date().toISOString(),
});

/** Runs the activity as attempt `attempt` and answers the ApplicationFailure it throws. */
async function failureOf(activities: Pg['activities'], input: QueuedPaymentRequest, attempt = 1) {
  const thrown: unknown = await charge(activities, input, attempt).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(thrown).toBeInstanceOf(ApplicationFailure);
  const failure = thrown as ApplicationFailure;
  return { failure, details: failure.details?.[0] as ChargeFailureDetails };
}

describe('the charge activity against the fake PG', () => {
  test('when the PG approves then it returns the transaction id and the attempt', async () => {
    const result = await charge(pg.activities, payment(), 2);
    expect(result.transactionId).toMatch(/^TXN-/);
    expect(result).toMatchObject({ attempt: 2, replayed: false });
    expect(result.startedAt).toBeDefined();
  });

  test('when the PG approves then the store has the payment claimed, then SUCCESS with its transaction id', async () => {
    const input = payment();
    const result = await charge(pg.activities, input);
    expect(claims.get(input.requestId)).toEqual([1]);
    expect(finals.get(input.requestId)).toMatchObject({
      status: 'SUCCESS',
      attempts: 1,
      transactionId: result.transactionId,
    });
  });

  test('when the store says the payment was cancelled then the PG is never called and the failure is final', async () => {
    const input = payment();
    cancelled.add(input.requestId);
    const before = await requestsAt(pg);
    const { failure } = await failureOf(pg.activities, input);
    expect(failure.type).toBe(ActivityErrorType.Cancelled);
    expect(failure.nonRetryable).toBe(true);
    expect(finals.has(input.requestId)).toBe(false);
    expect(await requestsAt(pg)).toBe(before);
  });

  test('when the same payment is charged again then the PG replays it and nothing new is charged', async () => {
    const input = payment();
    const first = await charge(pg.activities, input, 1);
    const again = await charge(pg.activities, input, 2);
    expect(again).toMatchObject({ transactionId: first.transactionId, replayed: true, attempt: 2 });
  });

  test('when the PG declines the card then the failure is CardDeclined and not retryable', async () => {
    const { failure, details } = await failureOf(pg.activities, payment(`decline-${randomUUID()}`), 3);
    expect(failure.type).toBe(ActivityErrorType.CardDeclined);
    expect(failure.nonRetryable).toBe(true);
    expect(details).toMatchObject({ attempt: 3, code: PAYMENT_ERRORS.cardDeclined, recorded: true });
    expect(details.startedAt).toBeDefined();
  });

  test('when the PG refuses the request itself (422) then the failure is PgRejected and not retryable', async () => {
    const input = payment();
    await charge(pg.activities, input);
    const changed = { ...input, request: { ...input.request, amount: input.request.amount + 1 } };
    const { failure, details } = await failureOf(pg.activities, changed);
    expect(failure.type).toBe(ActivityErrorType.PgRejected);
    expect(failure.nonRetryable).toBe(true);
    expect(details.code).toBe(PAYMENT_ERRORS.pgRejected);
  });

  test('when the PG answers 429 then the activity waits its Retry-After and calls again within the same attempt', async () => {
    const strict = await startPg({ PG_RATE_LIMIT: '1', PG_RETRY_AFTER_S: '2' });
    await charge(strict.activities, payment());
    const input = payment();
    const started = performance.now();
    const result = await charge(strict.activities, input);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    expect(result).toMatchObject({ attempt: 1, replayed: false });
    expect(claims.get(input.requestId)).toEqual([1, 1]);
    expect(finals.get(input.requestId)).toMatchObject({ status: 'SUCCESS', attempts: 1 });
  });

  test('when the PG fails with a 5xx then the failure is PgUnavailable and retryable with backoff', async () => {
    const failing = await startPg({ PG_FAILURE_RATE: '1' });
    const { failure, details } = await failureOf(failing.activities, payment());
    expect(failure.type).toBe(ActivityErrorType.PgUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(details.code).toBe(PAYMENT_ERRORS.pgUnavailable);
    expect(details.recorded).toBe(false);
  });

  test('when the last attempt fails with a 5xx then the failure is final and the store has the payment FAILED', async () => {
    const failing = await startPg({ PG_FAILURE_RATE: '1' });
    const input = payment();
    const { failure, details } = await failureOf(failing.activities, input, 10);
    expect(failure.nonRetryable).toBe(true);
    expect(details).toMatchObject({ code: PAYMENT_ERRORS.pgUnavailable, recorded: true });
    expect(finals.get(input.requestId)).toMatchObject({ status: 'FAILED', attempts: 10, error: 'pg_unavailable' });
  });

  test('when nothing answers at the PG address then the failure is PgUnavailable', async () => {
    const closed = await startPg({});
    await closed.server.close();
    const { failure } = await failureOf(closed.activities, payment());
    expect(failure.type).toBe(ActivityErrorType.PgUnavailable);
    expect(failure.nonRetryable).toBe(false);
  });
});
