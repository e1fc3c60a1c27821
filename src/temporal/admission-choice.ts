/**
 * Chooses the PG admission step a worker runs (PG_ADMISSION), so every design compared in
 * docs/scale-out.md runs through the same activity code:
 * - `local`: LocalPgAdmission, exact for one worker process;
 * - `redis`: RedisPgAdmission, one step for all workers, leases that return after a crash;
 * - `share`: LocalPgAdmission with this worker's share of both limits (limit / WORKER_COUNT);
 * - `off`: admits every call, to measure the built-in worker options alone.
 */
import { LocalPgAdmission, type PgAdmission } from '../pg-client/admission';
import { RedisPgAdmission } from '../pg-client/redis-admission';
import type { Logger } from '../infra/logger';
import type { AdmissionConfig, PgLane } from './config';

/** The admission step a worker runs, what its log says about it, and how to close it. */
export interface WorkerAdmission {
  admission: PgAdmission;
  describe: Record<string, unknown> | string;
  close(): Promise<void>;
}

/** Admits every call at once: the built-in worker options alone decide. */
const noAdmission = (limit: number): PgAdmission => {
  let used = 0;
  return {
    usage: () => ({ used, limit }),
    acquire: () => {
      used++;
      let released = false;
      return Promise.resolve({
        sent: () => undefined,
        refused: () => undefined,
        answered: () => undefined,
        release: () => void (!released && (released = true) && used--),
      });
    },
  };
};

const nothingToClose = () => Promise.resolve();

/** Worker `index` of `count` gets floor(limit / count), the first `limit % count` one more. */
export const shareOf = (limit: number, index: number, count: number): number =>
  Math.floor(limit / count) + (index % count < limit % count ? 1 : 0);

/** Rejects with one clear line when Redis does not answer at `url`. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const admission = new RedisPgAdmission({
    url,
    prefix: 'pg:permits:check:',
    concurrency: 1,
    ratePerSecond: 1,
    marginMs: 0,
    leaseMs: 5000,
  });
  try {
    await admission.ready(timeoutMs);
  } finally {
    await admission.close();
  }
}

/** The admission step of one PG's lane. */
export async function createPgAdmission(
  lane: PgLane,
  settings: AdmissionConfig,
  log: Logger,
): Promise<WorkerAdmission> {
  const { pg } = lane;
  const limits = { concurrency: pg.concurrency, ratePerSecond: pg.ratePerSecond, marginMs: settings.marginMs };
  switch (settings.kind) {
    case 'off':
      return { admission: noAdmission(lane.maxConcurrentActivities), describe: 'off', close: nothingToClose };
    case 'local':
      return { admission: new LocalPgAdmission(limits), describe: { kind: 'local', ...limits }, close: nothingToClose };
    case 'share': {
      const share = {
        ...limits,
        concurrency: shareOf(pg.concurrency, settings.workerIndex, settings.workerCount),
        ratePerSecond: shareOf(pg.ratePerSecond, settings.workerIndex, settings.workerCount),
      };
      if (share.concurrency < 1 || share.ratePerSecond < 1)
        throw new Error(
          `PG_ADMISSION=share: worker ${settings.workerIndex} of ${settings.workerCount} gets no share of the PG's limits`,
        );
      return {
        admission: new LocalPgAdmission(share),
        describe: { kind: 'share', of: settings.workerCount, ...share },
        close: nothingToClose,
      };
    }
    case 'redis': {
      const admission = new RedisPgAdmission({
        ...limits,
        url: settings.redisUrl,
        prefix: lane.admissionPrefix,
        leaseMs: settings.leaseMs,
        onLeaseLost: (count) =>
          log.warn(
            { pg: pg.name, count, leaseMs: settings.leaseMs },
            'PG leases expired while held (renewals failed): the PG limit may be exceeded',
          ),
        onRedisError: (err) =>
          log.warn({ pg: pg.name, err: err.message }, 'Redis error at the PG admission step; retrying'),
      });
      try {
        await admission.ready();
      } catch (err) {
        await admission.close();
        throw err;
      }
      return {
        admission,
        describe: {
          kind: 'redis',
          redis: redactUrl(settings.redisUrl),
          prefix: lane.admissionPrefix,
          leaseMs: settings.leaseMs,
          ...limits,
        },
        close: () => admission.close(),
      };
    }
  }
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
