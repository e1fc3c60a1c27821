/** The semaphore each mode uses: the study document's counter for `list`, leases for the others. */
import type { Logger } from '../../src/infra/logger';
import type { BaselineMode } from './config';
import { CountingSemaphore } from './counting-semaphore';
import type { BaselineKeys } from './keys';
import { LeaseSemaphore } from './lease-semaphore';
import type { PermitPool } from './permits';
import type { BaselineRedis } from './redis';

export interface PermitPoolOptions {
  mode: BaselineMode;
  redis: BaselineRedis;
  keys: BaselineKeys;
  permits: number;
  leaseMs: number;
  holderId: string;
  log?: Logger;
}

export async function createPermitPool(o: PermitPoolOptions): Promise<PermitPool> {
  if (o.mode === 'list') {
    const semaphore = new CountingSemaphore(o.redis, o.keys.semaphore, o.permits);
    if (await semaphore.trySetPermits()) o.log?.info({ permits: o.permits }, 'semaphore initialised');
    return semaphore;
  }
  return new LeaseSemaphore(o.redis, o.keys.leases, o.permits, o.leaseMs, o.holderId, o.log);
}

/** Permits held now, read without joining the pool (tests, gauges). */
export async function permitsInUse(
  redis: BaselineRedis,
  keys: BaselineKeys,
  mode: BaselineMode,
  permits: number,
): Promise<number> {
  if (mode === 'list') return new CountingSemaphore(redis, keys.semaphore, permits).inUse();
  return redis.leaseCount(keys.leases);
}
