/**
 * One engine in one scenario, from a fresh fake PG and a fresh Redis to its result: start, warm up,
 * send the load, make the chaos, wait until every payment is final or progress stops, then read the
 * score from the PG itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isFinal, type PaymentStatusView } from '../../src/contract/payment';
import { startFakePg } from '../../src/launch/fake-pg';
import { PaymentsClient } from '../../src/load/payments-client';
import { startBenchRedis } from './bench-redis';
import type { EngineAdapter, RunningEngine } from './engines';
import { type Place, alone } from './lineup';
import { idealMakespanMs, inFlightSeries, meanLatencyMs, percentiles, utilisation } from './figures';
import { sendLoad } from './load';
import { type Scenario, chaosTimes } from './scenarios';
import type { BenchResult, ResultSeries } from './types';

export type Progress = (text: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
/** Longer than any engine's rate window (one second plus its margin). */
const WARM_UP_WINDOW_MS = 1500;
/** How long a run waits without progress before it counts what is left as lost. Chaos runs wait
 * longer: a killed BullMQ worker's jobs come back only after its stalled-job check (30 s lock + 30 s
 * interval by default), a killed Temporal worker's activity after its 30 s start-to-close timeout. */
const stallMsOf = (s: Scenario) => (s.chaos ? 75_000 : 20_000);
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

/** One run; its place in a wave's lineup says when it may send its load (see lineup.ts). */
export async function runOne(
  adapter: EngineAdapter,
  scenario: Scenario,
  progress: Progress,
  at: Place = alone(),
): Promise<{ result: BenchResult; series: ResultSeries }> {
  let ready = false;
  try {
    return await runOneInLine(adapter, scenario, progress, at, () => (ready = true));
  } finally {
    // A run that failed before its turn must hold up neither the wave nor the runs after it.
    if (!ready) at.lineup.leave(at.place);
    else at.lineup.pass(at.place);
  }
}

async function runOneInLine(
  adapter: EngineAdapter,
  scenario: Scenario,
  progress: Progress,
  { lineup, place }: Place,
  markReady: () => void,
): Promise<{ result: BenchResult; series: ResultSeries }> {
  const wallStart = Date.now();
  const pg = await startFakePg({
    PG_MAX_CONCURRENCY: String(scenario.pg.concurrency),
    PG_RATE_LIMIT: String(scenario.pg.ratePerSecond),
    PG_LATENCY_MS: scenario.pg.latencyMs,
    PG_FAILURE_RATE: String(scenario.pg.failureRate),
  });
  const redis = await startBenchRedis().catch(async (err) => {
    await pg.process.stop();
    throw err;
  });
  // Made once the PG and Redis are up, so a failed start leaves no directory behind.
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${adapter.name}-`));
  let engine: RunningEngine | undefined;
  let client: PaymentsClient | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    progress('starting');
    engine = await adapter.start({ scenario, pg, redis, dir });
    client = new PaymentsClient(engine.apiUrl, { connections: 64, apiKey: engine.apiKey });
    // One payment first, so no engine pays its cold start inside the measured run.
    const warm = await client.post({ orderId: `warmup-${Date.now()}`, amount: 1, currency: 'KRW' });
    if (warm.requestId) await client.waitForFinal([warm.requestId], { timeoutMs: 30_000, intervalMs: 200 });
    // The warm-up's PG call stays in the engine's rate window (1 s + margin) for a while, and a
    // admission step cannot know the PG's score is reset: the measured burst starts once it has left, or
    // it would hold back the burst's tenth call until then.
    const windowClearAt = Date.now() + WARM_UP_WINDOW_MS;
    await client.connect();
    await sleep(windowClearAt - Date.now());
    markReady();
    progress('ready, waiting for the other runs of this wave');
    await lineup.ready();

    const L = meanLatencyMs(scenario.pg.latencyMs);
    const arrivalsMs = scenario.load.kind === 'paced' ? scenario.load.durationMs : 0;
    const idealAll = idealMakespanMs(scenario.requests, scenario.pg, L, arrivalsMs);
    const events: Array<{ atMs: number; what: string }> = [];
    let t0 = Date.now();
    const chaosDone: Array<Promise<void>> = [];
    const at = (ms: number, what: () => Promise<string>) =>
      chaosDone.push(
        new Promise<void>((resolve) => {
          timers.push(
            setTimeout(() => {
              what()
                .then((text) => events.push({ atMs: Date.now() - t0, what: text }))
                .catch((err: unknown) =>
                  events.push({ atMs: Date.now() - t0, what: `failed: ${(err as Error).message}` }),
                )
                .finally(resolve);
            }, ms),
          );
        }),
      );
    const e = engine;
    const c = client;
    const load = async () => {
      await pg.client.reset();
      t0 = Date.now();
      if (scenario.chaos) {
        const { actAtMs, recoverAtMs } = chaosTimes(idealAll);
        if (scenario.chaos === 'kill-worker') {
          at(actAtMs, () => e.killWorker());
          at(recoverAtMs, () => e.startWorker());
        } else at(actAtMs, () => e.restartServer());
      }
      return sendLoad(c, scenario.load, scenario.requests, `${scenario.name}-${adapter.name}-${t0}`, (n) =>
        progress(`${n}/${scenario.requests} posted`),
      );
    };
    // A burst's intake takes its turn; a paced load lasts the whole run, so it shares the machine.
    if (scenario.load.kind !== 'burst') lineup.pass(place);
    const sent = scenario.load.kind === 'burst' ? await lineup.intake(place, load) : await load();
    // 202 from the queues; 200 from semaphore-only, which charges inside the request.
    const isAccepted = (p: { status: number; requestId?: string }) =>
      p.status >= 200 && p.status < 300 && !!p.requestId;
    const accepted = sent.filter(isAccepted);
    const refused: Record<string, number> = {};
    for (const p of sent) if (!isAccepted(p)) refused[String(p.status)] = (refused[String(p.status)] ?? 0) + 1;
    const ids = [...new Set(accepted.map((p) => p.requestId!))];
    const deadline = t0 + idealAll * 3 + 180_000;
    const settled = await settle(client, { pg: pg.client }, ids, stallMsOf(scenario), deadline, progress);
    await Promise.all(chaosDone);

    const [stats, timeline, leakedPermits] = await Promise.all([
      pg.client.stats(),
      pg.client.timeline(),
      engine.leakedPermits().catch(() => null),
    ]);
    const sentAt = new Map(accepted.map((p) => [p.requestId!, p.sentAt]));
    const done = [...settled.finals.values()];
    const completedAt = (v: PaymentStatusView) => (v.completedAt ? Date.parse(v.completedAt) : t0);
    const lastFinal = done.length ? Math.max(...done.map(completedAt)) : t0;
    const makespanMs = Math.max(0, lastFinal - t0);
    const ideal = idealMakespanMs(ids.length, scenario.pg, L, arrivalsMs);
    const endToEnd = done.map((v) => completedAt(v) - (sentAt.get(v.requestId) ?? t0));
    const acceptMs = accepted.map((p) => p.acceptMs);

    const result: BenchResult = {
      engine: adapter.name,
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
        workers: scenario.workers,
        engineLimits: scenario.engineLimits,
        pgLimits: { concurrency: scenario.pg.concurrency, ratePerSecond: scenario.pg.ratePerSecond },
        pgRequests: stats.requests,
        pgCharges: stats.charges,
        pgReplays: stats.replays,
        injected5xx: stats.injected5xx,
        rejectedBy: stats.rejectedBy ?? { concurrency: 0, rate: 0 },
        refused,
        forgotten: settled.forgotten,
        leakedPermits,
        throughputPerSecond: makespanMs > 0 ? Math.round((done.length / makespanMs) * 100_000) / 100 : 0,
        events,
        settled: settled.settled,
        wallMs: Date.now() - wallStart,
      },
    };
    const series: ResultSeries = {
      engine: adapter.name,
      scenario: scenario.name,
      completionsMs: done.map((v) => completedAt(v) - t0).sort((a, b) => a - b),
      inFlight: inFlightSeries(timeline, timeline.startedAtEpochMs - t0),
      endToEndMs: endToEnd,
      acceptMs,
      idealMakespanMs: ideal,
      requests: ids.length,
      ideal: { concurrency: scenario.pg.concurrency, ratePerSecond: scenario.pg.ratePerSecond, latencyMs: L },
    };
    return { result, series };
  } finally {
    for (const t of timers) clearTimeout(t);
    await client?.close().catch(() => undefined);
    await engine?.stop().catch(() => undefined);
    await redis.stop().catch(() => undefined);
    await pg.process.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
