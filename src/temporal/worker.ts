/**
 * The payment worker. WORKER_ROLE chooses what it polls:
 * - `workflows`: the workflows' task queue (workflow tasks, status queries, the bookkeeping activity);
 * - `pg`: each PG's lane (its own activity task queue, PGS_FILE), with the study document's two
 *   worker options from that PG's limits plus the exact admission step in front of it (see pg-client/admission.ts for why the built-in
 *   options alone do not keep the PG's limits);
 * - `all`: both, in one process.
 */
import { appendFileSync } from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import { PaymentStore } from '../intake/payment-store';
import { startWorkerMetrics } from '../metrics/worker-metrics';
import type { PgAdmission } from '../pg-client/admission';
import { type PgClient, createPgClient } from '../pg-client/pg-client';
import { createActivities, createBookkeepingActivities } from './activities';
import { type WorkerAdmission, createPgAdmission } from './admission-choice';
import type { PgLane, WorkerConfig } from './config';
import { pgTaskQueue } from './shared';

export interface RunningWorker {
  workers: Worker[];
  /** Each PG lane's admission step, by PG name. */
  admissions: Map<string, PgAdmission>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** One PG's lane: its client, its admission step, and how to close them. */
interface OpenLane {
  lane: PgLane;
  pg: PgClient;
  chosen: WorkerAdmission;
}

async function openLane(lane: PgLane, config: WorkerConfig, log: Logger): Promise<OpenLane> {
  const pg = createPgClient({
    baseUrl: lane.pg.url,
    connections: Math.max(lane.pg.concurrency, lane.maxConcurrentActivities),
  });
  try {
    const chosen = await createPgAdmission(lane, config.admission, log);
    await pg.warmUp();
    return { lane, pg, chosen };
  } catch (err) {
    await pg.close();
    throw err;
  }
}

/** Appends a line per PG call sent to `file`; a diagnostic at the PG's rate, so a plain append. */
const sentLogOf = (file: string | undefined) =>
  file
    ? (requestId: string, attempt: number, epochMs: number) =>
        appendFileSync(file, `${requestId} ${attempt} ${epochMs.toFixed(3)}\n`)
    : undefined;

/** The slots of every lane together, for the worker's semaphore gauges. */
const allSlots = (admissions: PgAdmission[]): Pick<PgAdmission, 'usage'> | undefined =>
  admissions.length === 0
    ? undefined
    : {
        usage: () =>
          admissions
            .map((a) => a.usage())
            .reduce(
              (sum, u) => ({
                used: sum.used + u.used,
                limit: sum.limit + u.limit,
                readable: sum.readable && u.readable !== false,
              }),
              { used: 0, limit: 0, readable: true },
            ),
      };

export async function startPaymentWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const store = PaymentStore.connect(config.store.redisUrl, config.store.prefix);
  const closing: Array<() => Promise<unknown>> = [() => store.close()];
  const { namespace, taskQueue } = config.temporal;
  const workers: Worker[] = [];
  const described: Record<string, unknown> = {};
  const lanes: OpenLane[] = [];
  if (config.role !== 'workflows') {
    for (const lane of config.lanes) {
      const open = await openLane(lane, config, log);
      lanes.push(open);
      closing.push(
        () => open.chosen.close(),
        () => open.pg.close(),
      );
    }
  }
  const admissions = new Map(lanes.map((l) => [l.lane.pg.name, l.chosen.admission]));
  // Payment metrics where they are born; the API finds this endpoint through the worker identity.
  const metrics = await startWorkerMetrics({
    host: config.metrics.host,
    port: config.metrics.port,
    admission: allSlots([...admissions.values()]),
    lanes: [...admissions].map(([pg, admission]) => ({ pg, admission })),
  });
  closing.push(() => metrics.close());

  if (config.role !== 'pg') {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue,
        workflowsPath: require.resolve('./workflows'),
        activities: createBookkeepingActivities(store),
        shutdownGraceTime: '10 seconds',
        identity: metrics.identity,
        sinks: metrics.sinks,
        interceptors: { workflowModules: [metrics.workflowModule] },
      }),
    );
    described.workflows = taskQueue;
  }
  // One worker per PG lane: its own task queue, slots and rate, so a PG that is down or slow
  // holds up only its own payments.
  const pgLanes: Record<string, unknown> = {};
  for (const { lane, pg, chosen } of lanes) {
    const laneQueue = pgTaskQueue(taskQueue, lane.pg.name);
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: laneQueue,
        activities: createActivities({
          pg,
          admission: chosen.admission,
          store,
          observe: metrics.activityObserver(lane.pg.name),
          onSent: sentLogOf(config.sentLog),
        }),
        maxConcurrentActivityTaskExecutions: lane.maxConcurrentActivities,
        maxTaskQueueActivitiesPerSecond: lane.taskQueueActivitiesPerSecond,
        shutdownGraceTime: '10 seconds',
        identity: metrics.identity,
      }),
    );
    pgLanes[lane.pg.name] = {
      taskQueue: laneQueue,
      maxConcurrentActivityTaskExecutions: lane.maxConcurrentActivities,
      maxTaskQueueActivitiesPerSecond: lane.taskQueueActivitiesPerSecond,
      admission: chosen.describe,
    };
  }
  if (lanes.length > 0) Object.assign(described, { pgs: pgLanes, metrics: metrics.url });

  const done = Promise.all(workers.map((w) => w.run()))
    .then(
      () => undefined,
      (err: unknown) => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        throw err;
      },
    )
    .finally(async () => {
      for (const close of closing) await close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    });
  log.info(described, `worker polling task queue "${taskQueue}" (${config.role}) on ${config.temporal.address}`);
  return {
    workers,
    admissions,
    done,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
