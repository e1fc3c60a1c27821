/** Settings of `npm start` (DESIGN §6, §7), read and validated once. */
import path from 'node:path';
import { z } from 'zod';
import {
  ADMISSION_KINDS,
  type AdmissionKind,
  currentAdmissionNamesOnly,
  withCurrentAdmissionNames,
} from './config/admission-settings';
import { env, readEnv } from './config/env';
import { DATA_DIR } from './infra/paths';
import { merchantsFileShape } from './merchants/config';

export interface StackConfig {
  workers: number;
  persistence: 'sqlite' | 'postgres';
  apiPort: number;
  pgPort: number;
  temporalPort: number;
  uiPort: number;
  /** Task-queue partitions of the dev server; 1 keeps its rate limiter in one bucket. */
  partitions: number;
  dbFile: string;
  /** The workers' PG admission step (temporal/admission-choice.ts); `redis` as soon as there are two workers. */
  admission: AdmissionKind;
  /** The admission settings the workers get: current names only (see config/admission-settings.ts). */
  workerAdmissionEnv: NodeJS.ProcessEnv;
  redisUrl: string;
  /** TEMPORAL_PERSISTENCE=postgres: the machine's PostgreSQL and the server's two databases. */
  postgres: { host: string; port: number; user: string; database: string; visibilityDatabase: string };
  /** Worker i serves its payment metrics on workerMetricsPort + i and the SDK's series on sdkMetricsPort + i. */
  workerMetricsPort: number;
  sdkMetricsPort: number;
  /** Who may call the API (MERCHANTS_FILE); made with a demo merchant on the first start. */
  merchantsFile: string;
}

export function loadStackConfig(source: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): StackConfig {
  const current = withCurrentAdmissionNames(source, warn);
  const e = readEnv(
    {
      WORKERS: z.coerce.number().int().min(1).max(32).default(1),
      TEMPORAL_PERSISTENCE: z.enum(['sqlite', 'postgres']).default('sqlite'),
      PORT: env.port(3000),
      PG_PORT: env.port(4000),
      TEMPORAL_PORT: env.port(7233),
      TEMPORAL_UI_PORT: env.port(8233),
      TEMPORAL_TASK_QUEUE_PARTITIONS: z.coerce.number().int().min(1).max(64).default(1),
      TEMPORAL_DB_FILE: env.string(path.join(DATA_DIR, 'temporal.sqlite')),
      PG_ADMISSION: z.enum(ADMISSION_KINDS).optional(),
      REDIS_URL: env.url('redis://127.0.0.1:6379'),
      TEMPORAL_PG_HOST: env.host(),
      TEMPORAL_PG_PORT: env.port(5432),
      TEMPORAL_PG_USER: env.string('postgres'),
      TEMPORAL_PG_DATABASE: env.string('temporal'),
      TEMPORAL_PG_VISIBILITY_DATABASE: env.string('temporal_visibility'),
      WORKER_METRICS_PORT: env.positiveInt(9470),
      SDK_METRICS_PORT: env.positiveInt(9464),
      ...merchantsFileShape,
    },
    current,
  );
  // One worker's in-process step is exact; more workers need the shared one (docs/scale-out.md).
  const admission = e.PG_ADMISSION ?? (e.WORKERS > 1 ? 'redis' : 'local');
  return {
    workers: e.WORKERS,
    persistence: e.TEMPORAL_PERSISTENCE,
    apiPort: e.PORT,
    pgPort: e.PG_PORT,
    temporalPort: e.TEMPORAL_PORT,
    uiPort: e.TEMPORAL_UI_PORT,
    partitions: e.TEMPORAL_TASK_QUEUE_PARTITIONS,
    dbFile: e.TEMPORAL_DB_FILE,
    admission,
    workerAdmissionEnv: { ...currentAdmissionNamesOnly(current), PG_ADMISSION: admission },
    redisUrl: e.REDIS_URL,
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
  };
}
