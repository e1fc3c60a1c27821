/**
 * The scenarios of the benchmark (issue 5). Each says what PG it runs against, how the engines are
 * set up, what load it sends, what chaos it makes, and which engines it applies to. Sizes follow
 * `--requests N`: the burst, `jitter`, `busy-machine` and `polling-clients` send N; the others send
 * N / 5 (at least min(N, 60)), so every scenario keeps enough payments to show its point; `surge`
 * sends `--surge N` (5,000 by default) at once; in `noisy-neighbour` merchant A posts 4 N (at most
 * 2,000) at once and merchant B one payment every 500 ms for 30 s; in `pg-outage` merchant A posts
 * 3 N / 5 to `pg-main` (300 at the default) and merchant B a third of that to `pg-alt`, at once.
 */
import { DEFAULT_PG } from '../../src/temporal/routing';
import { ENGINE_NAMES, type EngineName } from './types';

export interface Limits {
  concurrency: number;
  ratePerSecond: number;
}

export const PG_DEFAULT = { concurrency: 10, ratePerSecond: 10, latencyMs: '100-300' };
/** The ceiling's PG: no limit worth the name, no latency. Engines are opened up to match. */
const UNTHROTTLED: Limits = { concurrency: 10_000, ratePerSecond: 1_000_000 };
const CEILING_ENGINE: Limits = { concurrency: 50, ratePerSecond: 100_000 };

export type Load =
  | { kind: 'burst' }
  | { kind: 'paced'; perSecond: number; durationMs: number }
  /** Merchant A posts `surge` at once, then (once they are answered) merchant B one every `everyMs` for `durationMs`. */
  | { kind: 'neighbours'; surge: number; everyMs: number; durationMs: number }
  /** Merchant A posts its first `main` payments and merchant B the rest, all at once (pg-outage). */
  | { kind: 'two-pgs'; main: number };

/** Every payment posted at once: the intake takes its turn in the wave (lineup.ts). */
export const isBurst = (load: Load): boolean => load.kind === 'burst' || load.kind === 'two-pgs';
/** A load whose first part is posted at once: that part takes its turn in the wave. */
export const takesTurn = (load: Load): boolean => isBurst(load) || load.kind === 'neighbours';

/** How long the load's arrivals last: the last payment cannot end before it arrived. */
export const arrivalsMsOf = (load: Load): number => ('durationMs' in load ? load.durationMs : 0);
export type Chaos = 'kill-worker' | 'restart-server';

export interface Scenario {
  /** The result's scenario name. */
  name: string;
  /** The `--scenarios` name that selects it. */
  group: string;
  summary: string;
  engines: readonly EngineName[];
  requests: number;
  pg: Limits & {
    latencyMs: string;
    failureRate: number;
    /** PG_ARRIVAL_JITTER_MS: a network path in front of the PG's stamp, "0-30" (seeded). */
    arrivalJitterMs?: string;
  };
  engineLimits: Limits;
  workers: number;
  load: Load;
  chaos?: Chaos;
  /** One core kept busy by src/load/cpu-burner.ts for the whole wave. */
  busyCore?: boolean;
  /** Every client reads its payment's status this often from its 202 until the payment ends. */
  pollStatusMs?: number;
  /** Temporal only: task-queue partitions and whether the exact admission step runs. */
  temporal?: { partitions: number; admission: 'on' | 'off' };
  /**
   * pg-outage: a second PG, `pg-alt`, with the same limits as `pg`, serving merchant B (the load's
   * payments after its `main` ones); it answers 503 to every charge for `outageSeconds` from the
   * first POST (0: it stays up, the run to compare with).
   */
  pgAlt?: { outageSeconds: number };
}

/** Every engine with a queue: all but semaphore-only, which charges inside the request. */
const QUEUES: readonly EngineName[] = ENGINE_NAMES.filter((name) => name !== 'semaphore-only');
const WITH_SEMAPHORE: readonly EngineName[] = [...QUEUES, 'semaphore-only'];

export const SCENARIO_GROUPS = [
  'burst',
  'sustained',
  'flaky-pg',
  'chaos-kill-worker',
  'chaos-restart-server',
  'scale-3',
  'ceiling',
  'partitions',
  'jitter',
  'busy-machine',
  'surge',
  'polling-clients',
  'noisy-neighbour',
  'pg-outage',
] as const;

export const SURGE_DEFAULT = 5000;
/** How long pg-alt is down in `pg-outage` (issue 16). */
export const PG_ALT_OUTAGE_SECONDS = 20;

/** The PG names of `pg-outage`, as in PGS_FILE (docs/pgs.md): the default PG and a second one. */
export const PG_MAIN = DEFAULT_PG;
export const PG_ALT = 'pg-alt';

export function buildScenarios(n: number, options: { surge?: number } = {}): Scenario[] {
  const surge = options.surge ?? SURGE_DEFAULT;
  const flashSale = Math.min(2000, 4 * n);
  const mainBurst = Math.max(1, Math.round((3 * n) / 5));
  const altBurst = Math.max(1, Math.round(mainBurst / 3));
  const neighbour = { everyMs: 500, durationMs: 30_000 };
  const small = Math.max(Math.min(n, 60), Math.round(n / 5));
  const pg = { ...PG_DEFAULT, failureRate: 0 };
  const limits: Limits = { concurrency: pg.concurrency, ratePerSecond: pg.ratePerSecond };
  const sustainedMs = Math.round(Math.min(30_000, Math.max(3_000, (n / 50) * 1000)));
  const base = { pg, engineLimits: limits, workers: 1, load: { kind: 'burst' } as Load };
  return [
    {
      ...base,
      name: 'burst',
      group: 'burst',
      summary: `${n} payments posted at once`,
      engines: WITH_SEMAPHORE,
      requests: n,
    },
    {
      ...base,
      name: 'sustained',
      group: 'sustained',
      summary: `arrivals at 3x the PG rate for ${sustainedMs / 1000} s`,
      engines: QUEUES,
      requests: Math.round((3 * pg.ratePerSecond * sustainedMs) / 1000),
      load: { kind: 'paced', perSecond: 3 * pg.ratePerSecond, durationMs: sustainedMs },
    },
    {
      ...base,
      name: 'flaky-pg',
      group: 'flaky-pg',
      summary: `${small} payments, 10 % of PG calls answer 5xx`,
      engines: QUEUES,
      requests: small,
      pg: { ...pg, failureRate: 0.1 },
    },
    {
      ...base,
      name: 'chaos-kill-worker',
      group: 'chaos-kill-worker',
      summary: `${small} payments; SIGKILL one worker 3 s in, a new one 5 s later`,
      engines: QUEUES,
      requests: small,
      chaos: 'kill-worker',
    },
    {
      ...base,
      name: 'chaos-restart-server',
      group: 'chaos-restart-server',
      summary: `${small} payments; SIGKILL the Temporal server or Redis 3 s in, restart it on the same data`,
      engines: QUEUES,
      requests: small,
      chaos: 'restart-server',
    },
    {
      ...base,
      name: 'scale-3',
      group: 'scale-3',
      summary: `${small} payments, three workers each configured for the PG's limits`,
      engines: WITH_SEMAPHORE,
      requests: small,
      workers: 3,
    },
    {
      ...base,
      name: 'ceiling',
      group: 'ceiling',
      summary: `${Math.round(n / 2)} payments against an unthrottled PG with latency 0: the engine's own overhead`,
      engines: QUEUES,
      requests: Math.round(n / 2),
      pg: { ...UNTHROTTLED, latencyMs: '0', failureRate: 0 },
      engineLimits: CEILING_ENGINE,
    },
    {
      ...base,
      name: 'partitions-4',
      group: 'partitions',
      summary: `${small} payments; Temporal's built-in options alone (no admission step), 4 task-queue partitions (Temporal's default)`,
      engines: ['temporal'],
      requests: small,
      temporal: { partitions: 4, admission: 'off' },
    },
    {
      ...base,
      name: 'partitions-1',
      group: 'partitions',
      summary: `${small} payments; Temporal's built-in options alone (no admission step), 1 task-queue partition`,
      engines: ['temporal'],
      requests: small,
      temporal: { partitions: 1, admission: 'off' },
    },
    {
      ...base,
      name: 'jitter',
      group: 'jitter',
      summary: `${n} payments posted at once; each PG call crosses a network of 0-30 ms before the PG stamps it`,
      engines: WITH_SEMAPHORE,
      requests: n,
      pg: { ...pg, arrivalJitterMs: '0-30' },
    },
    {
      ...base,
      name: 'busy-machine',
      group: 'busy-machine',
      summary: `${n} payments posted at once while a process of ours keeps one core busy`,
      engines: WITH_SEMAPHORE,
      requests: n,
      busyCore: true,
    },
    {
      ...base,
      name: 'surge',
      group: 'surge',
      summary: `${surge} payments posted at once (a flash sale), through 64 client connections`,
      engines: WITH_SEMAPHORE,
      requests: surge,
    },
    {
      ...base,
      name: 'polling-clients',
      group: 'polling-clients',
      summary: `${n} payments posted at once; every client reads its status each second until its payment ends`,
      engines: WITH_SEMAPHORE,
      requests: n,
      pollStatusMs: 1000,
    },
    {
      ...base,
      name: 'noisy-neighbour',
      group: 'noisy-neighbour',
      summary: `merchant A posts ${flashSale} at once (a flash sale), then merchant B one payment every ${neighbour.everyMs} ms for ${neighbour.durationMs / 1000} s, both on one PG: B's wait from its 202 to its PG call`,
      engines: QUEUES,
      requests: flashSale + neighbour.durationMs / neighbour.everyMs,
      load: { kind: 'neighbours', surge: flashSale, ...neighbour },
    },
    ...[PG_ALT_OUTAGE_SECONDS, 0].map((outageSeconds): Scenario => ({
      ...base,
      name: outageSeconds ? 'pg-outage' : 'pg-outage-none',
      group: 'pg-outage',
      summary: `two PGs, each ${pg.concurrency} at once and ${pg.ratePerSecond}/s: merchant A posts ${mainBurst} to ${PG_MAIN} and merchant B ${altBurst} to ${PG_ALT}, at once; ${outageSeconds ? `${PG_ALT} answers 503 to every charge for ${outageSeconds} s from the first POST` : `${PG_ALT} stays up (the run to compare ${PG_MAIN}'s utilisation with)`}. Utilisation, makespan and latency are ${PG_MAIN}'s burst's; the counts cover both PGs`,
      engines: QUEUES,
      requests: mainBurst + altBurst,
      load: { kind: 'two-pgs', main: mainBurst },
      pgAlt: { outageSeconds },
    })),
  ];
}

/** When the chaos happens: 3 s in and 5 s later, sooner for runs too short for that. */
export function chaosTimes(idealMs: number): { actAtMs: number; recoverAtMs: number } {
  const actAtMs = Math.round(Math.min(3000, 0.3 * idealMs));
  return { actAtMs, recoverAtMs: actAtMs + Math.round(Math.min(5000, 0.5 * idealMs)) };
}
