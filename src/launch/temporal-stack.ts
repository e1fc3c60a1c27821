/**
 * Starts the Temporal engine as real processes on free ports: the dev server, the fake PG,
 * worker(s) and the API. Used by the tests (each file gets its own) and the benchmark; `stop()`
 * ends them all.
 */
import { randomUUID } from 'node:crypto';
import { type ManagedProcess, spawnTs } from '../infra/child-process';
import { freePort } from '../infra/ports';
import { DURABLE_REDIS_ARGS, startRedis } from '../infra/redis-server';
import { type RunningDevServer, startDevServer } from '../infra/temporal-dev-server';
import { type FakePgHandle, startFakePg } from './fake-pg';
import { type MerchantsFixture, createMerchantsFixture } from './merchants';
import { PaymentsClient } from '../load/payments-client';

export interface TemporalStack {
  temporal: RunningDevServer;
  pg: FakePgHandle;
  /** The payment store's Redis (its intake and status records), with the AOF on as in `npm start`. */
  redisUrl: string;
  api: PaymentsClient;
  apiUrl: string;
  /** The merchants the API knows; `api` sends the first one's key. */
  merchants: MerchantsFixture;
  taskQueue: string;
  workers: ManagedProcess[];
  apiProcess: ManagedProcess;
  /** Everything the API process was started with, to start another like it. */
  apiEnv: NodeJS.ProcessEnv;
  workerEnv: NodeJS.ProcessEnv;
  startWorker(extraEnv?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export interface StackOptions {
  pgEnv?: NodeJS.ProcessEnv;
  workerEnv?: NodeJS.ProcessEnv;
  /** Settings of the API process (src/temporal/config.ts, loadApiConfig). */
  apiEnv?: NodeJS.ProcessEnv;
  workers?: number;
  /** Reuse a running dev server instead of starting one. */
  temporal?: RunningDevServer;
  /** Reuse a running fake PG (its owner stops it) instead of starting one with pgEnv. */
  pg?: FakePgHandle;
  /** The API's merchants (its owner disposes of it); a fixture of one test merchant when absent. */
  merchants?: MerchantsFixture;
  /**
   * Reuse a running Redis (its owner stops it) instead of starting one. The API and the workers
   * must share it, so set it here, never as REDIS_URL in one process's env.
   */
  redis?: { url: string };
}

export async function startTemporalStack(options: StackOptions = {}): Promise<TemporalStack> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    await Promise.allSettled(started.reverse().map((s) => s.stop()));
  };
  try {
    const temporal = options.temporal ?? (await startDevServer({ port: await freePort() }));
    if (!options.temporal) started.push(temporal);
    const pg = options.pg ?? (await startFakePg(options.pgEnv));
    if (!options.pg) started.push(pg.process);
    const merchants = options.merchants ?? createMerchantsFixture();
    if (!options.merchants) started.push({ stop: () => Promise.resolve(merchants.dispose()) });
    const ownRedis = options.redis ? undefined : await startRedis({ args: DURABLE_REDIS_ARGS });
    if (ownRedis) started.push(ownRedis);
    const redis = options.redis ?? ownRedis!;
    const taskQueue = `payments-${randomUUID().slice(0, 8)}`;
    const common = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'warn',
    };
    const workerEnv = { ...common, PG_URL: pg.url, ...options.workerEnv };
    const workers: ManagedProcess[] = [];
    const startWorker = async (extraEnv: NodeJS.ProcessEnv = {}) => {
      const worker = spawnTs(`worker-${workers.length + 1}`, 'src/temporal/worker-main.ts', {
        env: { ...workerEnv, ...extraEnv, LOG_LEVEL: 'info' },
      });
      workers.push(worker);
      started.push(worker);
      await worker.waitForLine(/worker polling/, 90_000);
      return worker;
    };
    const apiPort = await freePort();
    const apiEnv = {
      ...common,
      MERCHANTS_FILE: merchants.file,
      ...options.apiEnv,
      PORT: String(apiPort),
      LOG_LEVEL: 'info',
    };
    const apiProcess = spawnTs('api', 'src/api/main.ts', { env: apiEnv });
    started.push(apiProcess);
    await Promise.all([
      apiProcess.waitForLine(/payments API listening/),
      ...Array.from({ length: options.workers ?? 1 }, () => startWorker()),
    ]);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = new PaymentsClient(apiUrl, { apiKey: merchants.apiKey });
    started.push({ stop: () => api.close() });
    return {
      temporal,
      pg,
      redisUrl: redis.url,
      api,
      apiUrl,
      merchants,
      taskQueue,
      workers,
      apiProcess,
      apiEnv,
      workerEnv,
      startWorker,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
