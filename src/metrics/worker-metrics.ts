/**
 * A payment worker's own metrics endpoint: its semaphore gauges (from its PG admission step), the
 * queue-wait and processing histograms and the outcome counter it records, the series per PG lane
 * and merchant (lane-metrics.ts), and its process metrics.
 *
 * `/metrics` is Prometheus text; `/metrics.json` is the payment series in prom-client's JSON form,
 * which the API gathers from every worker and sums into the engine's view. The worker's Temporal
 * identity carries this URL, so the API finds every worker polling the task queue through
 * DescribeTaskQueue, with no list of addresses to keep (see temporal-source.ts).
 */
import { hostname } from 'node:os';
import type { InjectedSinks } from '@temporalio/worker';
import express from 'express';
import { Gauge, Registry } from 'prom-client';
import { listen } from '../infra/http-server';
import type { PgAdmission } from '../pg-client/admission';
import { type LaneObserver, createLaneMetrics } from './lane-metrics';
import { HELP, METRIC, type PaymentObserver, createPaymentObservations } from './payment-metrics';
import { collectProcessMetrics } from './process-metrics';
import type { PaymentMetricsSinks } from './workflow-interceptors';

export interface WorkerMetrics {
  url: string;
  /** The worker identity to give Temporal: the default `pid@host`, plus where its metrics are. */
  identity: string;
  observer: PaymentObserver;
  /** The activity factory's `observe` hook for the lane of PG `pg`: the totals and the lane's series. */
  activityObserver(pg: string): LaneObserver;
  /** The worker's `sinks` option, heard by `workflow-interceptors.ts`. */
  sinks: InjectedSinks<PaymentMetricsSinks>;
  /** The workflow interceptor module, for `interceptors.workflowModules`. */
  workflowModule: string;
  close(): Promise<void>;
}

const IDENTITY_MARK = 'metrics=';

/** The metrics URL a worker put in its identity, if any. */
export const metricsUrlOfIdentity = (identity: string): string | undefined =>
  identity
    .split(' ')
    .find((part) => part.startsWith(IDENTITY_MARK))
    ?.slice(IDENTITY_MARK.length);

export async function startWorkerMetrics(options: {
  host: string;
  port: number;
  /** Absent on a worker that makes no PG calls (WORKER_ROLE=workflows): it has no PG slots to show. */
  admission?: Pick<PgAdmission, 'usage'>;
  /** Each PG lane's admission step, for the series per PG (lane-metrics.ts). */
  lanes?: ReadonlyArray<{ pg: string; admission: Pick<PgAdmission, 'usage'> }>;
}): Promise<WorkerMetrics> {
  const payments = createPaymentObservations();
  const { admission } = options;
  if (admission) registerSlotGauges(payments.registry, admission);
  const lanes = createLaneMetrics(payments.registry, options.lanes ?? []);
  const processRegistry = new Registry();
  collectProcessMetrics(processRegistry);

  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    const merged = Registry.merge([processRegistry, payments.registry]);
    res.type(merged.contentType).send(await merged.metrics());
  });
  app.get('/metrics.json', async (_req, res) => {
    res.json(await payments.registry.getMetricsAsJSON());
  });
  const running = await listen(app, options.host, options.port);
  const url = `${running.url}/metrics`;

  return {
    url,
    identity: `${process.pid}@${hostname()} ${IDENTITY_MARK}${url}`,
    observer: payments,
    activityObserver: (pg) => {
      const lane = lanes.lane(pg);
      return {
        firstCall: (seconds, merchant) => {
          payments.queueWait(seconds);
          lane.firstCall(seconds, merchant);
        },
        answered: (kind) => lane.answered(kind),
      };
    },
    sinks: {
      paymentMetrics: {
        final: {
          fn: (_info, payment) => {
            const end = payment.completedAt ? Date.parse(payment.completedAt) : Date.now();
            payments.final(payment.status, (end - Date.parse(payment.acceptedAt)) / 1000);
          },
          callDuringReplay: false,
        },
      },
    },
    workflowModule: require.resolve('./workflow-interceptors'),
    close: () => running.close(),
  };
}

function registerSlotGauges(registry: Registry, admission: Pick<PgAdmission, 'usage'>): void {
  // What the step cannot read it does not claim: NaN, not a free PG (payment_admission_up says why).
  const usage = () => {
    const { used, limit, readable = true } = admission.usage();
    return readable ? { used, available: Math.max(0, limit - used), up: 1 } : { used: NaN, available: NaN, up: 0 };
  };
  const gauges = [
    { name: METRIC.semaphoreUsed, help: HELP.semaphoreUsed, read: () => usage().used },
    { name: METRIC.semaphoreAvailable, help: HELP.semaphoreAvailable, read: () => usage().available },
    { name: METRIC.admissionUp, help: HELP.admissionUp, read: () => usage().up },
  ];
  for (const { name, help, read } of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}
