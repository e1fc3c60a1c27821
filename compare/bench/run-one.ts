/**
 * One engine in one scenario, from a fresh fake PG and a fresh Redis to its result: start, warm up,
 * send the load, make the chaos, wait until every payment is final or progress stops, then read the
 * score from the PG itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SqliteSynchronous } from '../../src/config/durability';
import { isFinal, type PaymentStatusView } from '../../src/contract/payment';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { PaymentsClient } from '../../src/load/payments-client';
import { type BenchRedis, startBenchRedis } from './bench-redis';
import type { EngineAdapter, RunningEngine } from './engines';
import { type Place, alone } from './lineup';
import {
  firstSecondOf,
  idealMakespanMs,
  inFlightSeries,
  meanLatencyMs,
  percentiles,
  retryGapsMs,
  utilisation,
} from './figures';
import { type SentPayment, sendLoad } from './load';
import { type SampledCost, TreeSampler } from './proc-tree';
import { PG_MAIN, type Scenario, arrivalsMsOf, chaosTimes, takesTurn } from './scenarios';
import { StatusPollersThread } from './status-pollers-thread';
import { armPgAlt, bothScores, laneFigures, pgOfSent } from './two-pgs';
import type { BenchResult, CodeCounts, ResultDetail, ResultSeries } from './types';

export type Progress = (text: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
/** Longer than any engine's rate window (one second plus its margin). */
const WARM_UP_WINDOW_MS = 1500;
/** How long a run waits without progress before it counts what is left as lost. Chaos runs wait
 * longer: a killed BullMQ worker's jobs come back only after its stalled-job check (30 s lock + 30 s
 * interval by default), a killed Temporal worker's activity after its 30 s start-to-close timeout;
 * so do outage runs, whose pg-alt charges nothing for its outage and then a retry's backoff. */
const stallMsOf = (s: Scenario) => (s.chaos || s.pgAlt?.outageSeconds ? 75_000 : 20_000);
const STATUS_PARALLEL = 16;

interface Settled {
  finals: Map<string, PaymentStatusView>;
  forgotten: number;
  settled: string;
}

/** Waits for the PG to have charged every payment (cheap: one stats call a second), then asks the
 * engine for each status once, and only the still-pending ones again, in bounded batches. */
async function settle(
  client: PaymentsClient,
  run: { pg: { stats(): Promise<{ charges: number; declined: number }> } },
  ids: string[],
  stallMs: number,
  deadline: number,
  progress: Progress,
): Promise<Settled> {
  let lastDone = -1;
  let lastChange = Date.now();
  for (;;) {
    const s = await run.pg.stats().catch(() => undefined);
    const done = s ? s.charges + s.declined : lastDone;
    progress(`${Math.min(done, ids.length)}/${ids.length} charged at the PG`);
    if (done >= ids.length) break;
    if (done !== lastDone) [lastDone, lastChange] = [done, Date.now()];
    if (Date.now() - lastChange > stallMs || Date.now() > deadline) break;
    await sleep(500);
  }
  const finals = new Map<string, PaymentStatusView>();
  const notFound = new Set<string>();
  let pending = [...ids];
  lastChange = Date.now();
  for (;;) {
    const answers = await client.statusRound(pending, STATUS_PARALLEL);
    const still: string[] = [];
    for (const id of pending) {
      const a = answers.get(id);
      if (a?.status === 200 && isFinal(a.body.status)) {
        finals.set(id, a.body);
        notFound.delete(id);
      } else {
        if (a?.status === 404) notFound.add(id);
        still.push(id);
      }
    }
    if (still.length < pending.length) lastChange = Date.now();
    pending = still;
    progress(`${finals.size}/${ids.length} final`);
    if (pending.length === 0) return { finals, forgotten: 0, settled: 'every accepted payment final' };
    if (Date.now() - lastChange > stallMs || Date.now() > deadline) {
      return {
        finals,
        forgotten: notFound.size,
        settled: `${pending.length} not final after ${Math.round((Date.now() - lastChange) / 1000)} s without progress`,
      };
    }
    await sleep(1000);
  }
}

/** settle() for each client's own payments in turn (at its own PG, if it has one), the findings together. */
async function settleEach(
  groups: Array<{ reader: PaymentsClient; ids: string[]; pg?: FakePgHandle }>,
  run: Parameters<typeof settle>[1],
  stallMs: number,
  deadline: number,
  progress: Progress,
): Promise<Settled> {
  const all: Settled = { finals: new Map(), forgotten: 0, settled: '' };
  const why: string[] = [];
  for (const { reader, ids, pg } of groups) {
    if (ids.length === 0) continue;
    const one = await settle(reader, pg ? { pg: pg.client } : run, ids, stallMs, deadline, progress);
    for (const [id, view] of one.finals) all.finals.set(id, view);
    all.forgotten += one.forgotten;
    why.push(one.settled);
  }
  all.settled = [...new Set(why)].join('; ');
  return all;
}

/** What every run of one bench shares. */
export interface RunSettings {
  sqliteSynchronous: SqliteSynchronous;
}

const DEFAULT_SETTINGS: RunSettings = { sqliteSynchronous: 'NORMAL' };

type RunOutput = { result: BenchResult; series: ResultSeries };

/** One run; its place in a wave's lineup says when it may send its load (see lineup.ts). */
export async function runOne(
  adapter: EngineAdapter,
  scenario: Scenario,
  progress: Progress,
  at: Place = alone(),
  settings: RunSettings = DEFAULT_SETTINGS,
): Promise<RunOutput> {
  let ready = false;
  try {
    return await runOneInLine(adapter, scenario, progress, at, settings, () => (ready = true));
  } finally {
    // A run that failed before its turn must hold up neither the wave nor the runs after it.
    if (!ready) at.lineup.leave(at.place);
    else at.lineup.pass(at.place);
  }
}

/** The run's own referee and store: a fresh fake PG (two in pg-outage), a fresh Redis and a directory. */
async function startGround(scenario: Scenario, engine: string) {
  const pgEnv = {
    PG_MAX_CONCURRENCY: String(scenario.pg.concurrency),
    PG_RATE_LIMIT: String(scenario.pg.ratePerSecond),
    PG_LATENCY_MS: scenario.pg.latencyMs,
    PG_FAILURE_RATE: String(scenario.pg.failureRate),
    ...(scenario.pg.arrivalJitterMs ? { PG_ARRIVAL_JITTER_MS: scenario.pg.arrivalJitterMs } : {}),
  };
  const pg = await startFakePg(pgEnv);
  let pgAlt: FakePgHandle | undefined;
  try {
    pgAlt = scenario.pgAlt ? await startFakePg(pgEnv) : undefined;
    const redis = await startBenchRedis();
    // Made once the PGs and Redis are up, so a failed start leaves no directory behind.
    const dir = mkdtempSync(path.join(tmpdir(), `bench-${engine}-`));
    return { pg, pgAlt, redis, dir };
  } catch (err) {
    await Promise.allSettled([pg.process.stop(), pgAlt?.process.stop()]);
    throw err;
  }
}

/**
 * A few payments first, so no engine pays its cold start inside the measured run: one, or three
 * per worker where a scenario runs several, since a payment warms only the worker that took it
 * (a Temporal worker's first workflow task builds its sandbox). The warm-up's PG calls stay in the
 * engine's rate window (1 s + margin) for a while, and an admission step cannot know the PG's
 * score is reset: the measured load starts once they have left, or they would hold back the
 * burst's first calls until then.
 */
const warmUpPayments = (workers: number): number => (workers > 1 ? Math.min(10, 3 * workers) : 1);

async function warmUp(client: PaymentsClient, payments: number): Promise<void> {
  const stamp = Date.now();
  const posted = await Promise.all(
    Array.from({ length: payments }, (_, i) =>
      client.post({ orderId: `warmup-${stamp}-${i}`, amount: 1, currency: 'KRW' }),
    ),
  );
  const ids = posted.flatMap((answer) => (answer.requestId ? [answer.requestId] : []));
  if (ids.length > 0) await client.waitForFinal(ids, { timeoutMs: 30_000, intervalMs: 200 });
  const windowClearAt = Date.now() + WARM_UP_WINDOW_MS;
  await client.connect();
  await sleep(windowClearAt - Date.now());
}

/** The chaos of a scenario on a timer from the first POST; `restartMs` times the restart. */
class ChaosPlan {
  readonly events: Array<{ atMs: number; what: string }> = [];
  restartMs?: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly done: Array<Promise<void>> = [];

  schedule(scenario: Scenario, engine: RunningEngine, idealMs: number, t0: number): void {
    if (!scenario.chaos) return;
    const { actAtMs, recoverAtMs } = chaosTimes(idealMs);
    if (scenario.chaos === 'kill-worker') {
      this.at(t0, actAtMs, () => engine.killWorker());
      this.at(t0, recoverAtMs, () => engine.startWorker());
    } else
      this.at(t0, actAtMs, async () => {
        const started = performance.now();
        const text = await engine.restartServer();
        this.restartMs = Math.round(performance.now() - started);
        return `${text} (${(this.restartMs / 1000).toFixed(1)} s until it answered)`;
      });
  }

  private at(t0: number, ms: number, what: () => Promise<string>): void {
    this.done.push(
      new Promise<void>((resolve) => {
        this.timers.push(
          setTimeout(() => {
            what()
              .then((text) => this.events.push({ atMs: Date.now() - t0, what: text }))
              .catch((err: unknown) =>
                this.events.push({ atMs: Date.now() - t0, what: `failed: ${(err as Error).message}` }),
              )
              .finally(resolve);
          }, ms),
        );
      }),
    );
  }

  settled(): Promise<void> {
    return Promise.all(this.done).then(() => undefined);
  }

  cancel(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/** What the measured part of a run saw, before the PG's score is read. */
interface Observed {
  t0: number;
  sent: SentPayment[];
  settled: Settled;
  chaos: ChaosPlan;
  cost: SampledCost;
  /** The engine server's counters over the run (RunningEngine.serverCounters). */
  serverCounts?: Record<string, number>;
  statusReads?: ResultDetail['statusReads'];
}

/** How long a turn waits, after its intake, for the PG's first second to fill. */
const FIRST_SECOND_WAIT_MS = 3000;

/**
 * Resolves once the PG has had its first second's calls (its rate, or every payment if fewer), or
 * FIRST_SECOND_WAIT_MS after the intake: the end of a burst's turn (lineup.ts).
 */
async function firstSecondFilled(pg: FakePgHandle, scenario: Scenario): Promise<void> {
  const calls = Math.min(scenario.pg.ratePerSecond, scenario.requests);
  const until = Date.now() + FIRST_SECOND_WAIT_MS;
  while (Date.now() < until && (await pg.client.stats()).requests < calls) await sleep(20);
}

// 202 from the queues; 200 from semaphore-only, which charges inside the request.
const isAccepted = (p: { status: number; requestId?: string }) => p.status >= 200 && p.status < 300 && !!p.requestId;

/**
 * The measured part: from the PG's reset to every payment final (or progress stopped). The engine's
 * processes are sampled from the first POST; polling clients start from their 202.
 */
async function measure(
  scenario: Scenario,
  adapterName: string,
  ground: {
    pg: FakePgHandle;
    pgAlt?: FakePgHandle;
    engine: RunningEngine;
    client: PaymentsClient;
    neighbour?: PaymentsClient;
  },
  { lineup, place }: Place,
  progress: Progress,
): Promise<Observed> {
  const { pg, engine, client } = ground;
  const idealAll = idealMakespanMs(
    scenario.requests,
    scenario.pg,
    meanLatencyMs(scenario.pg.latencyMs),
    arrivalsMsOf(scenario.load),
  );
  const chaos = new ChaosPlan();
  const pollers = scenario.pollStatusMs
    ? new StatusPollersThread(engine.apiUrl, engine.apiKey, scenario.pollStatusMs, scenario.requests)
    : undefined;
  let sampler: TreeSampler | undefined;
  let countersAtStart: Record<string, number> | undefined;
  let t0 = Date.now();
  try {
    const load = async () => {
      await pollers?.open();
      await pg.client.reset();
      if (ground.pgAlt) await armPgAlt(ground.pgAlt, scenario);
      sampler = new TreeSampler(() => engine.pids());
      countersAtStart = await engine.serverCounters?.().catch(() => undefined);
      // The clock starts at the first POST: reading the Temporal server's /metrics above takes
      // 60-70 ms, which the Redis engines (no such read) did not have on theirs.
      t0 = Date.now();
      chaos.schedule(scenario, engine, idealAll, t0);
      return sendLoad(
        client,
        scenario.load,
        scenario.requests,
        `${scenario.name}-${adapterName}-${t0}`,
        {
          onSent: (n) => progress(`${n}/${scenario.requests} posted`),
          onAnswer: (p) => isAccepted(p) && pollers?.add(p.requestId!),
          // The flash sale was this run's turn; its neighbour waits for every run's flash sale.
          flashSaleIn: () => {
            lineup.pass(place);
            return lineup.everyTurnOver();
          },
        },
        ground.neighbour,
      );
    };
    // A burst's intake (or a flash sale) takes its turn; a paced load lasts the whole run, so it shares the machine.
    if (!takesTurn(scenario.load)) lineup.pass(place);
    const sent = takesTurn(scenario.load)
      ? await lineup.intake(place, load, () => firstSecondFilled(pg, scenario))
      : await load();
    const ids = [...new Set(sent.filter(isAccepted).map((p) => p.requestId!))];
    const deadline = t0 + idealAll * 3 + 180_000;
    // Each merchant reads its own payments' statuses: another merchant's answer 404.
    const ofB = new Set(sent.filter((p) => p.merchant === 'B').map((p) => p.requestId));
    const groups = ground.neighbour
      ? [
          { reader: client, ids: ids.filter((id) => !ofB.has(id)) },
          { reader: ground.neighbour, ids: ids.filter((id) => ofB.has(id)), pg: ground.pgAlt },
        ]
      : [{ reader: client, ids }];
    const settled = await settleEach(groups, { pg: pg.client }, stallMsOf(scenario), deadline, progress);
    await chaos.settled();
    // Every payment is final by now (or given up on): each client needs at most one more read.
    const statusReads = await pollers?.finish(2 * (scenario.pollStatusMs ?? 0) + 5000);
    const cost = sampler!.stop();
    const countersAtEnd = countersAtStart && (await engine.serverCounters?.().catch(() => undefined));
    const serverCounts =
      countersAtStart && countersAtEnd
        ? Object.fromEntries(
            Object.entries(countersAtEnd).map(([key, n]) => [key, n - (countersAtStart?.[key] ?? 0)] as const),
          )
        : undefined;
    return { t0, sent, settled, chaos, cost, serverCounts, statusReads };
  } finally {
    chaos.cancel();
    sampler?.stop();
    await pollers?.finish(0);
  }
}

/** Answers by code, the slowest accept and when the last accept came. */
function intakeFigures(sent: SentPayment[], t0: number): ResultDetail['intake'] {
  const answers: CodeCounts = {};
  let acceptMaxMs = 0;
  let lastAcceptedAtMs = 0;
  for (const p of sent) {
    answers[String(p.status)] = (answers[String(p.status)] ?? 0) + 1;
    if (!isAccepted(p)) continue;
    acceptMaxMs = Math.max(acceptMaxMs, p.acceptMs);
    lastAcceptedAtMs = Math.max(lastAcceptedAtMs, p.sentAt + p.acceptMs - t0);
  }
  return { answers, acceptMaxMs: Math.round(acceptMaxMs), lastAcceptedAtMs: Math.round(lastAcceptedAtMs) };
}

const conditionsOf = (s: Scenario): string[] => [
  ...(s.pgAlt?.outageSeconds
    ? [`pg-alt answers 503 to every charge for ${s.pgAlt.outageSeconds} s from the first POST`]
    : []),
  ...(s.pg.arrivalJitterMs ? [`PG_ARRIVAL_JITTER_MS=${s.pg.arrivalJitterMs} before the PG stamps a call`] : []),
  ...(s.busyCore ? ['one core kept busy by src/load/cpu-burner.ts for the whole wave'] : []),
  ...(s.pollStatusMs ? [`every client reads its status each ${s.pollStatusMs} ms until its payment ends`] : []),
];

/**
 * noisy-neighbour: merchant B's wait from its 202 to its PG call (the status's `startedAt`), and
 * whether every payment of merchant A ended SUCCESS.
 */
function neighbourFigures(
  accepted: SentPayment[],
  finals: Map<string, PaymentStatusView>,
  engine: RunningEngine,
): NonNullable<ResultDetail['neighbour']> {
  const ofB = accepted.filter((p) => p.merchant === 'B');
  const firstPost = Math.min(...accepted.map((p) => p.sentAt));
  // Where a slow one falls (the flash sale's first seconds, or later) says where to look.
  const bWaits = ofB.flatMap((p): Array<[number, number]> => {
    const startedAt = finals.get(p.requestId!)?.startedAt;
    const acceptedAt = p.sentAt + p.acceptMs;
    return startedAt ? [[Math.round(acceptedAt - firstPost), Math.round(Date.parse(startedAt) - acceptedAt)]] : [];
  });
  const waits = bWaits.map(([, wait]) => wait);
  const ofA = accepted.filter((p) => p.merchant === 'A');
  return {
    merchants: engine.merchants ?? 'one merchant: B posts as A',
    bPayments: ofB.length,
    bWaitMs: { ...percentiles(waits), max: Math.round(Math.max(0, ...waits)) },
    bWaits,
    aSucceeded: ofA.filter((p) => finals.get(p.requestId!)?.status === 'SUCCESS').length,
    aPayments: ofA.length,
  };
}

const retriesOf = (gaps: number[]) => ({
  count: gaps.length,
  gapMs: { ...percentiles(gaps), max: Math.max(0, ...gaps) },
});

/** The result and the chart series, from what the run observed and the PG's own score. */
async function score(
  adapterName: BenchResult['engine'],
  scenario: Scenario,
  ground: { pg: FakePgHandle; pgAlt?: FakePgHandle; engine: RunningEngine },
  observed: Observed,
  wallStart: number,
): Promise<RunOutput> {
  const { pg, pgAlt, engine } = ground;
  const { t0, sent, settled, chaos } = observed;
  const [mainStats, altStats, timeline, altTimeline, leakedPermits] = await Promise.all([
    pg.client.stats(),
    pgAlt?.client.stats(),
    pg.client.timeline(),
    pgAlt?.client.timeline(),
    engine.leakedPermits().catch(() => null),
  ]);
  const stats = altStats ? bothScores(mainStats, altStats) : mainStats;
  const accepted = sent.filter(isAccepted);
  const refused: CodeCounts = {};
  for (const p of sent) if (!isAccepted(p)) refused[String(p.status)] = (refused[String(p.status)] ?? 0) + 1;
  const ids = [...new Set(accepted.map((p) => p.requestId!))];
  const L = meanLatencyMs(scenario.pg.latencyMs);
  const arrivalsMs = arrivalsMsOf(scenario.load);
  const sentAt = new Map(accepted.map((p) => [p.requestId!, p.sentAt]));
  const done = [...settled.finals.values()];
  // pg-outage: the timing figures are pg-main's burst's, against its own ideal; the counts cover both PGs.
  const timedIds = altStats ? new Set(accepted.filter((p) => pgOfSent(p) === PG_MAIN).map((p) => p.requestId!)) : null;
  const timed = timedIds ? done.filter((v) => timedIds.has(v.requestId)) : done;
  const completedAt = (v: PaymentStatusView) => (v.completedAt ? Date.parse(v.completedAt) : t0);
  const lastFinal = timed.reduce((last, v) => Math.max(last, completedAt(v)), t0);
  const makespanMs = Math.max(0, lastFinal - t0);
  const ideal = idealMakespanMs(timedIds?.size ?? ids.length, scenario.pg, L, arrivalsMs);
  const endToEnd = timed.map((v) => completedAt(v) - (sentAt.get(v.requestId) ?? t0));
  const acceptMs = accepted.map((p) => p.acceptMs);
  const { cpuMs, byProcess, peakRssMb, processes } = observed.cost;
  const perPayment = (ms: number) => (ids.length ? Math.round((ms / ids.length) * 10) / 10 : 0);

  const result: BenchResult = {
    engine: adapterName,
    scenario: scenario.name,
    requests: scenario.requests,
    accepted: ids.length,
    succeeded: done.filter((v) => v.status === 'SUCCESS').length,
    failed: done.filter((v) => v.status === 'FAILED').length,
    lost: ids.length - done.length,
    duplicateCharges: stats.duplicateCharges,
    pg: { maxInFlight: stats.maxInFlight, maxPerSecond: stats.maxPerSecond, rejected429: stats.rejected429 },
    makespanMs,
    idealMakespanMs: ideal,
    utilisation: utilisation(ideal, makespanMs),
    acceptMs: percentiles(acceptMs),
    endToEndMs: percentiles(endToEnd),
    detail: {
      variant: engine.variant,
      conditions: conditionsOf(scenario),
      durability: engine.durability,
      workers: scenario.workers,
      engineLimits: scenario.engineLimits,
      pgLimits: { concurrency: scenario.pg.concurrency, ratePerSecond: scenario.pg.ratePerSecond },
      pgRequests: stats.requests,
      pgCharges: stats.charges,
      pgReplays: stats.replays,
      injected5xx: stats.injected5xx,
      rejectedBy: stats.rejectedBy ?? { concurrency: 0, rate: 0 },
      // Both PGs' refusals where there are two, as rejectedBy counts them.
      rejectedAtMs: [timeline, altTimeline]
        .flatMap((tl) => tl?.rejections.map((t) => Math.round(t + tl.startedAtEpochMs - t0)) ?? [])
        .sort((a, b) => a - b),
      refused,
      pgFirstSecond: firstSecondOf(timeline, timeline.startedAtEpochMs - t0, scenario.pg.ratePerSecond),
      pgRetries: retriesOf(retryGapsMs(timeline.callsByKey)),
      intake: intakeFigures(sent, t0),
      ...(observed.statusReads ? { statusReads: observed.statusReads } : {}),
      ...(scenario.load.kind === 'neighbours' ? { neighbour: neighbourFigures(accepted, settled.finals, engine) } : {}),
      ...(altStats
        ? {
            lanes: {
              routing: engine.merchants ?? 'one merchant per PG',
              pgs: laneFigures(scenario, accepted, settled.finals, t0, { main: mainStats, alt: altStats }),
            },
          }
        : {}),
      cost: {
        cpuMs,
        cpuMsPerPayment: perPayment(cpuMs),
        ...(observed.serverCounts
          ? {
              serverCallsPerPayment: Object.fromEntries(
                Object.entries(observed.serverCounts)
                  .map(([key, n]) => [key, perPayment(n)] as const)
                  .filter(([, n]) => n > 0)
                  .sort((a, b) => b[1] - a[1]),
              ),
            }
          : {}),
        cpuMsPerPaymentByProcess: Object.fromEntries(
          Object.entries(byProcess)
            .map(([name, ms]) => [name, perPayment(ms)] as const)
            .filter(([, ms]) => ms > 0)
            .sort((a, b) => b[1] - a[1]),
        ),
        peakRssMb,
        processes,
      },
      ...(chaos.restartMs !== undefined ? { restartMs: chaos.restartMs } : {}),
      forgotten: settled.forgotten,
      leakedPermits,
      throughputPerSecond: makespanMs > 0 ? Math.round((timed.length / makespanMs) * 100_000) / 100 : 0,
      events: chaos.events,
      settled: settled.settled,
      wallMs: Date.now() - wallStart,
    },
  };
  const series: ResultSeries = {
    engine: adapterName,
    scenario: scenario.name,
    completionsMs: timed.map((v) => completedAt(v) - t0).sort((a, b) => a - b),
    inFlight: inFlightSeries(timeline, timeline.startedAtEpochMs - t0),
    endToEndMs: endToEnd,
    acceptMs,
    idealMakespanMs: ideal,
    requests: timedIds?.size ?? ids.length,
    ideal: { concurrency: scenario.pg.concurrency, ratePerSecond: scenario.pg.ratePerSecond, latencyMs: L },
  };
  return { result, series };
}

async function runOneInLine(
  adapter: EngineAdapter,
  scenario: Scenario,
  progress: Progress,
  at: Place,
  settings: RunSettings,
  markReady: () => void,
): Promise<RunOutput> {
  const wallStart = Date.now();
  const { pg, pgAlt, redis, dir }: { pg: FakePgHandle; pgAlt?: FakePgHandle; redis: BenchRedis; dir: string } =
    await startGround(scenario, adapter.name);
  let engine: RunningEngine | undefined;
  let client: PaymentsClient | undefined;
  let neighbour: PaymentsClient | undefined;
  try {
    progress('starting');
    engine = await adapter.start({ scenario, pg, pgAlt, redis, dir, sqliteSynchronous: settings.sqliteSynchronous });
    client = new PaymentsClient(engine.apiUrl, { connections: 64, apiKey: engine.apiKey });
    neighbour = engine.neighbourClient?.();
    await warmUp(client, warmUpPayments(scenario.workers));
    // pg-alt's lane pays its own cold start outside the measured run too.
    if (pgAlt && neighbour) await warmUp(neighbour, warmUpPayments(scenario.workers));
    markReady();
    progress('ready, waiting for the other runs of this wave');
    await at.lineup.ready();
    const observed = await measure(scenario, adapter.name, { pg, pgAlt, engine, client, neighbour }, at, progress);
    return await score(adapter.name, scenario, { pg, pgAlt, engine }, observed, wallStart);
  } finally {
    await client?.close().catch(() => undefined);
    await neighbour?.close().catch(() => undefined);
    await engine?.stop().catch(() => undefined);
    await redis.stop().catch(() => undefined);
    await pg.process.stop().catch(() => undefined);
    await pgAlt?.process.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
