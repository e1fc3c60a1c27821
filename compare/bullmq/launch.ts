/**
 * Starts the BullMQ engine as real processes on free ports (API + workers) against a given PG and
 * Redis, for the tests and the benchmark; `stop()` ends them all. Shaped like the baseline's launcher.
 */
import { type ManagedProcess, spawnTs } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { type MerchantsFixture, createMerchantsFixture } from '../../src/launch/merchants';

export interface BullmqStackOptions {
  workers: number;
  pgUrl: string;
  redisUrl: string;
  /** Redis key prefix, so runs sharing a Redis do not meet. */
  prefix?: string;
  /** Extra settings for every process (PG limits, attempts). */
  env?: NodeJS.ProcessEnv;
  apiPort?: number;
  /** The API's merchants (its owner disposes of it); a fixture of one test merchant when absent. */
  merchants?: MerchantsFixture;
}

export interface BullmqStack {
  apiUrl: string;
  merchants: MerchantsFixture;
  api: ManagedProcess;
  workers: ManagedProcess[];
  startWorker(env?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export async function startBullmqStack(options: BullmqStackOptions): Promise<BullmqStack> {
  const started: ManagedProcess[] = [];
  const common = {
    REDIS_URL: options.redisUrl,
    BULLMQ_PREFIX: options.prefix ?? 'bull',
    PG_URL: options.pgUrl,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const workers: ManagedProcess[] = [];
  const merchants = options.merchants ?? createMerchantsFixture();
  const stop = async () => {
    await Promise.allSettled(started.reverse().map((p) => p.stop(5000)));
    if (!options.merchants) merchants.dispose();
  };
  const startWorker = async (env: NodeJS.ProcessEnv = {}) => {
    const worker = spawnTs(`bullmq-worker-${workers.length + 1}`, 'compare/bullmq/worker-main.ts', {
      env: { ...common, ...env },
    });
    workers.push(worker);
    started.push(worker);
    await worker.waitForLine(/bullmq worker ready/, 60_000);
    return worker;
  };
  try {
    const apiPort = options.apiPort ?? (await freePort());
    const api = spawnTs('bullmq-api', 'compare/bullmq/api-main.ts', {
      env: { ...common, BULLMQ_PORT: String(apiPort), MERCHANTS_FILE: merchants.file },
    });
    started.push(api);
    await Promise.all([
      api.waitForLine(/bullmq payments API listening/, 60_000),
      ...Array.from({ length: options.workers }, () => startWorker()),
    ]);
    return { apiUrl: `http://127.0.0.1:${apiPort}`, merchants, api, workers, startWorker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
