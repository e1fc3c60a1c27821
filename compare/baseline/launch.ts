/**
 * Starts the baseline as real processes on free ports: the API and N consumers of one mode,
 * against a given Redis and fake PG. Used by the tests and the benchmark; `stop()` ends them all.
 */
import { randomBytes } from 'node:crypto';
import { type ManagedProcess, spawnTs } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { type MerchantsFixture, createMerchantsFixture } from '../../src/launch/merchants';
import type { BaselineMode } from './config';
import { baselineKeys } from './keys';
import { permitsInUse } from './permit-pool';
import { connectRedis } from './redis';

export interface BaselineStackOptions {
  mode: BaselineMode;
  /** Consumer processes (none run in semaphore-only). */
  consumers: number;
  pgUrl: string;
  redisUrl: string;
  /** Key prefix in Redis; a random one when absent, so stacks never share keys by accident. */
  keyPrefix?: string;
  /** Extra environment for the API and every consumer (PG_MAX_CONCURRENCY, BASELINE_* …). */
  env?: NodeJS.ProcessEnv;
  apiPort?: number;
  /** The API's merchants (its owner disposes of it); a fixture of one test merchant when absent. */
  merchants?: MerchantsFixture;
}

export interface BaselineStack {
  apiUrl: string;
  merchants: MerchantsFixture;
  api: ManagedProcess;
  consumers: ManagedProcess[];
  /** Starts one more consumer (extra env on top of the stack's), resolved once it is ready. */
  startConsumer(env?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  /** Permits of the global semaphore held now, read from Redis. */
  permitsInUse(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * spawnTs runs the entry under the tsx CLI, which starts the real process as its child: a SIGKILL
 * to the CLI would leave the real one running. Kill the process named by its readiness line's pid.
 */
function killingTheRealProcess(proc: ManagedProcess, readyLine: string): ManagedProcess {
  let pid: number | undefined;
  try {
    pid = Number((JSON.parse(readyLine) as { pid?: unknown }).pid) || undefined;
  } catch {
    pid = undefined;
  }
  return {
    ...proc,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (pid && proc.child.exitCode === null && proc.child.signalCode === null) {
        try {
          process.kill(pid, signal);
        } catch {
          /* already gone */
        }
      }
      proc.kill(signal);
    },
  };
}

export async function startBaselineStack(options: BaselineStackOptions): Promise<BaselineStack> {
  const keyPrefix = options.keyPrefix ?? `bl-${randomBytes(4).toString('hex')}:`;
  const common: NodeJS.ProcessEnv = {
    REDIS_URL: options.redisUrl,
    BASELINE_MODE: options.mode,
    REDIS_KEY_PREFIX: keyPrefix,
    PG_URL: options.pgUrl,
    ...options.env,
    // The readiness lines are info lines: a quieter level would hide them from the launcher.
    LOG_LEVEL: 'info',
  };
  const permits = Number(common.PG_MAX_CONCURRENCY ?? 10);
  const redis = connectRedis(options.redisUrl);
  const merchants = options.merchants ?? createMerchantsFixture();
  const started: Array<{ stop(): Promise<void> }> = [];
  if (!options.merchants) started.push({ stop: () => Promise.resolve(merchants.dispose()) });
  const stop = async () => {
    await Promise.allSettled(started.reverse().map((s) => s.stop()));
    redis.disconnect();
  };

  const consumers: ManagedProcess[] = [];
  const startConsumer = async (env: NodeJS.ProcessEnv = {}) => {
    const name = `consumer-${consumers.length + 1}`;
    const spawned = spawnTs(name, 'compare/baseline/consumer-main.ts', {
      env: { CONSUMER_ID: `${name}-${randomBytes(3).toString('hex')}`, ...common, ...env },
    });
    started.push(spawned);
    const consumer = killingTheRealProcess(spawned, await spawned.waitForLine(/consumer ready/, 60_000));
    consumers.push(consumer);
    return consumer;
  };

  try {
    const apiPort = options.apiPort ?? (await freePort());
    const spawnedApi = spawnTs('baseline-api', 'compare/baseline/api-main.ts', {
      env: { ...common, BASELINE_PORT: String(apiPort), MERCHANTS_FILE: merchants.file },
    });
    started.push(spawnedApi);
    const consumerCount = options.mode === 'semaphore-only' ? 0 : options.consumers;
    const [apiReady] = await Promise.all([
      spawnedApi.waitForLine(/baseline API listening on/, 60_000),
      ...Array.from({ length: consumerCount }, () => startConsumer()),
    ]);
    const api = killingTheRealProcess(spawnedApi, apiReady);
    return {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      merchants,
      api,
      consumers,
      startConsumer,
      permitsInUse: () => permitsInUse(redis, baselineKeys(keyPrefix), options.mode, permits),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
