/**
 * The payment worker. WORKER_ROLE chooses what it polls:
 * - `workflows`: the workflows' task queue (workflow tasks, status queries, the bookkeeping activity);
 * - `pg`: the PG activity's task queue, with the study document's two worker options plus the
 *   exact admission step in front of the PG (see pg-client/admission.ts for why the built-in
 *   options alone do not keep the PG's limits);
 * - `all`: both, in one process.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import { PaymentStore } from '../intake/payment-store';
import { startWorkerMetrics } from '../metrics/worker-metrics';
import type { PgAdmission } from '../pg-client/admission';
import { createPgClient } from '../pg-client/pg-client';
import { createActivities, createBookkeepingActivities } from './activities';
import { createPgAdmission } from './admission-choice';
import type { WorkerConfig } from './config';
import { pgTaskQueue } from './shared';

export interface RunningWorker {
  workers: Worker[];
  admission?: PgAdmission;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startPaymentWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const store = PaymentStore.connect(config.store.redisUrl, config.store.prefix);
  const closing: Array<() => Promise<unknown>> = [() => store.close()];
  const { namespace, taskQueue } = config.temporal;
  const workers: Worker[] = [];
  let admission: PgAdmission | undefined;
  const described: Record<string, unknown> = {};
  const pgRole = config.role !== 'workflows';
  const pg = pgRole
    ? createPgClient({
        baseUrl: config.pg.url,
        connections: Math.max(config.pg.concurrency, config.maxConcurrentActivities),
      })
    : undefined;
  const chosen = pg ? await createPgAdmission(config, log) : undefined;
  if (pg && chosen) {
    await pg.warmUp();
    admission = chosen.admission;
    closing.push(
      () => chosen.close(),
      () => pg.close(),
    );
  }
  // Payment metrics where they are born; the API finds this endpoint through the worker identity.
  const metrics = await startWorkerMetrics({ host: config.metrics.host, port: config.metrics.port, admission });
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
  if (pg && admission && chosen) {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: pgTaskQueue(taskQueue),
        activities: createActivities({ pg, admission, store, observe: metrics.activityObserver }),
        maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
        maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
        shutdownGraceTime: '10 seconds',
        identity: metrics.identity,
      }),
    );
    Object.assign(described, {
      pg: pgTaskQueue(taskQueue),
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
      maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
      admission: chosen.describe,
      metrics: metrics.url,
    });
  }

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
    admission,
    done,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
