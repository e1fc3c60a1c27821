/** The benchmark's shapes: report.json exactly as docs/design.md §7, plus clearly additive detail. */

export const ENGINE_NAMES = [
  'temporal',
  'temporal-direct',
  'bullmq',
  'redis-list',
  'redis-list-reliable',
  'redis-stream',
  'semaphore-only',
] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface Percentiles {
  p50: number;
  p99: number;
}

/** One engine in one scenario. The first block is docs/design.md §7's schema; `detail` is additive. */
export interface BenchResult {
  engine: EngineName;
  scenario: string;
  requests: number;
  accepted: number;
  succeeded: number;
  failed: number;
  lost: number;
  duplicateCharges: number;
  pg: { maxInFlight: number; maxPerSecond: number; rejected429: number };
  makespanMs: number;
  idealMakespanMs: number;
  utilisation: number;
  acceptMs: Percentiles;
  endToEndMs: Percentiles;
  detail: ResultDetail;
}

/** Answers by HTTP status code ("0": no answer at all). */
export type CodeCounts = Record<string, number>;

/** What it cost the engine's processes (every process of its tree, its Redis included) per payment. */
export interface EngineCost {
  /** CPU time (user + system) of the processes from the first POST until the run settled, per accepted payment. */
  cpuMsPerPayment: number;
  cpuMs: number;
  /** CPU ms per accepted payment by process (`temporal`, `node api-main`, `redis-server`...). */
  cpuMsPerPaymentByProcess?: Record<string, number>;
  /** Temporal: the dev server's RPCs (`rpc <operation>`) and persistence calls per accepted payment. */
  serverCallsPerPayment?: Record<string, number>;
  /** The largest resident set of the processes together, sampled once a second. */
  peakRssMb: number;
  /** Processes counted (a restarted or replaced one counts again). */
  processes: number;
}

export interface ResultDetail {
  /** What the scenario put around the engine: a PG behind a network, a busy core, polling clients. */
  conditions: string[];
  /** What the engine's store promises once it has acknowledged a write (src/config/durability.ts). */
  durability: string;
  /** The intake: every answer to POST /payments by code, the slowest accept, and when the last 2xx came. */
  intake: { answers: CodeCounts; acceptMaxMs: number; lastAcceptedAtMs: number };
  /** polling-clients: each client's status reads until its payment ended. */
  statusReads?: { answers: CodeCounts; latencyMs: Percentiles & { max: number } };
  cost: EngineCost | null;
  /** noisy-neighbour: merchant B's wait from its 202 to its PG call, and merchant A's outcome. */
  neighbour?: {
    /** How the engine tells the merchants apart, or that it does not. */
    merchants: string;
    bPayments: number;
    bWaitMs: Percentiles & { max: number };
    /** Each B payment in posting order: when its 202 came (ms after the first POST) and its wait, ms. */
    bWaits: Array<[acceptedAtMs: number, waitMs: number]>;
    aPayments: number;
    aSucceeded: number;
  };
  /** pg-outage: how the engine routes by PG, and each PG's own figures. */
  lanes?: { routing: string; pgs: LaneFigures[] };
  /** restart-server chaos: how long the kill and the restart took until the store answered again. */
  restartMs?: number;
  /** How the engine was set up for this run (workers, admission, partitions, persistence). */
  variant: string;
  workers: number;
  /** The limits the engine was configured with (the PG's, except in `ceiling`). */
  engineLimits: { concurrency: number; ratePerSecond: number };
  pgLimits: { concurrency: number; ratePerSecond: number };
  pgRequests: number;
  pgCharges: number;
  pgReplays: number;
  injected5xx: number;
  rejectedBy: { concurrency: number; rate: number };
  /**
   * When the PG answered each 429, ms after the first POST (its own timeline): whether refusals
   * stopped once a learnt margin settled (issue 14: none after the first 10 s).
   */
  rejectedAtMs: number[];
  /** Answers other than 202 to POST /payments, by status code. */
  refused: Record<string, number>;
  /**
   * The PG's (pg-main's) first call and its R-th, R its rate, ms after the first POST: a run of
   * N calls cannot end before the R-th plus (N/R - 1) s (figures.ts, firstSecondOf).
   */
  pgFirstSecond: { firstCallMs: number | null; rateFullMs: number | null };
  /**
   * Retries after a 5xx or a lost answer as the PG saw them (pg-main's): how many, and ms from the
   * call each followed to it (figures.ts, retryGapsMs).
   */
  pgRetries: { count: number; gapMs: Percentiles & { max: number } };
  /** Accepted payments whose status answered 404 (the engine forgot them). */
  forgotten: number;
  /** Permits still held once the run settled (Redis semaphore modes), else null. */
  leakedPermits: number | null;
  /** Final payments per second from the first POST to the last final status. */
  throughputPerSecond: number;
  events: Array<{ atMs: number; what: string }>;
  /** Why the run stopped waiting: every payment final, or no progress for this long. */
  settled: string;
  /** Wall time of the whole run, start-up and settling included. */
  wallMs: number;
}

/** pg-outage: one PG's merchant's payments and the PG's own score. */
export interface LaneFigures {
  pg: string;
  /** How long it answered 503 to every charge from the first POST (0: up throughout). */
  outageSeconds: number;
  payments: number;
  succeeded: number;
  failed: number;
  lost: number;
  /** The PG's own score over the run. */
  score: {
    charges: number;
    duplicateCharges: number;
    maxInFlight: number;
    maxPerSecond: number;
    rejected429: number;
    outage503: number;
  };
  /** From the first POST to its last payment's final status. */
  makespanMs: number;
  /** The ideal of its own burst at its limits, after its outage. */
  idealMakespanMs: number;
  utilisation: number;
  /** ms after the first POST at which its first payment ended SUCCESS, or null if none did. */
  firstSuccessMs: number | null;
}

export interface BenchReport {
  startedAt: string;
  pg: { concurrency: number; ratePerSecond: number; latencyMs: string };
  results: BenchResult[];
  /** Additive: how the run was made. */
  run: {
    command: string;
    requests: number;
    engines: string[];
    scenarios: string[];
    durationMs: number;
    host: string;
    redisPersistence: string;
    /** The dev server's SQLite synchronous pragma for this run (TEMPORAL_SQLITE_SYNCHRONOUS). */
    sqliteSynchronous: string;
    /** Set when some engine ran below a payment system's durability class (synchronous=OFF). */
    belowPaymentClass?: string;
    /** --surge N. */
    surge: number;
    skipped: string[];
    schedule: string;
  };
}

/** Per-result series for the charts (kept out of report.json's results, written beside it). */
export interface ResultSeries {
  engine: EngineName;
  scenario: string;
  /** ms after the first POST at which each payment reached its final status (PG completions). */
  completionsMs: number[];
  /** PG in-flight count: [ms after first POST, calls open] at every change. */
  inFlight: Array<[number, number]>;
  endToEndMs: number[];
  acceptMs: number[];
  idealMakespanMs: number;
  requests: number;
  ideal: { concurrency: number; ratePerSecond: number; latencyMs: number };
}
