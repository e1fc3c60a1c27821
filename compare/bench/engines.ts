/**
 * One adapter per engine: start it against the run's PG and Redis with the scenario's setup, and
 * the chaos levers (kill a worker, start one, restart the server). The bench drives every engine
 * through its HTTP API only; the figures come from the fake PG.
 */
import path from 'node:path';
import type { BaselineMode } from '../baseline/config';
import { startBaselineStack } from '../baseline/launch';
import { startBullmqStack } from '../bullmq/launch';
import { REDIS_DURABILITY, type SqliteSynchronous, sqliteDurability } from '../../src/config/durability';
import type { ManagedProcess } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import type { FakePgHandle } from '../../src/launch/fake-pg';
import { PaymentsClient } from '../../src/load/payments-client';
import type { MerchantsFixture } from '../../src/launch/merchants';
import { startTemporalStack } from '../../src/launch/temporal-stack';
import { defaultActivitySlots, defaultTaskQueueRate } from '../../src/temporal/config';
import type { BenchRedis } from './bench-redis';
import { killTree } from './kill-tree';
import { PG_ALT, PG_MAIN, type Scenario } from './scenarios';
import { stackPerPg } from './stack-per-pg';
import { writePgsFile } from './two-pgs';
import type { EngineName } from './types';

export interface EngineSetup {
  scenario: Scenario;
  pg: FakePgHandle;
  /** pg-outage's second PG; merchant B's payments go to it. */
  pgAlt?: FakePgHandle;
  redis: BenchRedis;
  /** A directory of this run's own, removed afterwards (Temporal's database file). */
  dir: string;
  /** The dev server's SQLite synchronous pragma (TEMPORAL_SQLITE_SYNCHRONOUS). */
  sqliteSynchronous: SqliteSynchronous;
}

export interface RunningEngine {
  apiUrl: string;
  /** The key of the merchant the load posts as. */
  apiKey: string;
  variant: string;
  /** What the engine's store promises once it has acknowledged a payment (src/config/durability.ts). */
  durability: string;
  /** Every process the engine runs now, its Redis included (the roots of their trees). */
  pids(): number[];
  killWorker(): Promise<string>;
  startWorker(): Promise<string>;
  restartServer(): Promise<string>;
  leakedPermits(): Promise<number | null>;
  /** The engine server's work so far, by counter (Temporal: its RPCs by operation, its persistence calls). */
  serverCounters?(): Promise<Record<string, number>>;
  /** A client that posts as a second merchant of the engine's (noisy-neighbour's B; pg-outage's pg-alt merchant). */
  neighbourClient?(): PaymentsClient;
  /** What the engine does with several merchants. */
  merchants?: string;
  stop(): Promise<void>;
}

export interface EngineAdapter {
  name: EngineName;
  start(setup: EngineSetup): Promise<RunningEngine>;
}

const limitsEnv = (s: Scenario) => ({
  PG_MAX_CONCURRENCY: String(s.engineLimits.concurrency),
  PG_RATE_LIMIT: String(s.engineLimits.ratePerSecond),
});

/**
 * noisy-neighbour's merchant B: a second merchant in the engine's merchants file, which its API
 * reloads within a second (long before the warm-up ends), and a client that posts with its key.
 * `pg` routes it to another PG (pg-outage).
 */
function neighbourOf(apiUrl: string, merchants: MerchantsFixture, how: string, pg?: string) {
  const apiKey = merchants.add('shop-neighbour', pg ? { pg } : {});
  return { neighbourClient: () => new PaymentsClient(apiUrl, { connections: 8, apiKey }), merchants: how };
}

const FIFO = 'two merchants, one first-in-first-out line';

const pidsOf = (...processes: Array<ManagedProcess | undefined>): number[] =>
  processes.flatMap((p) => (p?.child.pid !== undefined && p.child.exitCode === null ? [p.child.pid] : []));

async function killFirstAlive(processes: ManagedProcess[]): Promise<string> {
  const victim = processes.find((p) => p.child.exitCode === null && p.child.signalCode === null);
  if (!victim) return 'no live worker to kill';
  await killTree(victim);
  return `SIGKILL ${victim.name}`;
}

/** The chaos lever of the Redis-backed engines: their queue's server, killed and restarted on its AOF. */
async function restartRedis(redis: BenchRedis): Promise<string> {
  await redis.restart();
  return 'SIGKILL redis-server, restarted on the same AOF';
}

/**
 * What the dev server has done, from its own `/metrics`: the RPCs its frontend answered, by
 * operation (`rpc StartWorkflowExecution`), and its persistence calls (`persistence`, all
 * operations together, and by operation).
 */
async function temporalServerCounters(metricsPort: number): Promise<Record<string, number>> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  const counters: Record<string, number> = {};
  const add = (key: string, value: number) => (counters[key] = (counters[key] ?? 0) + value);
  for (const line of text.split('\n')) {
    const m = /^(service_requests|persistence_requests)(?:_total)?\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string | undefined> = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    const value = Number(m[3]);
    if (m[1] === 'service_requests' && labels.service_name === 'frontend') add(`rpc ${labels.operation}`, value);
    if (m[1] === 'persistence_requests') {
      add('persistence', value);
      add(`persistence ${labels.operation}`, value);
    }
  }
  return counters;
}

/**
 * The Temporal stack; `intake` sets TEMPORAL_INTAKE for its API and workers (`direct`: a workflow
 * start per request), unset for the project's default.
 */
const temporalEngine = (name: EngineName, intake?: 'direct'): EngineAdapter => ({
  name,
  async start({ scenario, pg, pgAlt, redis, dir, sqliteSynchronous }) {
    const partitions = scenario.temporal?.partitions ?? 1;
    const admission = scenario.temporal?.admission ?? 'on';
    const port = await freePort();
    const metricsPort = await freePort();
    // The history on disk in every run, at the class the other engines keep (src/config/durability.ts).
    const dbFile = path.join(dir, 'temporal.db');
    const startServer = () => startDevServer({ port, dbFile, partitions, synchronous: sqliteSynchronous, metricsPort });
    let server: RunningDevServer = await startServer();
    const shared = scenario.workers > 1 && admission === 'on';
    const taskQueueRate = defaultTaskQueueRate(scenario.engineLimits.ratePerSecond, admission === 'on');
    const intakeEnv = intake ? { TEMPORAL_INTAKE: intake } : {};
    // pg-outage: both PGs in PGS_FILE, for the API and the workers alike: a lane each.
    const pgsEnv = pgAlt ? { PGS_FILE: writePgsFile(dir, scenario, { [PG_MAIN]: pg, [PG_ALT]: pgAlt }) } : {};
    const workerEnv: NodeJS.ProcessEnv = {
      ...limitsEnv(scenario),
      ...intakeEnv,
      ...pgsEnv,
      TASK_QUEUE_ACTIVITIES_PER_SECOND: String(taskQueueRate),
      PG_ADMISSION: admission === 'off' ? 'off' : shared ? 'redis' : 'local',
      ...(shared ? { PG_ADMISSION_PREFIX: `bench:${path.basename(dir)}:` } : {}),
    };
    try {
      const stack = await startTemporalStack({
        pg,
        workerEnv,
        // The API paces its starter by the same limits (STARTER_WINDOW follows the PG's rate).
        apiEnv: { ...limitsEnv(scenario), ...intakeEnv, ...pgsEnv },
        workers: scenario.workers,
        temporal: server,
        // The payment store and the shared admission step on the run's Redis, at its durability.
        redis,
      });
      const admissionNote =
        admission === 'off'
          ? 'no admission step (built-in worker options only)'
          : shared
            ? 'admission shared in Redis (PG_ADMISSION=redis)'
            : 'exact admission step per worker';
      return {
        apiUrl: stack.apiUrl,
        apiKey: stack.merchants.apiKey,
        ...neighbourOf(
          stack.apiUrl,
          stack.merchants,
          pgAlt
            ? `two merchants on two PGs (PGS_FILE), one routed to ${PG_ALT}: a lane per PG (activity task queue, admission step, starter window)`
            : intake
              ? "two merchants, each workflow started by its request; the server's fairness by merchant"
              : "two merchants, an intake stream each taken in turns; the server's fairness by merchant",
          pgAlt ? PG_ALT : undefined,
        ),
        variant: `${intake ? `TEMPORAL_INTAKE=${intake}, ` : ''}${scenario.workers} worker(s), ${admissionNote}, ${partitions} task-queue partition(s), maxConcurrentActivityTaskExecutions=${defaultActivitySlots(scenario.engineLimits, admission === 'on')}, maxTaskQueueActivitiesPerSecond=${taskQueueRate}`,
        durability:
          intake === 'direct'
            ? sqliteDurability(sqliteSynchronous)
            : `payment store: ${REDIS_DURABILITY}; workflows: ${sqliteDurability(sqliteSynchronous)}`,
        pids: () => pidsOf(server.process, stack.apiProcess, ...stack.workers).concat(redis.pid() ?? []),
        killWorker: () => killFirstAlive(stack.workers),
        startWorker: async () => `started ${(await stack.startWorker()).name}`,
        async restartServer() {
          await killTree(server.process);
          server = await startServer();
          return 'SIGKILL the Temporal dev server, restarted on the same SQLite file';
        },
        leakedPermits: () => Promise.resolve(null),
        serverCounters: () => temporalServerCounters(metricsPort),
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
});

const bullmq: EngineAdapter = {
  name: 'bullmq',
  start: (setup) => stackPerPg(setup, (pgUrl, lane) => startBullmq(setup, pgUrl, lane)),
};

/** What the Redis-backed stacks (BullMQ's and the baseline's) have in common, as a running engine. */
interface RedisStack {
  apiUrl: string;
  merchants: MerchantsFixture;
  api: ManagedProcess;
  /** Its workers or consumers. */
  workers: ManagedProcess[];
  startWorker(): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

function redisStackEngine(
  redis: BenchRedis,
  stack: RedisStack,
  variant: string,
  leakedPermits: () => Promise<number | null>,
): RunningEngine {
  return {
    apiUrl: stack.apiUrl,
    apiKey: stack.merchants.apiKey,
    ...neighbourOf(stack.apiUrl, stack.merchants, FIFO),
    durability: REDIS_DURABILITY,
    pids: () => pidsOf(stack.api, ...stack.workers).concat(redis.pid() ?? []),
    variant,
    killWorker: () => killFirstAlive(stack.workers),
    startWorker: async () => `started ${(await stack.startWorker()).name}`,
    restartServer: () => restartRedis(redis),
    leakedPermits,
    stop: () => stack.stop(),
  };
}

async function startBullmq({ scenario, redis }: EngineSetup, pgUrl: string, lane: string): Promise<RunningEngine> {
  const stack = await startBullmqStack({
    workers: scenario.workers,
    pgUrl,
    redisUrl: redis.url,
    // pg-main's stack keeps BullMQ's default prefix; another PG's gets its own keys.
    prefix: lane === PG_MAIN ? 'bull' : `bull-${lane}`,
    env: limitsEnv(scenario),
  });
  return redisStackEngine(
    redis,
    stack,
    `${scenario.workers} worker(s), limiter {max: ${scenario.engineLimits.ratePerSecond}, duration: 1000}, queue global concurrency ${scenario.engineLimits.concurrency}, worker concurrency ${scenario.engineLimits.concurrency}, attempts 10 + exponential backoff, stalled-job check defaults`,
    () => Promise.resolve(null),
  );
}

function baseline(name: EngineName, mode: BaselineMode): EngineAdapter {
  // Each stack under the launcher's random key prefix, so stacks of two PGs never share a key.
  const startOne = async ({ scenario, redis }: EngineSetup, pgUrl: string): Promise<RunningEngine> => {
    const stack = await startBaselineStack({
      mode,
      consumers: scenario.workers,
      pgUrl,
      redisUrl: redis.url,
      env: limitsEnv(scenario),
    });
    return redisStackEngine(
      redis,
      { ...stack, workers: stack.consumers, startWorker: () => stack.startConsumer() },
      `BASELINE_MODE=${mode}, ${scenario.workers} consumer(s), semaphore of ${scenario.engineLimits.concurrency} permits`,
      () => stack.permitsInUse(),
    );
  };
  return { name, start: (setup) => stackPerPg(setup, (pgUrl) => startOne(setup, pgUrl)) };
}

export const ENGINES: Record<EngineName, EngineAdapter> = {
  temporal: temporalEngine('temporal'),
  'temporal-direct': temporalEngine('temporal-direct', 'direct'),
  bullmq,
  'redis-list': baseline('redis-list', 'list'),
  'redis-list-reliable': baseline('redis-list-reliable', 'list-reliable'),
  'redis-stream': baseline('redis-stream', 'stream'),
  'semaphore-only': baseline('semaphore-only', 'semaphore-only'),
};
