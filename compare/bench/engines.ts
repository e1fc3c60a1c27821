/**
 * One adapter per engine: start it against the run's PG and Redis with the scenario's setup, and
 * the chaos levers (kill a worker, start one, restart the server). The bench drives every engine
 * through its HTTP API only; the figures come from the fake PG.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startBullmqStack } from '../bullmq/launch';
import type { ManagedProcess } from '../../src/infra/child-process';
import { PROJECT_ROOT } from '../../src/infra/paths';
import { freePort } from '../../src/infra/ports';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import type { FakePgHandle } from '../../src/launch/fake-pg';
import { startTemporalStack } from '../../src/launch/temporal-stack';
import type { BenchRedis } from './bench-redis';
import { killTree } from './kill-tree';
import type { Scenario } from './scenarios';
import type { EngineName } from './types';

export interface EngineSetup {
  scenario: Scenario;
  pg: FakePgHandle;
  redis: BenchRedis;
  /** A directory of this run's own, removed afterwards (Temporal's database file). */
  dir: string;
}

export interface RunningEngine {
  apiUrl: string;
  variant: string;
  notes: string[];
  killWorker(): Promise<string>;
  startWorker(): Promise<string>;
  restartServer(): Promise<string>;
  leakedPermits(): Promise<number | null>;
  stop(): Promise<void>;
}

export interface EngineAdapter {
  name: EngineName;
  /** Why the engine cannot run here, or undefined. */
  unavailable(): string | undefined;
  start(setup: EngineSetup): Promise<RunningEngine>;
}

const limitsEnv = (s: Scenario) => ({ PG_MAX_CONCURRENCY: String(s.engineLimits.concurrency), PG_RATE_LIMIT: String(s.engineLimits.ratePerSecond) });

async function killFirstAlive(processes: ManagedProcess[]): Promise<string> {
  const victim = processes.find((p) => p.child.exitCode === null && p.child.signalCode === null);
  if (!victim) return 'no live worker to kill';
  await killTree(victim);
  return `SIGKILL ${victim.name}`;
}

/** True once the shared PG gate of issue 6 (PG_PERMITS=redis) is in the worker's settings. */
const sharedPermitsSupported = (): boolean => readFileSync(path.join(PROJECT_ROOT, 'src/temporal/config.ts'), 'utf8').includes("'redis'");

const temporal: EngineAdapter = {
  name: 'temporal',
  unavailable: () => undefined,
  async start({ scenario, pg, redis, dir }) {
    const partitions = scenario.temporal?.partitions ?? 1;
    const admission = scenario.temporal?.admission ?? 'on';
    const port = await freePort();
    // Only the restart scenario needs the history on disk; the others keep SQLite in memory.
    const dbFile = scenario.chaos === 'restart-server' ? path.join(dir, 'temporal.db') : undefined;
    let server: RunningDevServer = await startDevServer({ port, dbFile, partitions });
    const shared = scenario.workers > 1 && admission === 'on' && sharedPermitsSupported();
    const workerEnv: NodeJS.ProcessEnv = {
      ...limitsEnv(scenario),
      WORKER_MAX_CONCURRENT_ACTIVITIES: String(scenario.engineLimits.concurrency),
      TASK_QUEUE_ACTIVITIES_PER_SECOND: String(scenario.engineLimits.ratePerSecond),
      PG_ADMISSION: admission,
      ...(shared ? { PG_PERMITS: 'redis', REDIS_URL: redis.url, PG_PERMITS_PREFIX: `bench:${path.basename(dir)}:` } : {}),
    };
    try {
      const stack = await startTemporalStack({ pg, workerEnv, workers: scenario.workers, temporal: server });
      const gate = admission === 'off' ? 'no admission step (built-in worker options only)' : shared ? 'admission shared in Redis (PG_PERMITS=redis)' : 'exact admission step per worker';
      const notes =
        scenario.workers > 1 && admission === 'on' && !shared
          ? ['the shared PG gate (PG_PERMITS=redis) is not in this tree: each worker keeps its own gate, so the PG may see up to 3x its limits']
          : [];
      return {
        apiUrl: stack.apiUrl,
        variant: `${scenario.workers} worker(s), ${gate}, ${partitions} task-queue partition(s), maxConcurrentActivityTaskExecutions=${scenario.engineLimits.concurrency}, maxTaskQueueActivitiesPerSecond=${scenario.engineLimits.ratePerSecond}${dbFile ? ', SQLite file' : ''}`,
        notes,
        killWorker: () => killFirstAlive(stack.workers),
        startWorker: async () => `started ${(await stack.startWorker()).name}`,
        async restartServer() {
          await killTree(server.process);
          server = await startDevServer({ port, dbFile, partitions });
          return 'SIGKILL the Temporal dev server, restarted on the same SQLite file';
        },
        leakedPermits: async () => null,
        async stop() {
          await stack.stop();
          await server.stop();
        },
      };
    } catch (err) {
      await server.stop();
      throw err;
    }
  },
};

const bullmq: EngineAdapter = {
  name: 'bullmq',
  unavailable: () => undefined,
  async start({ scenario, pg, redis }) {
    const stack = await startBullmqStack({ workers: scenario.workers, pgUrl: pg.url, redisUrl: redis.url, env: limitsEnv(scenario) });
    return {
      apiUrl: stack.apiUrl,
      variant: `${scenario.workers} worker(s), limiter {max: ${scenario.engineLimits.ratePerSecond}, duration: 1000}, queue global concurrency ${scenario.engineLimits.concurrency}, worker concurrency ${scenario.engineLimits.concurrency}, attempts 10 + exponential backoff, stalled-job check defaults`,
      notes: [],
      killWorker: () => killFirstAlive(stack.workers),
      startWorker: async () => `started ${(await stack.startWorker()).name}`,
      restartServer: async () => {
        await redis.restart();
        return 'SIGKILL redis-server, restarted on the same AOF';
      },
      leakedPermits: async () => null,
      stop: () => stack.stop(),
    };
  },
};

/** The baseline's launcher (compare/baseline/launch.ts), loaded when it exists. */
type BaselineMode = 'list' | 'list-reliable' | 'stream' | 'semaphore-only';
interface BaselineStack {
  apiUrl: string;
  consumers: ManagedProcess[];
  startConsumer(env?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  permitsInUse(): Promise<number>;
  stop(): Promise<void>;
}
interface BaselineLauncher {
  startBaselineStack(options: { mode: BaselineMode; consumers: number; pgUrl: string; redisUrl: string; keyPrefix?: string; env?: NodeJS.ProcessEnv }): Promise<BaselineStack>;
}
const BASELINE_LAUNCH = path.join(PROJECT_ROOT, 'compare', 'baseline', 'launch.ts');

function baseline(name: EngineName, mode: BaselineMode): EngineAdapter {
  return {
    name,
    unavailable: () => (existsSync(BASELINE_LAUNCH) ? undefined : 'compare/baseline/launch.ts is not in this tree yet'),
    async start({ scenario, pg, redis }) {
      const launcher = (await import(BASELINE_LAUNCH)) as BaselineLauncher;
      const stack = await launcher.startBaselineStack({ mode, consumers: scenario.workers, pgUrl: pg.url, redisUrl: redis.url, env: limitsEnv(scenario) });
      return {
        apiUrl: stack.apiUrl,
        variant: `BASELINE_MODE=${mode}, ${scenario.workers} consumer(s), semaphore of ${scenario.engineLimits.concurrency} permits`,
        notes: [],
        killWorker: () => killFirstAlive(stack.consumers),
        startWorker: async () => `started ${(await stack.startConsumer()).name}`,
        restartServer: async () => {
          await redis.restart();
          return 'SIGKILL redis-server, restarted on the same AOF';
        },
        leakedPermits: () => stack.permitsInUse(),
        stop: () => stack.stop(),
      };
    },
  };
}

export const ENGINES: Record<EngineName, EngineAdapter> = {
  temporal,
  bullmq,
  'redis-list': baseline('redis-list', 'list'),
  'redis-list-reliable': baseline('redis-list-reliable', 'list-reliable'),
  'redis-stream': baseline('redis-stream', 'stream'),
  'semaphore-only': baseline('semaphore-only', 'semaphore-only'),
};
