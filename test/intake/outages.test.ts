import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnTs } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { DURABLE_REDIS_ARGS, type RunningRedis, startRedis } from '../../src/infra/redis-server';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { PaymentsClient, paymentBodies } from '../../src/load/payments-client';
import { looksLikeStackTrace, pollUntil } from '../support/answers';

/**
 * The Redis intake (the default TEMPORAL_INTAKE=redis): a 202 is a payment in the payment store,
 * and from there it ends SUCCESS exactly once whatever is SIGKILLed and restarted on the way: the
 * API (and its starter), the store's Redis, the Temporal server.
 */
describe('Redis intake: the API, the store and the Temporal server SIGKILLed during a surge', () => {
  let dataDir: string;
  let temporalPort: number;
  let temporal: RunningDevServer | undefined;
  let stack: TemporalStack;
  let redis: RunningRedis | undefined;
  const stopLater: Array<{ stop(): Promise<void> }> = [];

  const startServer = () => startDevServer({ port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'intake-outages-'));
    temporalPort = await freePort();
    temporal = await startServer();
    redis = await startRedis({ dir: mkdtempSync(path.join(dataDir, 'redis-')), args: DURABLE_REDIS_ARGS });
    stack = await startTemporalStack({ temporal, redis, pgEnv: { PG_LATENCY_MS: '20-50' } });
  });
  afterAll(async () => {
    for (const s of stopLater.reverse()) await s.stop().catch(() => undefined);
    await stack?.stop();
    await redis?.stop();
    await temporal?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('then every payment that got a 202 is charged exactly once, a replay in the intake answers the same requestId, and a store that is down answers 503', async () => {
    const prefix = `outage-${randomUUID().slice(0, 8)}`;
    const first = await stack.api.burst(paymentBodies(150, `${prefix}-a`));
    expect(first.map((p) => p.status)).toEqual(first.map(() => 202));

    // The API and its starter die with most of the surge still in the intake; another starts.
    stack.apiProcess.kill('SIGKILL');
    await stack.apiProcess.exited;
    const apiPort = await freePort();
    const api2 = spawnTs('api-2', 'src/api/main.ts', { env: { ...stack.apiEnv, PORT: String(apiPort) } });
    stopLater.push(api2);
    await api2.waitForLine(/payments API listening/);
    const api = new PaymentsClient(`http://127.0.0.1:${apiPort}`, { apiKey: stack.merchants.apiKey });
    stopLater.push({ stop: () => api.close() });

    // The store's Redis dies: nothing can be accepted, and the API says so plainly.
    redis!.process.kill('SIGKILL');
    await redis!.process.exited;
    const refused = await api.post({ orderId: `${prefix}-refused`, amount: 500 });
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: 'unavailable' });
    expect(looksLikeStackTrace(JSON.stringify(refused.body))).toBe(false);
    // It comes back from its append-only file, on the same port.
    redis = await startRedis({ port: redis!.port, dir: redis!.dir, args: DURABLE_REDIS_ARGS });

    // The Temporal server dies: the intake still accepts, and answers the status from the store.
    temporal!.process.kill('SIGKILL');
    await temporal!.process.exited;
    const secondBodies = paymentBodies(50, `${prefix}-b`);
    const second = await api.burst(secondBodies);
    expect(second.map((p) => p.status)).toEqual(second.map(() => 202));
    const pending = await api.status(second[0]!.requestId!);
    expect(pending.status).toBe(200);
    expect(pending.body.status).toBe('PENDING');
    // Before its workflow exists: the same key and body is a replay, another body a conflict.
    const replay = await api.post(secondBodies[0]!);
    expect(replay.status).toBe(202);
    expect(replay.requestId).toBe(second[0]!.requestId);
    const conflict = await api.post({ ...secondBodies[0]!, amount: 999 });
    expect(conflict.status).toBe(409);
    // Still accepting: /healthz stays 200, degraded, and names Temporal down.
    const health = await pollUntil(
      '/healthz to name Temporal down',
      async () => {
        const res = await fetch(`${api.baseUrl}/healthz`);
        const body = (await res.json()) as { status: string; checks: Record<string, string> };
        return body.checks.temporal === 'down' ? { code: res.status, body } : undefined;
      },
      30_000,
    );
    expect(health).toEqual({
      code: 200,
      body: { status: 'degraded', checks: { 'payment-store': 'up', 'intake-starter': 'up', temporal: 'down' } },
    });
    temporal = await startServer();

    const ids = [...first, ...second].map((p) => p.requestId!);
    const final = await api.waitForFinal(ids, { timeoutMs: 240_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(ids.map(() => 'SUCCESS'));
    const pg = await stack.pg.client.stats();
    expect(pg.charges).toBe(200);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
  });
});
