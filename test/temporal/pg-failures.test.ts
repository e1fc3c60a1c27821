import { TEST_MERCHANT } from '../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey } from '../../src/contract/payment';
import { paymentBodies } from '../../src/load/payments-client';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import { freePort } from '../../src/infra/ports';
import { chargeElsewhere } from '../support/pg-seed';

/**
 * What the PG answers and what the retry policy does with it (issue 3): a decline, like the PG's
 * refusal of the request itself, is final after one call; injected 5xx are retried into success
 * without a second charge; and a 429 is retried no sooner than its Retry-After. One dev server;
 * each group of cases gets its own PG, worker and API.
 */
describe('PG failures on the Temporal engine', () => {
  let temporal: RunningDevServer;

  beforeAll(async () => {
    temporal = await startDevServer({ port: await freePort() });
  });
  afterAll(() => temporal?.stop());

  const runId = () => randomUUID().slice(0, 8);

  describe('final answers: a declined card, a request the PG refuses', () => {
    let stack: TemporalStack;
    beforeAll(async () => {
      stack = await startTemporalStack({ temporal, pgEnv: { PG_LATENCY_MS: '20-50' } });
    });
    afterAll(() => stack?.stop());
    // Each test counts the PG's calls from zero; the workflows of the one before are closed.
    beforeEach(() => stack.pg.client.reset());

    test('when the PG declines then the payment ends FAILED card_declined after exactly one PG call', async () => {
      const posted = await stack.api.post({ orderId: `decline-${runId()}`, amount: 4200 });
      expect(posted.status).toBe(202);

      const final = await stack.api.waitForFinal([posted.requestId!], { timeoutMs: 60_000 });
      const status = final.get(posted.requestId!)!;
      expect(status).toMatchObject({ status: 'FAILED', error: 'card_declined', attempts: 1 });
      expect(status.transactionId).toBeUndefined();
      expect(Date.parse(status.startedAt!)).toBeLessThanOrEqual(Date.parse(status.completedAt!));

      // The workflow is closed, so no retry can come later: this count is final.
      const pg = await stack.pg.client.stats();
      expect({ requests: pg.requests, declined: pg.declined, charges: pg.charges }).toEqual({
        requests: 1,
        declined: 1,
        charges: 0,
      });
    });

    test('when the PG answers 422 (its key was used with another body) then the payment ends FAILED pg_rejected after exactly one PG call', async () => {
      const key = `reused-${runId()}`;
      // Another caller already charged under the PG key this payment will use.
      expect(await chargeElsewhere(stack.pg.url, requestIdForKey(TEST_MERCHANT, key), `elsewhere-${key}`)).toBe(1);

      const posted = await stack.api.post({ orderId: `order-${key}`, amount: 4200 }, { 'Idempotency-Key': key });
      expect(posted).toMatchObject({ status: 202, requestId: requestIdForKey(TEST_MERCHANT, key) });

      const final = await stack.api.waitForFinal([posted.requestId!], { timeoutMs: 60_000 });
      expect(final.get(posted.requestId!)).toMatchObject({ status: 'FAILED', error: 'pg_rejected', attempts: 1 });

      // Closed workflow, final count: the earlier charge and one refused call, never retried.
      const pg = await stack.pg.client.stats();
      expect({ requests: pg.requests, charges: pg.charges, duplicateCharges: pg.duplicateCharges }).toEqual({
        requests: 2,
        charges: 1,
        duplicateCharges: 0,
      });
    });
  });

  describe('injected 5xx', () => {
    const count = 60;
    let stack: TemporalStack;
    beforeAll(async () => {
      stack = await startTemporalStack({
        temporal,
        pgEnv: { PG_LATENCY_MS: '20-50', PG_FAILURE_RATE: '0.3', PG_SEED: '7' },
      });
    });
    afterAll(() => stack?.stop());

    test('when the PG fails 30% of calls then every payment still succeeds, charged exactly once', async () => {
      const posted = await stack.api.burst(paymentBodies(count, `flaky-${runId()}`));
      expect(posted.map((p) => p.status)).toEqual(Array(count).fill(202));

      const ids = posted.map((p) => p.requestId!);
      const final = await stack.api.waitForFinal(ids, { timeoutMs: 100_000 });
      expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(count).fill('SUCCESS'));

      const pg = await stack.pg.client.stats();
      // The failures happened (so this test can fail), were retried, and cost no second charge.
      expect(pg.injected5xx).toBeGreaterThan(0);
      expect(pg.replays).toBeGreaterThan(0); // a 500 after the charge, answered on retry from the stored result
      expect(pg.charges).toBe(count);
      expect(pg.duplicateCharges).toBe(0);
      expect(ids.some((id) => final.get(id)!.attempts > 1)).toBe(true);
    });
  });

  describe('429 with Retry-After', () => {
    const count = 8;
    const retryAfterMs = 2000;
    let stack: TemporalStack;
    beforeAll(async () => {
      // No admission step and a PG with less room than the worker sends: 429s are certain.
      stack = await startTemporalStack({
        temporal,
        pgEnv: {
          PG_LATENCY_MS: '100-200',
          PG_MAX_CONCURRENCY: '3',
          PG_RATE_LIMIT: '5',
          PG_RETRY_AFTER_S: String(retryAfterMs / 1000),
        },
        workerEnv: { PG_ADMISSION: 'off' },
      });
    });
    afterAll(() => stack?.stop());

    test('when the PG refuses with 429 then each refused call is retried no sooner than Retry-After, within the same attempt', async () => {
      const posted = await stack.api.burst(paymentBodies(count, `refused-${runId()}`));
      expect(posted.map((p) => p.status)).toEqual(Array(count).fill(202));
      const ids = posted.map((p) => p.requestId!);
      const final = await stack.api.waitForFinal(ids, { timeoutMs: 100_000 });
      expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(count).fill('SUCCESS'));
      // A 429 is the PG asking to wait, not a failed attempt: no payment used up a second one.
      expect(ids.map((id) => final.get(id)?.attempts)).toEqual(Array(count).fill(1));

      const pg = await stack.pg.client.stats();
      expect(pg.rejected429).toBeGreaterThan(0);
      expect(pg.charges).toBe(count);
      expect(pg.duplicateCharges).toBe(0);

      // Pair every refusal with the next call under the same key (the request id), on the PG's clock.
      const { callsByKey } = await stack.pg.client.timeline();
      const retries: Array<{ key: string; waitedMs: number }> = [];
      for (const id of ids) {
        const calls = callsByKey[id] ?? [];
        expect(calls.at(-1)?.refused).toBeUndefined(); // the last call went through
        calls.forEach((call, i) => {
          if (call.refused) retries.push({ key: id, waitedMs: calls[i + 1]!.at - call.at });
        });
      }
      expect(retries.length).toBe(pg.rejected429);
      const tooSoon = retries.filter((r) => r.waitedMs < retryAfterMs);
      expect(tooSoon).toEqual([]);
    });
  });
});
