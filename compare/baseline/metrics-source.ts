/**
 * The Redis baseline's figures for `/metrics` (src/metrics/routes.ts), under the names the Temporal
 * engine uses (docs/design.md §4), all read from Redis at scrape time, so the API reports every consumer:
 * - queue size: `list`, `list-reliable`: LLEN of the pending list (messages taken by a consumer
 *   are no longer waiting); `stream`: the group's lag (entries never delivered) + its pending
 *   entries (delivered, not yet acknowledged); `semaphore-only`: no queue, 0;
 * - semaphore: permits held (the study document's counter, or live leases) against the permits configured;
 *   a permit leaked by a dead `list` consumer shows as used, which is the point;
 * - histograms and outcomes: the hash the consumers record into (src/metrics/redis-observations.ts).
 */
import type { EngineMetricsSource, EngineSnapshot } from '../../src/metrics/routes';
import { readRedisObservations } from '../../src/metrics/redis-observations';
import type { BaselineMode } from './config';
import type { BaselineKeys } from './keys';
import { permitsInUse } from './permit-pool';
import type { BaselineRedis } from './redis';

async function streamBacklog(redis: BaselineRedis, keys: BaselineKeys): Promise<number> {
  let groups: unknown[];
  try {
    groups = (await redis.xinfo('GROUPS', keys.stream)) as unknown[];
  } catch {
    return 0; // no stream yet: nothing was ever accepted
  }
  for (const group of groups as unknown[][]) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) info.set(String(group[i]), group[i + 1]);
    if (info.get('name') === keys.group) return (Number(info.get('lag')) || 0) + (Number(info.get('pending')) || 0);
  }
  // The group is made by the first consumer; until then every entry waits.
  return redis.xlen(keys.stream);
}

export function createBaselineMetricsSource(o: {
  redis: BaselineRedis;
  keys: BaselineKeys;
  mode: BaselineMode;
  permits: number;
}): EngineMetricsSource {
  const { redis, keys, mode, permits } = o;
  const queueSize = () =>
    mode === 'stream'
      ? streamBacklog(redis, keys)
      : mode === 'semaphore-only'
        ? Promise.resolve(0)
        : redis.llen(keys.queue);
  return {
    async snapshot(): Promise<EngineSnapshot> {
      const [waiting, used, observations] = await Promise.all([
        queueSize(),
        permitsInUse(redis, keys, mode, permits),
        readRedisObservations(redis, keys.metrics),
      ]);
      return {
        queueSize: waiting,
        semaphoreUsed: used,
        semaphoreAvailable: Math.max(0, permits - used),
        observations: [observations],
      };
    },
  };
}
