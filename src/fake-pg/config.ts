/** The fake PG's settings (docs/design.md §5), read once at start. */
import { z } from 'zod';
import { env, readEnv } from '../config/env';

export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

/** `PG_LATENCY_MS` is a fixed value ("150") or a range ("100-300"). */
export const latencySchema = z
  .string()
  .regex(/^\d+(-\d+)?$/, 'must be a number of ms or a range like 100-300')
  .transform((text): LatencyRange => {
    const [min, max = min] = text.split('-').map(Number) as [number, number?];
    return { minMs: min, maxMs: max };
  })
  .refine((r) => r.minMs <= r.maxMs, 'the range must go from low to high');

export const fakePgSettingsShape = {
  PG_HOST: env.host(),
  PG_PORT: env.port(4000),
  PG_MAX_CONCURRENCY: env.positiveInt(10),
  PG_RATE_LIMIT: env.positiveInt(10),
  PG_LATENCY_MS: latencySchema.default({ minMs: 100, maxMs: 300 }),
  // The network path before the PG stamps a call (src/fake-pg/network.ts): fixed ("20") or a range ("0-30").
  PG_ARRIVAL_JITTER_MS: latencySchema.default({ minMs: 0, maxMs: 0 }),
  PG_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  PG_SEED: z.coerce.number().int().default(42),
  PG_RETRY_AFTER_S: env.positiveInt(1),
  // The referee's clock must read arrival, not "when it next got a CPU": on a machine it shares with
  // the engines it asks for the highest nice priority (-20; ignored where that is not allowed).
  // At -10 it stamped an arrival 11-39 ms late now and then under load. Real-time FIFO priority
  // was tried and dropped: beside other engines the PG then froze for ~1 s at a time
  // (docs/temporal-tests.md).
  PG_NICE: z.coerce.number().int().min(-20).max(19).default(-20),
  LOG_LEVEL: env.logLevel(),
};

export interface FakePgConfig {
  host: string;
  port: number;
  concurrency: number;
  ratePerSecond: number;
  latency: LatencyRange;
  /** How long a call takes to reach the PG's stamp, drawn per call. */
  arrivalJitter: LatencyRange;
  failureRate: number;
  seed: number;
  retryAfterSeconds: number;
  nice: number;
}

export function loadFakePgConfig(source: NodeJS.ProcessEnv = process.env): FakePgConfig & { logLevel: string } {
  const e = readEnv(fakePgSettingsShape, source);
  return {
    host: e.PG_HOST,
    port: e.PG_PORT,
    concurrency: e.PG_MAX_CONCURRENCY,
    ratePerSecond: e.PG_RATE_LIMIT,
    latency: e.PG_LATENCY_MS,
    arrivalJitter: e.PG_ARRIVAL_JITTER_MS,
    failureRate: e.PG_FAILURE_RATE,
    seed: e.PG_SEED,
    retryAfterSeconds: e.PG_RETRY_AFTER_S,
    nice: e.PG_NICE,
    logLevel: e.LOG_LEVEL,
  };
}
