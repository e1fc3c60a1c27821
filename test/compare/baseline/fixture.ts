/**
 * What every baseline test needs: a private redis-server, a fake PG, and stacks of any mode on
 * them with random key prefixes; plus direct access to the stack's keys.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { type BaselineKeys, baselineKeys } from '../../../compare/baseline/keys';
import type { BaselineMode } from '../../../compare/baseline/config';
import { type BaselineStack, startBaselineStack } from '../../../compare/baseline/launch';
import { DISCONNECT } from '../../../compare/baseline/redis';
import { type RunningRedis, startRedis } from '../../../src/infra/redis-server';
import { type FakePgHandle, startFakePg } from '../../../src/launch/fake-pg';
import { PaymentsClient } from '../../../src/load/payments-client';

export interface Fixture {
  redis: RunningRedis;
  pg: FakePgHandle;
  /** A plain client of the private Redis, for what an outside producer or a test inspects. */
  client: Redis;
  stop(): Promise<void>;
}

export async function startFixture(pgEnv: NodeJS.ProcessEnv): Promise<Fixture> {
  const redis = await startRedis();
  let pg: FakePgHandle | undefined;
  try {
    pg = await startFakePg(pgEnv);
  } catch (err) {
    await redis.stop();
    throw err;
  }
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, ...DISCONNECT });
  return {
    redis,
    pg,
    client,
    stop: async () => {
      client.disconnect();
      await Promise.allSettled([pg.process.stop(), redis.stop()]);
    },
  };
}

export interface TestStack extends BaselineStack {
  keys: BaselineKeys;
  http: PaymentsClient;
}

export async function startStack(
  fx: Fixture,
  mode: BaselineMode,
  consumers: number,
  env: NodeJS.ProcessEnv = {},
): Promise<TestStack> {
  const keyPrefix = `t${randomBytes(4).toString('hex')}:`;
  const stack = await startBaselineStack({
    mode,
    consumers,
    pgUrl: fx.pg.url,
    redisUrl: fx.redis.url,
    keyPrefix,
    env: { LOG_LEVEL: 'info', ...env },
  });
  const http = new PaymentsClient(stack.apiUrl, { apiKey: stack.merchants.apiKey });
  return {
    ...stack,
    keys: baselineKeys(keyPrefix),
    http,
    stop: async () => {
      await http.close();
      await stack.stop();
    },
  };
}

/** Fast PG answers and no rate limit: these tests assert concurrency, which the baseline keeps. */
export const FAST_PG = { PG_LATENCY_MS: '100-300', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '10' };
