import { TEST_MERCHANT, createMerchantsFixture } from '../../src/launch/merchants';
import { bearer } from '../../src/load/payments-client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requestIdForKey } from '../../src/contract/payment';
import { type ManagedProcess, spawnTs } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { PaymentsClient } from '../../src/load/payments-client';
import { looksLikeStackTrace, pollUntil } from '../support/answers';

/**
 * Temporal down with TEMPORAL_INTAKE=direct, where each request starts its workflow: POST
 * /payments answers 503 with Retry-After and /healthz 503, and a refused payment was not
 * half-accepted: once Temporal is back it does not exist. (With the default Redis intake the API
 * keeps accepting: test/intake/outages.test.ts.)
 */
const DIRECT = { TEMPORAL_INTAKE: 'direct' };

/** POSTs one payment and returns the status, headers and raw body text. */
async function postRaw(apiUrl: string, body: Record<string, unknown>, apiKey: string) {
  const res = await fetch(`${apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(apiKey) },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}

function expectUnavailable(answer: { status: number; retryAfter: string | null; text: string }): void {
  expect(answer.status).toBe(503);
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  expect(JSON.parse(answer.text)).toMatchObject({ error: 'unavailable' });
  expect(looksLikeStackTrace(answer.text)).toBe(false);
}

const healthz = async (apiUrl: string) => (await fetch(`${apiUrl}/healthz`)).status;
const orderId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('direct intake: when nothing listens at the Temporal address', () => {
  let api: ManagedProcess;
  let apiUrl: string;
  let temporalPort: number;
  let temporal: RunningDevServer | undefined;
  const merchants = createMerchantsFixture();
  const auth = { headers: bearer(merchants.apiKey) };

  beforeAll(async () => {
    temporalPort = await freePort();
    const apiPort = await freePort();
    api = spawnTs('api', 'src/api/main.ts', {
      env: {
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        PORT: String(apiPort),
        TEMPORAL_TIMEOUT_MS: '2000',
        MERCHANTS_FILE: merchants.file,
        ...DIRECT,
        LOG_LEVEL: 'info',
      },
    });
    await api.waitForLine(/payments API listening/);
    apiUrl = `http://127.0.0.1:${apiPort}`;
  });
  afterAll(async () => {
    await api?.stop();
    await temporal?.stop();
    merchants.dispose();
  });

  const refused = { orderId: orderId('refused'), amount: 1000 };

  test('then POST /payments answers 503 unavailable with Retry-After', async () => {
    expectUnavailable(await postRaw(apiUrl, refused, merchants.apiKey));
  });

  test('then GET /healthz answers 503', async () => {
    expect(await healthz(apiUrl)).toBe(503);
  });

  test('then the status of a payment answers 503, not 404 (the API cannot know)', async () => {
    const res = await fetch(`${apiUrl}/payments/${requestIdForKey(TEST_MERCHANT, refused.orderId)}/status`, auth);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
  });

  test('when Temporal comes up there then the API recovers and the refused payment does not exist', async () => {
    temporal = await startDevServer({ port: temporalPort });
    await pollUntil(
      'the API to report healthy',
      async () => ((await healthz(apiUrl)) === 200 ? true : undefined),
      30_000,
    );
    const res = await fetch(`${apiUrl}/payments/${requestIdForKey(TEST_MERCHANT, refused.orderId)}/status`, auth);
    expect(res.status).toBe(404);
    // The client retries as told: now it is accepted.
    const retried = await postRaw(apiUrl, refused, merchants.apiKey);
    expect(retried.status).toBe(202);
  });
});

describe('direct intake: when the Temporal server stops in the middle of the run', () => {
  let dataDir: string;
  let port: number;
  let temporal: RunningDevServer | undefined;
  let stack: TemporalStack;
  let api: PaymentsClient;

  // A database file, so the restarted server keeps what was accepted before it stopped.
  const startServer = () => startDevServer({ port, dbFile: path.join(dataDir, 'temporal.db') });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'temporal-down-'));
    port = await freePort();
    temporal = await startServer();
    stack = await startTemporalStack({ temporal, pgEnv: { PG_LATENCY_MS: '20-50' }, apiEnv: DIRECT });
    api = stack.api;
  });
  afterAll(async () => {
    await stack?.stop();
    await temporal?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('then payments refused while it is down do not exist after it is back, and accepted ones are intact', async () => {
    const before = await api.post({ orderId: orderId('before'), amount: 1000 });
    expect(before.status).toBe(202);
    const beforeFinal = await api.waitForFinal([before.requestId!], { timeoutMs: 60_000 });
    expect(beforeFinal.get(before.requestId!)?.status).toBe('SUCCESS');

    await temporal!.stop();
    temporal = undefined;
    const during = { orderId: orderId('during'), amount: 2000 };
    expectUnavailable(await postRaw(stack.apiUrl, during, stack.merchants.apiKey));
    expect(await healthz(stack.apiUrl)).toBe(503);

    temporal = await startServer();
    await pollUntil(
      'the API to report healthy',
      async () => ((await healthz(stack.apiUrl)) === 200 ? true : undefined),
      30_000,
    );

    expect((await api.status(requestIdForKey(TEST_MERCHANT, during.orderId))).status).toBe(404);
    // The payment accepted before the outage is still there, with its result (answered by a
    // worker that reconnected by itself).
    const afterOutage = await api.waitForFinal([before.requestId!], { timeoutMs: 60_000 });
    expect(afterOutage.get(before.requestId!)).toMatchObject({
      status: 'SUCCESS',
      transactionId: beforeFinal.get(before.requestId!)!.transactionId,
    });

    // The refused payment, sent again, is processed once.
    const retried = await api.post(during);
    expect(retried.status).toBe(202);
    const retriedFinal = await api.waitForFinal([retried.requestId!], { timeoutMs: 90_000 });
    expect(retriedFinal.get(retried.requestId!)?.status).toBe('SUCCESS');
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(2);
    expect(pg.duplicateCharges).toBe(0);
  });
});
