/** Settings of the Temporal engine's processes (docs/design.md §6), each read and validated once. */
import { z } from 'zod';
import { ADMISSION_KINDS, type AdmissionKind, withCurrentAdmissionNames } from '../config/admission-settings';
import { ConfigError, env, readEnv } from '../config/env';
import { DEFAULT_PG } from './routing';
import { type PgSettings, pgsOf, pgsShape } from '../config/pgs';
import { merchantsFileShape } from '../merchants/config';
import { httpLimitsOf, httpLimitsShape } from '../config/http-settings';
import type { ConnectionLimits } from '../infra/connection-guard';
import { type Pace, paceOfPg } from '../intake/start-pace';

/** Where Temporal is; shared by the worker and the API. */
export const temporalConnectionShape = {
  TEMPORAL_ADDRESS: env.string('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: env.string('default'),
  TEMPORAL_TASK_QUEUE: env.string('payments'),
};

export interface TemporalConnectionConfig {
  address: string;
  namespace: string;
  taskQueue: string;
}

const connectionOf = (e: {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TASK_QUEUE: string;
}): TemporalConnectionConfig => ({
  address: e.TEMPORAL_ADDRESS,
  namespace: e.TEMPORAL_NAMESPACE,
  taskQueue: e.TEMPORAL_TASK_QUEUE,
});

/** Which task queues a worker process polls: the workflows', the PG activity's, or both. */
export const WORKER_ROLES = ['all', 'workflows', 'pg'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** The Redis that holds the payment store (intake/payment-store.ts), and its key prefix. */
export interface StoreConfig {
  redisUrl: string;
  prefix: string;
}

const storeShape = {
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  PAYMENT_STORE_PREFIX: env.string('payments:'),
};

/** One PG's lane in a worker: its PG, and the worker options of its own task queue. */
export interface PgLane {
  pg: PgSettings;
  /** maxConcurrentActivityTaskExecutions (Java: maxConcurrentActivityExecutionSize), per worker. */
  maxConcurrentActivities: number;
  /** maxTaskQueueActivitiesPerSecond: enforced by the server for the lane's whole task queue. */
  taskQueueActivitiesPerSecond: number;
  /** The lane's admission step's Redis prefix when shared: workers of one PG share it. */
  admissionPrefix: string;
}

export interface WorkerConfig {
  temporal: TemporalConnectionConfig;
  role: WorkerRole;
  store: StoreConfig;
  /** The PGs this worker calls (WORKER_PGS of PGS_FILE, all by default), one lane each. */
  lanes: PgLane[];
  /** The exact admission step in front of each PG, and which one (see temporal/admission-choice.ts). */
  admission: AdmissionConfig;
  /** A file that gets a line per PG call sent (request id, attempt, epoch ms): a diagnostic, off when unset. */
  sentLog?: string;
  /** The worker's payment metrics endpoint (port 0: any free one; the API finds it) and the SDK's own exporter (off when unset). */
  metrics: { host: string; port: number; sdkPort?: number };
  logLevel: string;
}

export interface AdmissionConfig {
  /**
   * local: one process's exact step; redis: one step shared by all workers; share: limit /
   * WORKER_COUNT each; off: none, the built-in worker options alone.
   */
  kind: AdmissionKind;
  /** Added to the one-second window. */
  marginMs: number;
  redisUrl: string;
  /** A dead worker's slots come back within this. */
  leaseMs: number;
  /** This worker's place among WORKER_COUNT, for `share`. */
  workerIndex: number;
  workerCount: number;
}

/**
 * The server's task-queue limit when none is set. It is a token bucket: at exactly the PG's rate it
 * hands out tasks evenly, 100 ms apart at 10/s, while the PG's sliding second lets 10 calls start
 * together. Behind the exact admission step the worker then waits for tasks instead of for the PG
 * (0.4 s of a burst of 500), so there it is twice the rate: a bound, not the limit. Without the
 * step it is the only rate limit, so it is the rate itself (the study document's setting).
 */
export const defaultTaskQueueRate = (pgRatePerSecond: number, admission: boolean): number =>
  admission ? 2 * pgRatePerSecond : pgRatePerSecond;

/**
 * A lane's activity slots when none are set. Without the admission step they are the PG's
 * concurrency limit itself. With it, the step keeps the limits, and an activity waiting there for
 * the rate holds a slot: with slots = concurrency, each second's calls took every slot, so another
 * merchant's task waited for the next second's cluster (noisy-neighbour: B's p99 1.5-2.7 s,
 * docs/pgs.md). Twice the concurrency is the starter's window at the default 10/s and 10 at once:
 * every payment the API lets Temporal hold has a slot, and none waits behind a full worker.
 */
export const defaultActivitySlots = (pg: { concurrency: number }, admission: boolean): number =>
  admission ? 2 * pg.concurrency : pg.concurrency;

export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): WorkerConfig {
  const e = readEnv(
    {
      ...temporalConnectionShape,
      // Unset: each lane's defaultActivitySlots. Set: every lane's.
      WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
      TASK_QUEUE_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
      ...pgsShape,
      // Comma-separated PG names this worker calls; unset: every PG.
      WORKER_PGS: z.string().optional(),
      PG_ADMISSION: z.enum(ADMISSION_KINDS).default('local'),
      // Covers the PG-side delay between a call's socket write and its arrival stamp (README,
      // "Why the margin is 15 ms"): at most 7.6 ms measured once the fake PG's memory-reducer GC
      // was gone; that GC's 10-29 ms pauses were what let 429s through at 10 and 15 ms before.
      PG_RATE_MARGIN_MS: z.coerce.number().int().min(0).max(1000).default(15),
      ...storeShape,
      WORKER_ROLE: z.enum(WORKER_ROLES).default('all'),
      // The Redis keys hold permits; workers of the previous release use the same prefix.
      PG_ADMISSION_PREFIX: env.string('pg:permits:'),
      PG_ADMISSION_LEASE_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
      WORKER_INDEX: z.coerce.number().int().min(0).default(0),
      WORKER_COUNT: env.positiveInt(1),
      WORKER_METRICS_HOST: env.host(),
      WORKER_METRICS_PORT: env.port(0),
      SDK_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
      // Each PG call's send time, to set beside the PG's arrival stamps (scripts/measure-outage-recovery.ts).
      PG_SENT_LOG: z.string().min(1).optional(),
      LOG_LEVEL: env.logLevel(),
    },
    withCurrentAdmissionNames(source, warn),
  );
  return {
    temporal: connectionOf(e),
    role: e.WORKER_ROLE,
    store: { redisUrl: e.REDIS_URL, prefix: e.PAYMENT_STORE_PREFIX },
    admission: {
      kind: e.PG_ADMISSION,
      marginMs: e.PG_RATE_MARGIN_MS,
      redisUrl: e.REDIS_URL,
      leaseMs: e.PG_ADMISSION_LEASE_MS,
      workerIndex: e.WORKER_INDEX,
      workerCount: e.WORKER_COUNT,
    },
    metrics: { host: e.WORKER_METRICS_HOST, port: e.WORKER_METRICS_PORT, sdkPort: e.SDK_METRICS_PORT },
    sentLog: e.PG_SENT_LOG,
    lanes: chosenPgs(pgsOf(e), e.WORKER_PGS).map((pg) => ({
      pg,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES ?? defaultActivitySlots(pg, e.PG_ADMISSION !== 'off'),
      taskQueueActivitiesPerSecond:
        e.TASK_QUEUE_ACTIVITIES_PER_SECOND ?? defaultTaskQueueRate(pg.ratePerSecond, e.PG_ADMISSION !== 'off'),
      // pg-main keeps the prefix of the release before several PGs, so both share its permits.
      admissionPrefix: pg.name === DEFAULT_PG ? e.PG_ADMISSION_PREFIX : `${e.PG_ADMISSION_PREFIX}${pg.name}:`,
    })),
    logLevel: e.LOG_LEVEL,
  };
}

/** The PGs named by WORKER_PGS, or all of them. */
function chosenPgs(pgs: PgSettings[], names: string | undefined): PgSettings[] {
  if (!names) return pgs;
  return names.split(',').map((raw) => {
    const name = raw.trim();
    const pg = pgs.find((p) => p.name === name);
    if (!pg)
      throw new ConfigError(`invalid setting WORKER_PGS: no PG named ${JSON.stringify(name)} in the PGs configured`);
    return pg;
  });
}

export interface ApiConfig {
  temporal: TemporalConnectionConfig;
  host: string;
  port: number;
  /** Base URL of the Temporal Web UI, for links in status answers. */
  webUiUrl: string;
  /** Deadline of each call to Temporal; past it the API answers 503. */
  temporalTimeoutMs: number;
  /** Workflow starts in flight to the server at once (TEMPORAL_START_CONCURRENCY). */
  startConcurrency: number;
  /**
   * redis: a payment is accepted into the payment store's intake stream and a starter turns it
   * into its workflow; direct: the request starts the workflow itself (the earlier path).
   */
  intake: IntakeMode;
  store: StoreConfig;
  /** The PGs payments are routed to (PGS_FILE). */
  pgs: PgSettings[];
  /** Payments of a PG started and not ended that the starter lets Temporal hold. */
  starterWindow(pg: string): number;
  /** How fast the starter starts a PG's payments (STARTER_PACE): undefined, as its window frees. */
  starterPace(pg: string): Pace | undefined;
  /** Workflow queries a second that status reads may spend; past it the store answers. */
  statusQueriesPerSecond: number;
  /** Deadline of a status read's call to Temporal. */
  statusTimeoutMs: number;
  /** Who may call the API (MERCHANTS_FILE). */
  merchantsFile: string;
  /** Timeouts and the cap on connections (HTTP_MAX_CONNECTIONS). */
  httpLimits: ConnectionLimits;
  /** The workers' shared admission step's Redis (PG_ADMISSION=redis), which `/healthz` checks. */
  admissionRedisUrl?: string;
  logLevel: string;
}

/**
 * Two seconds of a PG's work ahead of it: a payment is started, dispatched and at the PG's gate
 * well within that, so the PG never waits for a start. Not more: a window of ten seconds (100 at
 * 10/s) started all at once put 100 starts and first workflow tasks on the two cores before the
 * tenth PG call (1.3 s after the burst instead of 0.8 s, scripts/measure-first-seconds.ts). Per
 * PG, so one that is down fills only its own.
 */
export const defaultStarterWindow = (pg: { concurrency: number; ratePerSecond: number }): number =>
  Math.max(2 * pg.concurrency, 2 * pg.ratePerSecond);

export const STARTER_PACES = ['pg', 'none'] as const;

export const INTAKE_MODES = ['redis', 'direct'] as const;
export type IntakeMode = (typeof INTAKE_MODES)[number];

export function loadApiConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = readEnv(
    {
      ...temporalConnectionShape,
      HOST: env.host(),
      PORT: env.port(3000),
      TEMPORAL_WEB_UI_URL: env.url('http://127.0.0.1:8233'),
      TEMPORAL_TIMEOUT_MS: env.positiveInt(5000),
      TEMPORAL_START_CONCURRENCY: env.positiveInt(16),
      TEMPORAL_INTAKE: z.enum(INTAKE_MODES).default('redis'),
      ...storeShape,
      // Unset: each PG's defaultStarterWindow. Set: every PG's.
      STARTER_WINDOW: z.coerce.number().int().positive().optional(),
      // pg: a PG's payments started at its own pace (src/intake/start-pace.ts); none: all its
      // window at once, kept to measure against.
      STARTER_PACE: z.enum(STARTER_PACES).default('pg'),
      // Each query costs the server, the worker and the API about 14 ms of CPU together: at 20 a
      // second beside 500 pollers they took a quarter of the machine (docs/front-door.md).
      STATUS_QUERIES_PER_SECOND: env.nonNegative(5),
      STATUS_TIMEOUT_MS: env.positiveInt(1000),
      PG_ADMISSION: z.enum(ADMISSION_KINDS).default('local'),
      ...pgsShape,
      LOG_LEVEL: env.logLevel(),
      ...merchantsFileShape,
      ...httpLimitsShape,
    },
    // The workers warn about old admission names; the API reads them silently.
    withCurrentAdmissionNames(source, () => undefined),
  );
  const pgs = pgsOf(e);
  return {
    temporal: connectionOf(e),
    merchantsFile: e.MERCHANTS_FILE,
    httpLimits: httpLimitsOf(e),
    host: e.HOST,
    port: e.PORT,
    webUiUrl: e.TEMPORAL_WEB_UI_URL.replace(/\/$/, ''),
    temporalTimeoutMs: e.TEMPORAL_TIMEOUT_MS,
    startConcurrency: e.TEMPORAL_START_CONCURRENCY,
    intake: e.TEMPORAL_INTAKE,
    store: { redisUrl: e.REDIS_URL, prefix: e.PAYMENT_STORE_PREFIX },
    pgs,
    starterWindow: (name) => {
      const pg = pgs.find((p) => p.name === name);
      // A PG no lane serves (a merchant's that was removed from PGS_FILE): its payments wait.
      return pg ? (e.STARTER_WINDOW ?? defaultStarterWindow(pg)) : 0;
    },
    starterPace: (name) => {
      const pg = pgs.find((p) => p.name === name);
      return pg && e.STARTER_PACE === 'pg' ? paceOfPg(pg) : undefined;
    },
    statusQueriesPerSecond: e.STATUS_QUERIES_PER_SECOND,
    statusTimeoutMs: e.STATUS_TIMEOUT_MS,
    admissionRedisUrl: e.PG_ADMISSION === 'redis' ? e.REDIS_URL : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
