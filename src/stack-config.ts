/** Settings of `npm start` (docs/design.md §6, §7), read and validated once. */
import path from 'node:path';
import { z } from 'zod';
import {
  ADMISSION_KINDS,
  type AdmissionKind,
  currentAdmissionNamesOnly,
  withCurrentAdmissionNames,
} from './config/admission-settings';
import { type SqliteSynchronous, sqliteSynchronousSetting } from './config/durability';
import { env, readEnv } from './config/env';
import { DATA_DIR } from './infra/paths';
import { type PgSettings, pgsOf, pgsShape } from './config/pgs';
import { merchantsFileShape } from './merchants/config';

export interface StackConfig {
  workers: number;
  persistence: 'sqlite' | 'postgres';
  apiPort: number;
  /** The PGs (PGS_FILE, or pg-main on PG_PORT); a fake PG is started for each on loopback. */
  pgs: PgSettings[];
  /** The PG settings every worker and the API get, so they route as this stack does. */
  pgsEnv: NodeJS.ProcessEnv;
  temporalPort: number;
  uiPort: number;
  /** Task-queue partitions of the dev server; 1 keeps its rate limiter in one bucket. */
  partitions: number;
  dbFile: string;
  /** The dev server's SQLite `synchronous` pragma (TEMPORAL_SQLITE_SYNCHRONOUS, src/config/durability.ts). */
  sqliteSynchronous: SqliteSynchronous;
  /** The workers' PG admission step (temporal/admission-choice.ts); `redis` as soon as there are two workers. */
  admission: AdmissionKind;
  /** The admission settings the workers get: current names only (see config/admission-settings.ts). */
  workerAdmissionEnv: NodeJS.ProcessEnv;
  /**
   * The payment store's Redis (and the shared PG admission's): REDIS_URL when set, else a
   * redis-server of the stack's own on `redisPort`, its append-only file in `redisDir`.
   */
  redisUrl?: string;
  redisPort: number;
  redisDir: string;
  /** TEMPORAL_PERSISTENCE=postgres: the machine's PostgreSQL and the server's two databases. */
  postgres: { host: string; port: number; user: string; database: string; visibilityDatabase: string };
  /** Worker i serves its payment metrics on workerMetricsPort + i and the SDK's series on sdkMetricsPort + i. */
  workerMetricsPort: number;
  sdkMetricsPort: number;
  /** Who may call the API (MERCHANTS_FILE); made with a demo merchant on the first start. */
  merchantsFile: string;
  /** Each part's log file (.data/logs/<part>.log); the terminal gets the setup steps and the URLs. */
  logDir: string;
  /** LOG_LEVEL=debug or trace: every part's lines on the terminal too, the workflow bundler's among them. */
  verbose: boolean;
}

export function loadStackConfig(source: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): StackConfig {
  const current = withCurrentAdmissionNames(source, warn);
  const e = readEnv(
    {
      WORKERS: z.coerce.number().int().min(1).max(32).default(1),
      TEMPORAL_PERSISTENCE: z.enum(['sqlite', 'postgres']).default('sqlite'),
      PORT: env.port(3000),
      PG_PORT: env.port(4000),
      ...pgsShape,
      PG_URL: z.string().url().optional(),
      TEMPORAL_PORT: env.port(7233),
      TEMPORAL_UI_PORT: env.port(8233),
      TEMPORAL_TASK_QUEUE_PARTITIONS: z.coerce.number().int().min(1).max(64).default(1),
      TEMPORAL_DB_FILE: env.string(path.join(DATA_DIR, 'temporal.sqlite')),
      TEMPORAL_SQLITE_SYNCHRONOUS: sqliteSynchronousSetting,
      PG_ADMISSION: z.enum(ADMISSION_KINDS).optional(),
      REDIS_URL: z.string().url().optional(),
      REDIS_PORT: env.port(6390),
      TEMPORAL_PG_HOST: env.host(),
      TEMPORAL_PG_PORT: env.port(5432),
      TEMPORAL_PG_USER: env.string('postgres'),
      TEMPORAL_PG_DATABASE: env.string('temporal'),
      TEMPORAL_PG_VISIBILITY_DATABASE: env.string('temporal_visibility'),
      WORKER_METRICS_PORT: env.positiveInt(9470),
      SDK_METRICS_PORT: env.positiveInt(9464),
      ...merchantsFileShape,
      LOG_LEVEL: env.logLevel(),
    },
    current,
  );
  // Without PGS_FILE or PG_URL, pg-main is the fake PG this stack starts on PG_PORT.
  const pgUrl = e.PG_URL ?? `http://127.0.0.1:${e.PG_PORT}`;
  const pgs = pgsOf({ ...e, PG_URL: pgUrl });
  const pgsEnv = e.PGS_FILE ? { PGS_FILE: e.PGS_FILE } : { PG_URL: pgUrl };
  // One worker's in-process step is exact; more workers need the shared one (docs/scale-out.md).
  const admission = e.PG_ADMISSION ?? (e.WORKERS > 1 ? 'redis' : 'local');
  return {
    workers: e.WORKERS,
    persistence: e.TEMPORAL_PERSISTENCE,
    apiPort: e.PORT,
    pgs,
    pgsEnv,
    temporalPort: e.TEMPORAL_PORT,
    uiPort: e.TEMPORAL_UI_PORT,
    partitions: e.TEMPORAL_TASK_QUEUE_PARTITIONS,
    dbFile: e.TEMPORAL_DB_FILE,
    sqliteSynchronous: e.TEMPORAL_SQLITE_SYNCHRONOUS,
    admission,
    workerAdmissionEnv: { ...currentAdmissionNamesOnly(current), PG_ADMISSION: admission },
    redisUrl: e.REDIS_URL,
    redisPort: e.REDIS_PORT,
    redisDir: path.join(DATA_DIR, 'redis'),
    postgres: {
      host: e.TEMPORAL_PG_HOST,
      port: e.TEMPORAL_PG_PORT,
      user: e.TEMPORAL_PG_USER,
      database: e.TEMPORAL_PG_DATABASE,
      visibilityDatabase: e.TEMPORAL_PG_VISIBILITY_DATABASE,
    },
    workerMetricsPort: e.WORKER_METRICS_PORT,
    sdkMetricsPort: e.SDK_METRICS_PORT,
    merchantsFile: e.MERCHANTS_FILE,
    logDir: path.join(DATA_DIR, 'logs'),
    verbose: e.LOG_LEVEL === 'debug' || e.LOG_LEVEL === 'trace',
  };
}
