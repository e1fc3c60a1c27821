/**
 * The Temporal engine's figures for `/metrics`, gathered at scrape time:
 * - queue size: the PG lanes' activity task queues' backlog from DescribeTaskQueue (`reportStats`); the
 *   server caches it for `matching.TaskQueueInfoByBuildIdTTL` (5 s by default), so it lags by up to 5 s;
 * - semaphore: the PG calls in flight summed over every worker polling the task queue, against
 *   the PGs' concurrency limits together, one number for the whole engine; per PG, the workers'
 *   lane series (lane-metrics.ts) and each PG's configured limits;
 * - histograms and outcomes: each worker's `/metrics.json`, summed.
 * The workers are found through the same DescribeTaskQueue answer: each one's identity carries
 * its metrics URL (worker-metrics.ts), so any number of workers on any port are counted, and a
 * worker that stopped polling drops out when the server forgets its poller (a few minutes).
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TemporalConnectionConfig } from '../temporal/config';
import type { EngineMetricsSource, EngineSnapshot, MetricsJson } from './routes';
import { METRIC } from './payment-metrics';
import { pgTaskQueue } from '../temporal/shared';
import { metricsUrlOfIdentity } from './worker-metrics';
import type { PaymentStore } from '../intake/payment-store';
import type { PgSettings } from '../config/pgs';

/** Each merchant's intake backlog per PG and each PG's started-not-ended count, from the store. */
async function lanesOf(store: PaymentStore): Promise<NonNullable<EngineSnapshot['lanes']>> {
  const [intakes, perPg] = await Promise.all([store.intakes(), store.countsPerPg()]);
  const lengths = await Promise.all(intakes.map((i) => store.connection.xlen(i.key)));
  return {
    intakeWaiting: intakes.map((i, n) => ({ pg: i.pg, merchant: i.merchant, waiting: lengths[n]! })),
    startedNotEnded: [...perPg].map(([pg, held]) => ({ pg, count: held.started - held.ended })),
  };
}

export interface TemporalMetricsOptions {
  temporal: TemporalConnectionConfig;
  /**
   * Every PG: each has its lane, whose backlog is part of the queue; their concurrency limits
   * together are the engine's number of slots.
   */
  pgs: ReadonlyArray<Pick<PgSettings, 'name' | 'concurrency' | 'ratePerSecond'>>;
  /** Deadline of each call to Temporal and to a worker. */
  timeoutMs: number;
  /** The payment store, with the Redis intake: the backlog per merchant and the window per PG. */
  store?: PaymentStore;
}

/**
 * A worker's gauge: undefined when it has none (a workflow-only worker has no PG slots), NaN when
 * it reported NaN (JSON carries it as null).
 */
const gaugeValue = (json: MetricsJson, name: string): number | undefined => {
  const metric = json.find((m) => m.name === name);
  if (!metric) return undefined;
  const value: unknown = metric.values[0]?.value;
  return typeof value === 'number' ? value : NaN;
};

async function fetchJson(url: string, timeoutMs: number): Promise<MetricsJson | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as MetricsJson) : undefined;
  } catch {
    return undefined; // a worker that went away: the server still lists its poller for a while
  }
}

export function createTemporalMetricsSource(options: TemporalMetricsOptions): EngineMetricsSource {
  const { address, namespace, taskQueue } = options.temporal;
  const connection = Connection.lazy({ address, connectTimeout: options.timeoutMs });
  const pgConcurrency = options.pgs.reduce((sum, pg) => sum + pg.concurrency, 0);
  const pgLimits = options.pgs.map(({ name, concurrency, ratePerSecond }) => ({
    pg: name,
    concurrency,
    ratePerSecond,
  }));

  return {
    async snapshot(): Promise<EngineSnapshot> {
      const describe = (name: string, type: temporal.api.enums.v1.TaskQueueType) =>
        connection.withDeadline(Date.now() + options.timeoutMs, () =>
          connection.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType: type,
            reportStats: true,
          }),
        );
      // The PG lanes' queues are the payments' queue; workflow workers record the outcomes.
      const [workflowQueue, ...lanes] = await Promise.all([
        describe(taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        ...options.pgs.map((pg) =>
          describe(pgTaskQueue(taskQueue, pg.name), temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
        ),
      ]);
      const urls = new Set(
        [...lanes.flatMap((lane) => lane.pollers ?? []), ...(workflowQueue.pollers ?? [])]
          .map((p) => metricsUrlOfIdentity(p.identity ?? ''))
          .filter((u): u is string => !!u),
      );
      const workers = (await Promise.all([...urls].map((url) => fetchJson(`${url}.json`, options.timeoutMs)))).filter(
        (j): j is MetricsJson => !!j,
      );
      // A worker whose admission step cannot be read makes the engine's slot figures unknown.
      const admissionUp = workers.every((json) => gaugeValue(json, METRIC.admissionUp) !== 0);
      const used = admissionUp
        ? workers.reduce((sum, json) => sum + (gaugeValue(json, METRIC.semaphoreUsed) ?? 0), 0)
        : NaN;
      // A store that does not answer leaves these series out; the rest of /metrics still answers.
      const perLane = options.store ? await lanesOf(options.store).catch(() => undefined) : undefined;
      return {
        ...(perLane ? { lanes: perLane } : {}),
        // Waiting for a worker: in the lanes' task queues, and with the Redis intake also in its
        // streams, where a surge past the starter's window waits (an alert on the backlog alone
        // would never see it).
        queueSize:
          lanes.reduce((sum, lane) => sum + Number(lane.stats?.approximateBacklogCount ?? 0), 0) +
          (perLane?.intakeWaiting.reduce((sum, intake) => sum + intake.waiting, 0) ?? 0),
        semaphoreUsed: used,
        semaphoreAvailable: Math.max(0, pgConcurrency - used),
        pgLimits,
        admissionUp,
        observations: workers,
      };
    },
    close: async () => {
      await connection.close();
      await options.store?.close();
    },
  };
}
