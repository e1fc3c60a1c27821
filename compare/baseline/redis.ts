/**
 * Redis connections of the baseline, each with the Lua scripts of ./lua as commands
 * (src/infra/lua-scripts.ts).
 *
 * Settings make a down Redis answer fast: no offline queue (a command fails at once while
 * disconnected), one retry per command, short connect and command timeouts.
 */
import path from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';
import { defineLuaCommands } from '../../src/infra/lua-scripts';

const LUA_DIR = path.join(__dirname, 'lua');

/** Every script of lua/, by name (`accept-payment-3.lua` -> `acceptPayment`, its first 3 arguments keys). */
export interface BaselineScripts {
  acceptPayment(
    status: string,
    target: string,
    merchantIndex: string,
    requestId: string,
    fingerprint: string,
    acceptedAt: string,
    message: string,
    mode: 'list' | 'stream' | 'none',
    merchantId: string,
    orderId: string,
    amount: number,
  ): Promise<number>;
  cancel(status: string, completedAt: string): Promise<string>;
  markProcessing(
    status: string,
    requestId: string,
    acceptedAt: string,
    fingerprint: string,
    startedAt: string,
  ): Promise<number>;
  completeReliable(status: string, processing: string, message: string, ...fields: string[]): Promise<number>;
  completeStream(status: string, stream: string, group: string, entryId: string, ...fields: string[]): Promise<number>;
  deadLetter(
    stream: string,
    deadLetter: string,
    status: string,
    group: string,
    entryId: string,
    payload: string,
    deliveries: string,
    completedAt: string,
  ): Promise<number>;
  reapConsumer(
    heartbeat: string,
    processing: string,
    queue: string,
    consumers: string,
    consumerId: string,
    force: string,
  ): Promise<number>;
  semaphoreTryAcquire(semaphore: string, permits: string): Promise<number>;
  leaseAcquire(leases: string, permits: string, leaseMs: string, token: string): Promise<number>;
  leaseRenew(leases: string, leaseMs: string, ...tokens: string[]): Promise<number[]>;
  leaseCount(leases: string): Promise<number>;
}

export type BaselineRedis = Redis & BaselineScripts;

export interface ConnectOptions {
  /** For connections that run BLMOVE / XREADGROUP BLOCK: no command timeout. */
  blocking?: boolean;
  commandTimeoutMs?: number;
}

/**
 * How long disconnect() waits for the socket to close before destroying it (ioredis: 2 s). After
 * Redis went away the socket is already closed and never reports it again, so the wait always
 * runs out, and its timer holds the process (Jest's "did not exit" warning came from it).
 */
export const DISCONNECT = { disconnectTimeout: 200 } satisfies RedisOptions;

export function connectRedis(url: string, options: ConnectOptions = {}): BaselineRedis {
  const settings: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: options.blocking ? undefined : (options.commandTimeoutMs ?? 2000),
    // Keep trying to reconnect, never more than a second apart, so service resumes quickly.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: false,
    ...DISCONNECT,
  };
  const redis = new Redis(url, settings);
  // Errors surface on each command; without a listener ioredis would also print every reconnect.
  redis.on('error', () => undefined);
  return defineLuaCommands<BaselineScripts>(redis, LUA_DIR);
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
