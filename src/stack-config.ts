/** Settings of `npm start` (DESIGN §6, §7), read and validated once. */
import path from 'node:path';
import { z } from 'zod';
import { env, readEnv } from './config/env';
import { DATA_DIR } from './infra/paths';

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
}

export function loadStackConfig(source: NodeJS.ProcessEnv = process.env): StackConfig {
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
    },
    source,
  );
  return {
    workers: e.WORKERS,
    persistence: e.TEMPORAL_PERSISTENCE,
    apiPort: e.PORT,
    pgPort: e.PG_PORT,
    temporalPort: e.TEMPORAL_PORT,
    uiPort: e.TEMPORAL_UI_PORT,
    partitions: e.TEMPORAL_TASK_QUEUE_PARTITIONS,
    dbFile: e.TEMPORAL_DB_FILE,
  };
}
