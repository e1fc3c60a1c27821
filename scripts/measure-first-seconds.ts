/**
 * Where a short run's first seconds go on the Temporal engine (issue: flaky-pg and scale-3 run
 * 100 payments, so every second before the PG is busy costs 0.1 of utilisation). Accepts
 * --payments at once into the intake of a fresh stack, waits for them, then reads each payment's
 * workflow history and the PG's arrival stamps and prints, per step, how many payments had passed
 * it by each second after the first acceptance: started, first workflow task done (its PG call
 * scheduled), the PG's first arrival, closed; and the first twelve payments at the PG hop by hop. The stack is the benchmark's (history on disk, the
 * server's metrics on, a warm-up payment and 1.5 s before the load). Not a test: one run at a time.
 *   npx tsx scripts/measure-first-seconds.ts [--payments 100] [--failure-rate 0.1] [--workers 1]
 *     [--warm 1] [--window N] [--http] [--spacing MS]
 * With --spacing, the payments come one at a time, each MS ms after the one before was accepted,
 * and it also prints one payment's hops with nothing else in flight (medians from its own start).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../src/infra/ports';
import { startDevServer } from '../src/infra/temporal-dev-server';
import { PaymentStore } from '../src/intake/payment-store';
import { startFakePg } from '../src/launch/fake-pg';
import { type TemporalStack, startTemporalStack } from '../src/launch/temporal-stack';
import { acceptDirect, waitForStored } from '../src/load/direct-intake';
import { paymentBodies } from '../src/load/payments-client';

const { values: a } = parseArgs({
  options: {
    payments: { type: 'string', default: '100' },
    'failure-rate': { type: 'string', default: '0.1' },
    workers: { type: 'string', default: '1' },
    /** Payments charged before the measured ones, so the worker is warm. */
    warm: { type: 'string', default: '1' },
    /** STARTER_WINDOW; unset: the default (2 × the PG's rate). */
    window: { type: 'string' },
    /** Post through the API over HTTP, as the benchmark does, instead of into the intake directly. */
    http: { type: 'boolean', default: false },
    /** Post one payment at a time, this many ms apart, instead of all at once. */
    spacing: { type: 'string', default: '0' },
  },
});

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

/** How many of `times` (ms after t0) fell in each second. */
function perSecond(times: number[], seconds: number): string {
  const bins = new Array<number>(seconds).fill(0);
  for (const t of times) if (t >= 0 && t < seconds * 1000) bins[Math.floor(t / 1000)]!++;
  return bins.map((n) => String(n).padStart(3)).join('');
}

async function postAll(api: TemporalStack['api'], count: number): Promise<string[]> {
  const answers = await Promise.all(paymentBodies(count, `first-${Date.now()}`).map((body) => api.post(body)));
  return answers.map((answer) => answer.requestId!);
}

/** Accepts `count` payments one at a time, `spacingMs` after each acceptance. */
async function acceptSpaced(
  count: number,
  spacingMs: number,
  accept: (count: number) => Promise<string[]>,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(...(await accept(1)));
    await new Promise((resolve) => setTimeout(resolve, spacingMs));
  }
  return ids;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const pg = await startFakePg({
    PG_MAX_CONCURRENCY: '10',
    PG_RATE_LIMIT: '10',
    PG_LATENCY_MS: '100-300',
    PG_FAILURE_RATE: a['failure-rate'],
  });
  // As the benchmark runs it: the history on disk, and several workers share one admission step.
  const dir = mkdtempSync(path.join(tmpdir(), 'first-seconds-'));
  const temporal = await startDevServer({
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    metricsPort: await freePort(),
  });
  const workers = Number(a.workers);
  const stack = await startTemporalStack({
    pg,
    temporal,
    workers,
    workerEnv: workers > 1 ? { PG_ADMISSION: 'redis' } : {},
    apiEnv: a.window ? { STARTER_WINDOW: a.window } : {},
  });
  const store = PaymentStore.connect(stack.redisUrl, 'payments:');
  const connection = await Connection.connect({ address: stack.temporal.address });
  try {
    // Warmed by the same merchant as the measured payments, as the benchmark's warm-up is.
    if (Number(a.warm) > 0 && a.http)
      await stack.api.waitForFinal(await postAll(stack.api, Number(a.warm)), { timeoutMs: 30_000, intervalMs: 200 });
    else if (Number(a.warm) > 0)
      await waitForStored(store, await acceptDirect(store, { merchantId: 'shop-a' }, Number(a.warm)));
    if (a.http) await stack.api.connect();
    // As the benchmark does: the warm-up's PG call leaves the admission step's window first.
    if (Number(a.warm) > 0) await new Promise((resolve) => setTimeout(resolve, 1500));
    await pg.client.reset();
    const t0 = Date.now();
    const spacing = Number(a.spacing);
    const ids =
      spacing > 0
        ? await acceptSpaced(Number(a.payments), spacing, (count) =>
            a.http ? postAll(stack.api, count) : acceptDirect(store, { merchantId: 'shop-a' }, count),
          )
        : a.http
          ? await postAll(stack.api, Number(a.payments))
          : await acceptDirect(store, { merchantId: 'shop-a' }, Number(a.payments), 16);
    const accepted = Date.now() - t0;
    const records = await waitForStored(store, ids, 300_000);
    const makespan = Math.max(...[...records.values()].map((r) => Date.parse(r.view.completedAt!) - t0));
    const client = new Client({ connection });
    const steps = { started: [] as number[], scheduled: [] as number[], closed: [] as number[] };
    const hops = new Map<string, number[]>();
    for (const id of ids) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const events = history.events ?? [];
      steps.started.push(ms(events[0]?.eventTime) - t0);
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
      steps.scheduled.push(ms(scheduled?.eventTime) - t0);
      steps.closed.push(ms(events.at(-1)?.eventTime) - t0);
      const at = (pick: (e: (typeof events)[number]) => unknown) => ms(events.find((e) => pick(e))?.eventTime) - t0;
      hops.set(id, [
        ms(events[0]?.eventTime) - t0,
        at((e) => e.workflowTaskStartedEventAttributes),
        at((e) => e.workflowTaskCompletedEventAttributes),
        ms(scheduled?.eventTime) - t0,
        at((e) => e.activityTaskStartedEventAttributes),
      ]);
    }
    const timeline = await pg.client.timeline();
    const firstByKey = new Map(
      Object.entries(timeline.callsByKey).map(([key, calls]) => [key, timeline.startedAtEpochMs + calls[0]!.at - t0]),
    );
    const firstArrival = [...firstByKey.values()];
    const earliest = [...firstByKey.entries()].sort((x, y) => x[1] - y[1]).slice(0, 12);
    // A history keeps one ActivityTaskStarted, its last attempt's: a retried payment's is late.
    const columns = ['started', 'wft started', 'wft done', 'scheduled', 'activity started (last try)', 'PG arrival'];
    console.log('the first twelve at the PG, ms after the first POST:');
    console.log(`  ${columns.join('  ')}`);
    for (const [key, arrival] of earliest) {
      const row = [...(hops.get(key) ?? []), arrival].map((x, i) => x.toFixed(0).padStart(columns[i]!.length));
      console.log(`  ${row.join('  ')}`);
    }
    if (spacing > 0) {
      // Each payment from its own start: the pipeline's own latency, nothing else in flight.
      const own = (i: number) =>
        median(ids.map((id) => (i < 5 ? hops.get(id)![i]! : firstByKey.get(id)!) - hops.get(id)![0]!));
      const closed = median(ids.map((id, k) => steps.closed[k]! - hops.get(id)![0]!));
      console.log(
        `one at a time, median ms from its own start: wft started ${own(1).toFixed(1)}, wft done ${own(2).toFixed(1)}, ` +
          `activity started ${own(4).toFixed(1)}, PG arrival ${own(5).toFixed(1)}, closed ${closed.toFixed(1)}`,
      );
    }
    const allArrivals = timeline.arrivals.map((at) => timeline.startedAtEpochMs + at - t0);
    const seconds = Math.ceil(makespan / 1000) + 1;
    console.log(`accepted ${ids.length} in ${accepted} ms; last ended after ${(makespan / 1000).toFixed(1)} s`);
    console.log(`second                 ${Array.from({ length: seconds }, (_, i) => String(i).padStart(3)).join('')}`);
    console.log(`workflows started      ${perSecond(steps.started, seconds)}`);
    console.log(`PG call scheduled      ${perSecond(steps.scheduled, seconds)}`);
    console.log(`first PG arrival       ${perSecond(firstArrival, seconds)}`);
    console.log(`every PG arrival       ${perSecond(allArrivals, seconds)}`);
    console.log(`workflows closed       ${perSecond(steps.closed, seconds)}`);
    const p = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.floor(q * (xs.length - 1))]!.toFixed(0);
    // The retry path: a retried payment's history keeps its last attempt's start, between the PG's
    // arrival of the call before it and its own.
    const retries = ids.flatMap((id) => {
      const calls = timeline.callsByKey[id] ?? [];
      const started = hops.get(id)?.[4];
      if (calls.length < 2 || started === undefined) return [];
      const [before, last] = calls.slice(-2).map((c) => timeline.startedAtEpochMs + c.at - t0) as [number, number];
      return [{ toStart: started - before, toPg: last - started }];
    });
    if (retries.length > 0)
      console.log(
        `retries: ${retries.length}; the call before to the retry's activity start p50 ${p(
          retries.map((r) => r.toStart),
          0.5,
        )} ms (max ${p(
          retries.map((r) => r.toStart),
          1,
        )}), its start to the PG p50 ${p(
          retries.map((r) => r.toPg),
          0.5,
        )} ms (max ${p(
          retries.map((r) => r.toPg),
          1,
        )})`,
      );
    console.log(
      `first: started ${p(steps.started, 0)} ms, scheduled ${p(steps.scheduled, 0)} ms, PG ${p(firstArrival, 0)} ms; tenth PG arrival ${p(firstArrival, Math.min(9, ids.length - 1) / Math.max(1, ids.length - 1))} ms`,
    );
  } finally {
    await connection.close();
    await store.close();
    await stack.stop();
    await pg.process.stop();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
