/**
 * Measures the lanes and the fairness between merchants on the Temporal engine (docs/pgs.md), with
 * payments accepted straight into the payment store as the API accepts them, so several merchants
 * need no API keys. Not a test: figures on a shared 2-core machine are noisy. One run at a time:
 *   npx tsx scripts/measure-fairness.ts --scenario noisy-neighbour [--surge 2000] [--fairness on|off]
 *     [--window N] [--fifo]
 *   npx tsx scripts/measure-fairness.ts --scenario pg-outage [--burst 300] [--outage 20]
 * noisy-neighbour: merchant A accepts --surge payments at once, then merchant B one every 500 ms
 * for 30 s, on one PG; prints B's wait from acceptance to its PG call (p50, p99, max), whether all
 * of A's succeeded once, the PG's score and utilisation. --fifo gives A and B one merchant's
 * stream (the intake first in, first out); --fairness off starts the server without task-queue
 * fairness; --window sets STARTER_WINDOW.
 * pg-outage: pg-main and pg-alt (10/s, 10 at once each); pg-alt answers 503 for --outage s while
 * pg-main gets a burst of --burst and pg-alt one of a third of it; prints pg-main's utilisation and
 * each PG's score.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { idealMakespanMs, meanLatencyMs, percentile, utilisation } from '../compare/bench/figures';
import { freePort } from '../src/infra/ports';
import { startDevServer } from '../src/infra/temporal-dev-server';
import { PaymentStore, type StoredPayment } from '../src/intake/payment-store';
import { type FakePgHandle, startFakePg } from '../src/launch/fake-pg';
import { startTemporalStack } from '../src/launch/temporal-stack';
import { acceptDirect, waitForStored } from '../src/load/direct-intake';

const text = (fallback: string) => ({ type: 'string', default: fallback }) as const;
const { values: a } = parseArgs({
  options: {
    scenario: text('noisy-neighbour'),
    surge: text('2000'),
    burst: text('300'),
    outage: text('20'),
    fairness: text('on'),
    window: { type: 'string' },
    fifo: { type: 'boolean', default: false },
    latency: text('100-300'),
  },
});
const LIMITS = { concurrency: 10, ratePerSecond: 10 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (iso?: string) => (iso ? Date.parse(iso) : NaN);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'measure-fairness-'));
  const pgNames = a.scenario === 'pg-outage' ? ['pg-main', 'pg-alt'] : ['pg-main'];
  const pgs: Record<string, FakePgHandle> = {};
  const stops: Array<() => Promise<unknown>> = [];
  try {
    for (const name of pgNames) {
      pgs[name] = await startFakePg({
        PG_MAX_CONCURRENCY: String(LIMITS.concurrency),
        PG_RATE_LIMIT: String(LIMITS.ratePerSecond),
        PG_LATENCY_MS: a.latency,
      });
      stops.push(() => pgs[name]!.process.stop());
    }
    const pgsFile = path.join(dir, 'pgs.json');
    writeFileSync(pgsFile, JSON.stringify(pgNames.map((name) => ({ name, url: pgs[name]!.url, ...LIMITS }))));
    const server = await startDevServer({ port: await freePort(), fairness: a.fairness === 'on' });
    stops.push(() => server.stop());
    const windowEnv = a.window ? { STARTER_WINDOW: a.window } : {};
    const stack = await startTemporalStack({
      pg: pgs['pg-main'],
      temporal: server,
      workerEnv: { PGS_FILE: pgsFile },
      apiEnv: { PGS_FILE: pgsFile, ...windowEnv },
    });
    stops.unshift(() => stack.stop());
    const store = PaymentStore.connect(stack.redisUrl, 'payments:');
    stops.unshift(() => store.close());
    // Warm up: one payment per PG, then a clean score.
    for (const pg of pgNames) await waitForStored(store, await acceptDirect(store, { merchantId: 'warm-up', pg }, 1));
    await sleep(1500);
    for (const pg of pgNames) await pgs[pg]!.client.reset();
    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    const figures =
      a.scenario === 'pg-outage'
        ? await pgOutage(store, pgs)
        : await noisyNeighbour(store, pgs['pg-main']!, new Client({ connection }));
    console.log(
      JSON.stringify({
        scenario: a.scenario,
        fairness: a.fairness,
        window: a.window ?? 'default',
        fifo: a.fifo,
        ...figures,
      }),
    );
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const successOnce = (records: Map<string, StoredPayment>) =>
  [...records.values()].filter((r) => r.view.status === 'SUCCESS' && r.view.attempts >= 1).length;

/**
 * Where B's wait went, from its workflow's history: in the intake (accepted to workflow start), in
 * the workflow's first task (to the activity scheduled), in the PG lane's task queue (to the
 * activity's dispatch to a worker), in the worker (to the PG call, the admission step).
 */
async function stagesOf(client: Client, records: StoredPayment[]) {
  const stages = {
    intake: [] as number[],
    workflowTask: [] as number[],
    taskQueue: [] as number[],
    worker: [] as number[],
  };
  for (const record of records) {
    const history = await client.workflow.getHandle(record.view.requestId).fetchHistory();
    const at = (type: string) => {
      const event = history.events?.find(
        (e) => e.eventType === temporal.api.enums.v1.EventType[type as 'EVENT_TYPE_UNSPECIFIED'],
      );
      return event?.eventTime
        ? Number(event.eventTime.seconds) * 1000 + Math.round((event.eventTime.nanos ?? 0) / 1e6)
        : NaN;
    };
    const started = at('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    const scheduled = at('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    const dispatched = at('EVENT_TYPE_ACTIVITY_TASK_STARTED');
    stages.intake.push(started - ms(record.view.acceptedAt));
    stages.workflowTask.push(scheduled - started);
    stages.taskQueue.push(dispatched - scheduled);
    stages.worker.push(ms(record.view.startedAt) - dispatched);
  }
  const p = (values: number[]) => ({
    p50: Math.round(percentile(values, 50)),
    p99: Math.round(percentile(values, 99)),
  });
  return Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, p(v)]));
}

async function noisyNeighbour(store: PaymentStore, pg: FakePgHandle, client: Client) {
  const surge = Number(a.surge);
  const t0 = Date.now();
  const aIds = await acceptDirect(store, { merchantId: 'flash-sale' }, surge, 64);
  const bIds: string[] = [];
  const b = { merchantId: a.fifo ? 'flash-sale' : 'corner-shop' };
  for (let i = 0; i < 60; i++) {
    const due = t0 + i * 500;
    if (due > Date.now()) await sleep(due - Date.now());
    bIds.push(...(await acceptDirect(store, b, 1)));
  }
  const records = await waitForStored(store, [...aIds, ...bIds], (surge / LIMITS.ratePerSecond) * 1000 + 120_000);
  const waits = bIds.map((id) => ms(records.get(id)!.view.startedAt) - ms(records.get(id)!.view.acceptedAt));
  const last = Math.max(...[...records.values()].map((r) => ms(r.view.completedAt)));
  const ideal = idealMakespanMs(surge + bIds.length, LIMITS, meanLatencyMs(a.latency));
  const stats = await pg.client.stats();
  return {
    surge,
    bPayments: bIds.length,
    bWaitMs: {
      p50: Math.round(percentile(waits, 50)),
      p99: Math.round(percentile(waits, 99)),
      max: Math.max(...waits),
    },
    bStagesMs: await stagesOf(
      client,
      bIds.map((id) => records.get(id)!),
    ),
    aSucceeded: successOnce(new Map(aIds.map((id) => [id, records.get(id)!]))),
    pg: pick(stats),
    utilisation: utilisation(ideal, last - t0),
  };
}

async function pgOutage(store: PaymentStore, pgs: Record<string, FakePgHandle>) {
  const burst = Number(a.burst);
  const outage = Number(a.outage);
  if (outage > 0) await pgs['pg-alt']!.client.outage(outage);
  const t0 = Date.now();
  const [main, alt] = await Promise.all([
    acceptDirect(store, { merchantId: 'shop-main', pg: 'pg-main' }, burst, 32),
    acceptDirect(store, { merchantId: 'shop-alt', pg: 'pg-alt' }, Math.round(burst / 3), 32),
  ]);
  const mainRecords = await waitForStored(store, main, 300_000);
  const lastMain = Math.max(...[...mainRecords.values()].map((r) => ms(r.view.completedAt)));
  const altRecords = await waitForStored(store, alt, 300_000);
  return {
    burst,
    outageSeconds: outage,
    pgMain: {
      succeeded: successOnce(mainRecords),
      utilisation: utilisation(idealMakespanMs(burst, LIMITS, meanLatencyMs(a.latency)), lastMain - t0),
      ...pick(await pgs['pg-main']!.client.stats()),
    },
    pgAlt: { payments: alt.length, succeeded: successOnce(altRecords), ...pick(await pgs['pg-alt']!.client.stats()) },
  };
}

const pick = (s: Awaited<ReturnType<FakePgHandle['client']['stats']>>) => ({
  charges: s.charges,
  duplicateCharges: s.duplicateCharges,
  rejected429: s.rejected429,
  maxInFlight: s.maxInFlight,
  maxPerSecond: s.maxPerSecond,
});

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
