/**
 * Observability of the Redis baseline against real processes (a private redis-server, the fake PG,
 * the baseline API and 2 consumers): the same metric names, OpenAPI document and log rules as the
 * Temporal engine (test/observability/temporal.test.ts).
 */
import type { BaselineMode } from '../../compare/baseline/config';
import { type Fixture, type TestStack, startFixture, startStack } from '../compare/baseline/fixture';
import { checkApiAnswersAgainstOpenApi, checkPaymentLogLine } from './contract-checks';
import { checkBurstMetrics, ensurePromtool, promtoolCheck } from './support';

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
    await checkBurstMetrics(stack.http, stack.apiUrl, {
      count: 50,
      permits: PERMITS,
      orderPrefix: `obs-${mode}-${Date.now()}`,
    });
  });
});

describe("the list baseline's contract", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack(fx, 'list', 1);
  });
  afterAll(() => stack?.stop());

  test('when the API answers then every answer validates against its /openapi.json', async () => {
    await checkApiAnswersAgainstOpenApi(stack.apiUrl, `obs-oa-bl-${Date.now()}`, stack.merchants.apiKey);
  });

  test('when promtool checks its /metrics then it passes', async () => {
    expect(await promtoolCheck(ensurePromtool(), `${stack.apiUrl}/metrics`)).toEqual({ status: 0, output: '' });
  });

  test('when a payment is accepted then its log line has the requestId and never the idempotency key', async () => {
    await checkPaymentLogLine(stack.api, stack.apiUrl, [stack.api, ...stack.consumers], stack.merchants.apiKey);
  });
});
