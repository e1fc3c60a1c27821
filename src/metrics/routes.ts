/**
 * `GET /metrics` of an API: the engine's view under the names of docs/design.md §4, plus the API's process
 * metrics. Engine-agnostic: each engine supplies an `EngineMetricsSource`; wiring one in is
 * `createApp({..., extend: createMetricsRoutes(source, log)})`.
 */
import type express from 'express';
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { Logger } from '../infra/logger';
import { HELP, METRIC, createPaymentObservations } from './payment-metrics';
import { collectProcessMetrics } from './process-metrics';

/** prom-client's JSON form of one metric, as `registry.getMetricsAsJSON()` gives and JSON carries it. */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values: Array<{ value: number; labels: Partial<Record<string, string | number>>; metricName?: string }>;
}
export type MetricsJson = MetricJson[];

export interface EngineSnapshot {
  queueSize: number;
  semaphoreUsed: number;
  semaphoreAvailable: number;
  /**
   * False while the PG admission step's state cannot be read (a worker's shared gate cannot reach
   * its Redis): the semaphore figures are then NaN, never "all free". Absent means readable.
   */
  admissionUp?: boolean;
  /**
   * The histograms and the outcome counter, as recorded by each worker, consumer or store, in
   * prom-client JSON; they are summed. Other series in them are ignored.
   */
  observations: MetricsJson[];
  /** Per merchant and PG, where the engine knows it (Temporal's Redis intake). */
  lanes?: {
    intakeWaiting: Array<{ pg: string; merchant: string; waiting: number }>;
    startedNotEnded: Array<{ pg: string; count: number }>;
  };
  /** Each PG's configured limits, where the engine routes to several (Temporal's PGS_FILE). */
  pgLimits?: Array<{ pg: string; concurrency: number; ratePerSecond: number }>;
}

/** What an engine tells `/metrics`, read at every scrape. Throws when the engine is unreachable. */
export interface EngineMetricsSource {
  snapshot(): Promise<EngineSnapshot>;
  close?(): Promise<void>;
}

const SUMMED: readonly string[] = [
  METRIC.queueWait,
  METRIC.processing,
  METRIC.outcomes,
  // The Temporal workers' series per PG lane and merchant (lane-metrics.ts).
  METRIC.pgCalls,
  METRIC.pgInFlight,
  METRIC.merchantQueueWait,
];

/** Sums the histograms and counters of many processes, with zero series when there are none. */
export async function sumObservations(observations: MetricsJson[]): Promise<Registry> {
  // prom-client types `type` as a numeric enum, though the JSON carries the strings; the shape is the same.
  const zero = (await createPaymentObservations().registry.getMetricsAsJSON()) as unknown as MetricsJson;
  return AggregatorRegistry.aggregate(
    [zero, ...observations].map((json) => json.filter((m) => SUMMED.includes(m.name))),
  );
}

export function createMetricsRoutes(source: EngineMetricsSource, log: Logger): (app: express.Express) => void {
  const own = new Registry();
  collectProcessMetrics(own);
  const queueSize = new Gauge({ name: METRIC.queueSize, help: HELP.queueSize, registers: [own] });
  const used = new Gauge({ name: METRIC.semaphoreUsed, help: HELP.semaphoreUsed, registers: [own] });
  const available = new Gauge({ name: METRIC.semaphoreAvailable, help: HELP.semaphoreAvailable, registers: [own] });
  const admissionUp = new Gauge({ name: METRIC.admissionUp, help: HELP.admissionUp, registers: [own] });
  const intakeWaiting = new Gauge({
    name: METRIC.intakeWaiting,
    help: HELP.intakeWaiting,
    labelNames: ['pg', 'merchant'],
    registers: [own],
  });
  const startedNotEnded = new Gauge({
    name: METRIC.startedNotEnded,
    help: HELP.startedNotEnded,
    labelNames: ['pg'],
    registers: [own],
  });
  const pgLimit = new Gauge({
    name: METRIC.pgLimit,
    help: HELP.pgLimit,
    labelNames: ['pg', 'limit'],
    registers: [own],
  });

  return (app) => {
    app.get('/metrics', async (_req, res) => {
      let snapshot: EngineSnapshot;
      try {
        snapshot = await source.snapshot();
      } catch (err) {
        // A failed scrape (`up == 0`) says more than gauges frozen at their last value.
        log.warn({ err: (err as Error).message }, 'metrics: the engine did not answer');
        res.status(503).set('Retry-After', '5').type('text/plain').send('# the engine did not answer\n');
        return;
      }
      queueSize.set(snapshot.queueSize);
      used.set(snapshot.semaphoreUsed);
      available.set(snapshot.semaphoreAvailable);
      admissionUp.set(snapshot.admissionUp === false ? 0 : 1);
      intakeWaiting.reset();
      startedNotEnded.reset();
      for (const { pg, merchant, waiting } of snapshot.lanes?.intakeWaiting ?? [])
        intakeWaiting.set({ pg, merchant }, waiting);
      for (const { pg, count } of snapshot.lanes?.startedNotEnded ?? []) startedNotEnded.set({ pg }, count);
      pgLimit.reset();
      for (const { pg, concurrency, ratePerSecond } of snapshot.pgLimits ?? []) {
        pgLimit.set({ pg, limit: 'concurrency' }, concurrency);
        pgLimit.set({ pg, limit: 'rate_per_second' }, ratePerSecond);
      }
      const merged = Registry.merge([own, await sumObservations(snapshot.observations)]);
      res.type(merged.contentType).send(await merged.metrics());
    });
  };
}
