/**
 * Chooses the PG admission gate a worker uses (PG_PERMITS), so every design compared in
 * docs/scale-out.md runs through the same activity code:
 * - `local`: LocalPgAdmission, exact for one worker process;
 * - `redis`: RedisPgAdmission, one gate for all workers, leases that return after a crash;
 * - `share`: LocalPgAdmission with this worker's share of both limits (limit / WORKER_COUNT).
 * PG_ADMISSION=off admits every call, to measure the built-in worker options alone.
 */
import { LocalPgAdmission, type PgPermits } from '../pg-client/admission';
import { RedisPgAdmission } from '../pg-client/redis-admission';
import type { Logger } from '../infra/logger';
import type { WorkerConfig } from './config';

export interface PgGate {
  permits: PgPermits;
  /** What the log says about the gate. */
  describe: Record<string, unknown> | string;
  close(): Promise<void>;
}

/** Admits every call at once: the built-in worker options alone decide. */
const noAdmission = (limit: number): PgPermits => {
  let used = 0;
  return {
    usage: () => ({ used, limit }),
    acquire: () => {
      used++;
      let released = false;
      return Promise.resolve({ sent: () => undefined, release: () => void (!released && (released = true) && used--) });
    },
  };
};

/** Worker `index` of `count` gets floor(limit / count), the first `limit % count` one more. */
export const shareOf = (limit: number, index: number, count: number): number =>
  Math.floor(limit / count) + (index % count < limit % count ? 1 : 0);

/** Rejects with one clear line when Redis does not answer at `url`. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const gate = new RedisPgAdmission({
    url,
    prefix: 'pg:permits:check:',
    concurrency: 1,
    ratePerSecond: 1,
    marginMs: 0,
    leaseMs: 5000,
  });
  try {
    await gate.ready(timeoutMs);
  } finally {
    await gate.close();
  }
}

export async function createPgGate(config: WorkerConfig, log: Logger): Promise<PgGate> {
  const { pg, admission, permits } = config;
  if (!admission.enabled)
    return { permits: noAdmission(config.maxConcurrentActivities), describe: 'off', close: () => Promise.resolve() };
  const limits = { concurrency: pg.concurrency, ratePerSecond: pg.ratePerSecond, marginMs: admission.marginMs };
  switch (permits.kind) {
    case 'local':
      return {
        permits: new LocalPgAdmission(limits),
        describe: { kind: 'local', ...limits },
        close: () => Promise.resolve(),
      };
    case 'share': {
      const share = {
        ...limits,
        concurrency: shareOf(pg.concurrency, permits.workerIndex, permits.workerCount),
        ratePerSecond: shareOf(pg.ratePerSecond, permits.workerIndex, permits.workerCount),
      };
      if (share.concurrency < 1 || share.ratePerSecond < 1)
        throw new Error(
          `PG_PERMITS=share: worker ${permits.workerIndex} of ${permits.workerCount} gets no share of the PG's limits`,
        );
      return {
        permits: new LocalPgAdmission(share),
        describe: { kind: 'share', of: permits.workerCount, ...share },
        close: () => Promise.resolve(),
      };
    }
    case 'redis': {
      const gate = new RedisPgAdmission({
        ...limits,
        url: permits.redisUrl,
        prefix: permits.prefix,
        leaseMs: permits.leaseMs,
        onLeaseLost: (count) =>
          log.warn(
            { count, leaseMs: permits.leaseMs },
            'PG leases expired while held (renewals failed): the PG limit may be exceeded',
          ),
        onRedisError: (err) => log.warn({ err: err.message }, 'Redis error at the PG gate; retrying'),
      });
      try {
        await gate.ready();
      } catch (err) {
        await gate.close();
        throw err;
      }
      return {
        permits: gate,
        describe: {
          kind: 'redis',
          redis: redactUrl(permits.redisUrl),
          prefix: permits.prefix,
          leaseMs: permits.leaseMs,
          ...limits,
        },
        close: () => gate.close(),
      };
    }
  }
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
