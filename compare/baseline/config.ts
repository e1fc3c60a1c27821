/** Settings of the baseline's processes (docs/design.md §6, §7), each read and validated once. */
import { z } from 'zod';
import { env, readEnv } from '../../src/config/env';
import { merchantsFileShape } from '../../src/merchants/config';
import { httpLimitsOf, httpLimitsShape } from '../../src/config/http-settings';
import type { ConnectionLimits } from '../../src/infra/connection-guard';

export const BASELINE_MODES = ['list', 'list-reliable', 'stream', 'semaphore-only'] as const;
export type BaselineMode = (typeof BASELINE_MODES)[number];

/** Shared by the API and the consumers: where Redis is, which design, which permits. */
const commonShape = {
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  BASELINE_MODE: z.enum(BASELINE_MODES).default('list'),
  REDIS_KEY_PREFIX: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9:_-]*$/, 'must be letters, digits, ":", "_" or "-"')
    .default(''),
  PG_URL: env.url('http://127.0.0.1:4000'),
  /** Permits of the global semaphore: the PG's concurrency limit. */
  PG_MAX_CONCURRENCY: env.positiveInt(10),
  /** Lease semaphore (list-reliable, stream, semaphore-only): a lease not renewed for this long is free again. */
  BASELINE_LEASE_MS: z.coerce.number().int().min(200).default(10_000),
  /** Charge attempts per payment (5xx and 429 are retried, declines never). */
  BASELINE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  BASELINE_BACKOFF_MS: z.coerce.number().int().min(1).default(500),
  BASELINE_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(10_000),
  LOG_LEVEL: env.logLevel(),
};

export interface CommonConfig {
  redisUrl: string;
  mode: BaselineMode;
  keyPrefix: string;
  pgUrl: string;
  permits: number;
  leaseMs: number;
  retry: RetryPolicy;
  logLevel: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Whether a 429 uses up an attempt: only where the engine keeps no rate of its own (the study
   * document's `list` and `semaphore-only`, or BASELINE_RATE_LIMIT=0). Its calls then outrun the PG's rate, and
   * as the fake PG counts refused calls in its window too, a 429 that never counted would be
   * retried for ever. With the admission step pacing the calls, a 429 is the PG asking us to wait.
   */
  rateLimitedUsesAttempt: boolean;
}

/** The study document's modes, without an admission step of their own (a consumer's config may still say otherwise). */
const SEED_MODES: readonly BaselineMode[] = ['list', 'semaphore-only'];

const commonOf = (e: z.output<z.ZodObject<typeof commonShape>>): CommonConfig => ({
  redisUrl: e.REDIS_URL,
  mode: e.BASELINE_MODE,
  keyPrefix: e.REDIS_KEY_PREFIX,
  pgUrl: e.PG_URL,
  permits: e.PG_MAX_CONCURRENCY,
  leaseMs: e.BASELINE_LEASE_MS,
  retry: {
    maxAttempts: e.BASELINE_MAX_ATTEMPTS,
    initialBackoffMs: e.BASELINE_BACKOFF_MS,
    maxBackoffMs: e.BASELINE_BACKOFF_MAX_MS,
    rateLimitedUsesAttempt: SEED_MODES.includes(e.BASELINE_MODE),
  },
  logLevel: e.LOG_LEVEL,
});

export interface BaselineApiConfig extends CommonConfig {
  host: string;
  port: number;
  /** semaphore-only: how long a request waits for a permit before its 503 (the study document's 5 s). */
  permitWaitMs: number;
  /** Deadline of each Redis command (a hung Redis); a down one fails at once. Like TEMPORAL_TIMEOUT_MS. */
  redisTimeoutMs: number;
  /** Who may call the API (MERCHANTS_FILE). */
  merchantsFile: string;
  /** Timeouts and the cap on connections (HTTP_MAX_CONNECTIONS). */
  httpLimits: ConnectionLimits;
}

export function loadApiConfig(source: NodeJS.ProcessEnv = process.env): BaselineApiConfig {
  const e = readEnv(
    {
      ...commonShape,
      HOST: env.host(),
      BASELINE_PORT: env.port(3001),
      BASELINE_PERMIT_WAIT_MS: env.positiveInt(5000),
      REDIS_TIMEOUT_MS: env.positiveInt(5000),
      ...merchantsFileShape,
      ...httpLimitsShape,
    },
    source,
  );
  return {
    ...commonOf(e),
    merchantsFile: e.MERCHANTS_FILE,
    httpLimits: httpLimitsOf(e),
    host: e.HOST,
    port: e.BASELINE_PORT,
    permitWaitMs: e.BASELINE_PERMIT_WAIT_MS,
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
  };
}

export interface ConsumerConfig extends CommonConfig {
  consumerId: string;
  /** The study document's `@Scheduled(fixedDelay = 100)`; also the BLOCK time of BLMOVE / XREADGROUP. */
  pollMs: number;
  /** list-reliable: heartbeat period, and how long a silent consumer counts as alive. */
  heartbeatMs: number;
  heartbeatTtlMs: number;
  /** stream: an entry pending this long with no heartbeat is claimed by another consumer. */
  claimIdleMs: number;
  /** stream: deliveries after which an entry goes to the dead-letter stream. */
  maxDeliveries: number;
  /** Test only: hold each taken message this long before charging it, so a kill lands deterministically. */
  testPauseAfterTakeMs: number;
  /**
   * The fixed modes' admission step: at most this many PG calls in any 1 s + `rateMarginMs`, for all
   * consumers (Redis). 0 = none, the study document's own design (`list` keeps it: its one-message-per-poll
   * loop is its only brake).
   */
  rateLimit: number;
  rateMarginMs: number;
}

export function loadConsumerConfig(source: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const e = readEnv(
    {
      ...commonShape,
      CONSUMER_ID: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _, . or -')
        .optional(),
      BASELINE_POLL_MS: env.positiveInt(100),
      BASELINE_HEARTBEAT_MS: env.positiveInt(1000),
      BASELINE_HEARTBEAT_TTL_MS: env.positiveInt(5000),
      BASELINE_CLAIM_IDLE_MS: env.positiveInt(30_000),
      BASELINE_MAX_DELIVERIES: env.positiveInt(5),
      BASELINE_TEST_PAUSE_AFTER_TAKE_MS: z.coerce.number().int().min(0).default(0),
      PG_RATE_LIMIT: env.positiveInt(10),
      BASELINE_RATE_LIMIT: z.coerce.number().int().min(0).optional(),
      // The same margin as the Temporal worker's admission step (PG_RATE_MARGIN_MS), so the two compare fairly.
      BASELINE_RATE_MARGIN_MS: z.coerce.number().int().min(0).max(1000).default(15),
    },
    source,
  );
  const common = commonOf(e);
  const rateLimit = e.BASELINE_RATE_LIMIT ?? (e.BASELINE_MODE === 'list' ? 0 : e.PG_RATE_LIMIT);
  return {
    ...common,
    retry: { ...common.retry, rateLimitedUsesAttempt: rateLimit === 0 },
    consumerId: e.CONSUMER_ID ?? `consumer-${process.pid}-${Math.random().toString(36).slice(2, 6)}`,
    pollMs: e.BASELINE_POLL_MS,
    heartbeatMs: e.BASELINE_HEARTBEAT_MS,
    heartbeatTtlMs: e.BASELINE_HEARTBEAT_TTL_MS,
    claimIdleMs: e.BASELINE_CLAIM_IDLE_MS,
    maxDeliveries: e.BASELINE_MAX_DELIVERIES,
    testPauseAfterTakeMs: e.BASELINE_TEST_PAUSE_AFTER_TAKE_MS,
    rateLimit,
    rateMarginMs: e.BASELINE_RATE_MARGIN_MS,
  };
}
