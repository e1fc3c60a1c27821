/** Settings of the Temporal engine's processes (docs/design.md §6), each read and validated once. */
import { z } from 'zod';
import { ADMISSION_KINDS, type AdmissionKind, withCurrentAdmissionNames } from '../config/admission-settings';
import { env, readEnv } from '../config/env';
import { merchantsFileShape } from '../merchants/config';
import { httpLimitsOf, httpLimitsShape } from '../config/http-settings';
import type { ConnectionLimits } from '../infra/connection-guard';

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

export interface WorkerConfig {
  temporal: TemporalConnectionConfig;
  role: WorkerRole;
  store: StoreConfig;
  /** maxConcurrentActivityTaskExecutions (Java: maxConcurrentActivityExecutionSize), per worker. */
  maxConcurrentActivities: number;
  /** maxTaskQueueActivitiesPerSecond: enforced by the server for the whole task queue. */
  taskQueueActivitiesPerSecond: number;
  pg: { url: string; concurrency: number; ratePerSecond: number };
  /** The exact admission step in front of the PG, and which one (see temporal/admission-choice.ts). */
  admission: AdmissionConfig;
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
  /** Redis key prefix; workers of one PG share it. */
  prefix: string;
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

export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): WorkerConfig {
  const e = readEnv(
    {
      ...temporalConnectionShape,
      WORKER_MAX_CONCURRENT_ACTIVITIES: env.positiveInt(10),
      TASK_QUEUE_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
      PG_URL: env.url('http://127.0.0.1:4000'),
      PG_MAX_CONCURRENCY: env.positiveInt(10),
      PG_RATE_LIMIT: env.positiveInt(10),
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
      prefix: e.PG_ADMISSION_PREFIX,
      leaseMs: e.PG_ADMISSION_LEASE_MS,
      workerIndex: e.WORKER_INDEX,
      workerCount: e.WORKER_COUNT,
    },
    metrics: { host: e.WORKER_METRICS_HOST, port: e.WORKER_METRICS_PORT, sdkPort: e.SDK_METRICS_PORT },
    maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    taskQueueActivitiesPerSecond:
      e.TASK_QUEUE_ACTIVITIES_PER_SECOND ?? defaultTaskQueueRate(e.PG_RATE_LIMIT, e.PG_ADMISSION !== 'off'),
    pg: { url: e.PG_URL, concurrency: e.PG_MAX_CONCURRENCY, ratePerSecond: e.PG_RATE_LIMIT },
    logLevel: e.LOG_LEVEL,
  };
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
  /** Payments started and not ended that the starter lets Temporal hold. */
  starterWindow: number;
  /** Workflow queries a second that status reads may spend; past it the store answers. */
  statusQueriesPerSecond: number;
  /** Deadline of a status read's call to Temporal. */
  statusTimeoutMs: number;
  /** The PG's concurrency limit: the engine's PG slots in `/metrics`. */
  pgConcurrency: number;
  /** Who may call the API (MERCHANTS_FILE). */
  merchantsFile: string;
  /** Timeouts and the cap on connections (HTTP_MAX_CONNECTIONS). */
  httpLimits: ConnectionLimits;
  /** The workers' shared admission step's Redis (PG_ADMISSION=redis), which `/healthz` checks. */
  admissionRedisUrl?: string;
  logLevel: string;
}

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
      // Ten seconds of the PG's work ahead of it: enough that the PG never waits for a start.
      STARTER_WINDOW: z.coerce.number().int().positive().optional(),
      STATUS_QUERIES_PER_SECOND: env.nonNegative(20),
      STATUS_TIMEOUT_MS: env.positiveInt(1000),
      PG_MAX_CONCURRENCY: env.positiveInt(10),
      PG_RATE_LIMIT: env.positiveInt(10),
      PG_ADMISSION: z.enum(ADMISSION_KINDS).default('local'),
      LOG_LEVEL: env.logLevel(),
      ...merchantsFileShape,
      ...httpLimitsShape,
    },
    // The workers warn about old admission names; the API reads them silently.
    withCurrentAdmissionNames(source, () => undefined),
  );
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
    starterWindow: e.STARTER_WINDOW ?? Math.max(2 * e.PG_MAX_CONCURRENCY, 10 * e.PG_RATE_LIMIT),
    statusQueriesPerSecond: e.STATUS_QUERIES_PER_SECOND,
    statusTimeoutMs: e.STATUS_TIMEOUT_MS,
    pgConcurrency: e.PG_MAX_CONCURRENCY,
    admissionRedisUrl: e.PG_ADMISSION === 'redis' ? e.REDIS_URL : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
