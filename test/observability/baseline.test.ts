/**
 * Observability of the Redis baseline against real processes (a private redis-server, the fake PG,
 * the baseline API and 2 consumers): the same metric names, OpenAPI document and log rules as the
 * Temporal engine (test/observability/temporal.test.ts).
 */
import type { BaselineMode } from '../../compare/baseline/launch';
import { paymentBodies } from '../../src/load/payments-client';
import { type Fixture, type TestStack, startFixture, startStack } from '../compare/baseline/fixture';
import { checkApiAnswersAgainstOpenApi, checkPaymentLogLine } from './contract-checks';
import { sampleWhile, waitForIdle } from './support';

const PERMITS = 10;
// A slow PG keeps a burst in flight long enough to sample it; the baseline has no rate limiter to test here.
const SLOW_PG = { PG_LATENCY_MS: '2000', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: String(PERMITS) };

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture(SLOW_PG);
});
afterAll(() => fx?.stop());

describe.each<BaselineMode>(['list', 'list-reliable', 'stream'])('observability of the %s baseline', (mode) => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack(fx, mode, 2, { PG_MAX_CONCURRENCY: String(PERMITS) });
  });
  afterAll(() => stack?.stop());

  test('when 50 payments are in flight then the semaphore reads 1..10 and the queue is not empty; afterwards 50 SUCCESS and idle gauges', async () => {
    let finished = false;
    const burst = (async () => {
      const posted = await stack.http.burst(paymentBodies(50, `obs-${mode}-${Date.now()}`));
      expect(posted.map((p) => p.status)).toEqual(Array(50).fill(202));
      const final = await stack.http.waitForFinal(posted.map((p) => p.requestId!), { timeoutMs: 120_000 });
      return [...final.values()].map((v) => v.status);
    })().finally(() => (finished = true));
    const samples = await sampleWhile(stack.apiUrl, () => finished);
    expect(await burst).toEqual(Array(50).fill('SUCCESS'));

    expect(samples.length).toBeGreaterThan(0);
    expect(Math.max(...samples.map((s) => s.used))).toBeGreaterThanOrEqual(1);
    expect(samples.every((s) => s.used >= 0 && s.used <= PERMITS)).toBe(true);
    expect(samples.every((s) => s.used + s.available === PERMITS)).toBe(true);
    expect(Math.max(...samples.map((s) => s.queueSize))).toBeGreaterThan(0);

    const idle = await waitForIdle(stack.apiUrl, { success: 50, permits: PERMITS });
    expect(idle.get('payment_outcomes_total{status="FAILED"}')).toBe(0);
    expect(idle.get('payment_queue_wait_seconds_count')).toBe(50);
    expect(idle.get('payment_processing_seconds_count')).toBe(50);
    expect(idle.get('payment_processing_seconds_sum')!).toBeGreaterThan(idle.get('payment_queue_wait_seconds_sum')!);
    expect(idle.has('process_cpu_seconds_total')).toBe(true);
  });
});

describe('the list baseline\'s contract', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack(fx, 'list', 1);
  });
  afterAll(() => stack?.stop());

  test('when the API answers then every answer validates against its /openapi.json', async () => {
    await checkApiAnswersAgainstOpenApi(stack.apiUrl, `obs-oa-bl-${Date.now()}`);
  });

  test('when a payment is accepted then its log line has the requestId and never the idempotency key', async () => {
    await checkPaymentLogLine(stack.api, stack.apiUrl, [stack.api, ...stack.consumers]);
  });
});
