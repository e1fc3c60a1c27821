/**
 * Settings of the BullMQ engine's processes (API and worker), read and validated once. The limits
 * are the ones BullMQ's documentation recommends for a rate-limited API: the worker's `limiter`
 * `{max: R, duration: 1000}` and the queue's global concurrency C.
 */
import { z } from 'zod';
import { env, readEnv } from '../../src/config/env';
import { merchantsFileShape } from '../../src/merchants/config';
import { httpLimitsOf, httpLimitsShape } from '../../src/config/http-settings';
import type { ConnectionLimits } from '../../src/infra/connection-guard';

/** The queue's name; its Redis keys are `<prefix>:payments:*`. */
export const BULLMQ_QUEUE_NAME = 'payments';
export const CHARGE_JOB_NAME = 'charge';

const commonShape = {
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, :, _ or -')
    .default('bull'),
  LOG_LEVEL: env.logLevel(),
};

export interface BullmqCommonConfig {
  redisUrl: string;
  prefix: string;
  logLevel: string;
}

export interface BullmqApiConfig extends BullmqCommonConfig {
  host: string;
  port: number;
  /** Job options every payment gets: retries with exponential backoff (BullMQ `attempts` + `backoff`). */
  attempts: number;
  backoffMs: number;
  /** Deadline of each Redis call from the API; past it the API answers 503. */
  timeoutMs: number;
  /** Who may call the API (MERCHANTS_FILE). */
  merchantsFile: string;
  /** Timeouts and the cap on connections (HTTP_MAX_CONNECTIONS). */
  httpLimits: ConnectionLimits;
}

export interface BullmqWorkerConfig extends BullmqCommonConfig {
  pg: { url: string; concurrency: number; ratePerSecond: number };
}

export function loadBullmqApiConfig(source: NodeJS.ProcessEnv = process.env): BullmqApiConfig {
  const e = readEnv(
    {
      ...commonShape,
      HOST: env.host(),
      BULLMQ_PORT: env.port(3002),
      BULLMQ_ATTEMPTS: env.positiveInt(10),
      BULLMQ_BACKOFF_MS: env.positiveInt(500),
      BULLMQ_TIMEOUT_MS: env.positiveInt(5000),
      ...merchantsFileShape,
      ...httpLimitsShape,
    },
    source,
  );
  return {
    merchantsFile: e.MERCHANTS_FILE,
    httpLimits: httpLimitsOf(e),
    redisUrl: e.REDIS_URL,
    prefix: e.BULLMQ_PREFIX,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.BULLMQ_PORT,
    attempts: e.BULLMQ_ATTEMPTS,
    backoffMs: e.BULLMQ_BACKOFF_MS,
    timeoutMs: e.BULLMQ_TIMEOUT_MS,
  };
}

export function loadBullmqWorkerConfig(source: NodeJS.ProcessEnv = process.env): BullmqWorkerConfig {
  const e = readEnv(
    {
      ...commonShape,
      PG_URL: env.url('http://127.0.0.1:4000'),
      PG_MAX_CONCURRENCY: env.positiveInt(10),
      PG_RATE_LIMIT: env.positiveInt(10),
    },
    source,
  );
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.BULLMQ_PREFIX,
    logLevel: e.LOG_LEVEL,
    pg: { url: e.PG_URL, concurrency: e.PG_MAX_CONCURRENCY, ratePerSecond: e.PG_RATE_LIMIT },
  };
}

/** What a charge job carries: the study document's queue message, plus a nonce that tells our add from a replay. */
export interface ChargeJobData {
  requestId: string;
  merchantId: string;
  request: { orderId: string; amount: number; currency: string; customerId?: string };
  enqueuedAt: string;
  fingerprint: string;
  submissionId: string;
}

/** What a successful charge job returns (`job.returnvalue`). */
export interface ChargeJobResult {
  transactionId: string;
  attempt: number;
  replayed: boolean;
}
