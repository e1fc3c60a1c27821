/**
 * The payment worker: the seed's two worker options, plus the exact admission step in front of the
 * PG (see pg-client/admission.ts for why the built-in options alone do not keep the PG's limits).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { PgAdmission } from '../pg-client/admission';
import { createPgClient } from '../pg-client/pg-client';
import type { Logger } from '../infra/logger';
import { startWorkerMetrics } from '../metrics/worker-metrics';
import { createActivities } from './activities';
import { createPgAdmission } from './admission-choice';
import type { WorkerConfig } from './config';
import { pgCallStartedSignal } from './shared';

export interface RunningWorker {
  worker: Worker;
  admission: PgAdmission;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startPaymentWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const pg = createPgClient({
    baseUrl: config.pg.url,
    connections: Math.max(config.pg.concurrency, config.maxConcurrentActivities),
  });
  await pg.warmUp();
  const chosen = await createPgAdmission(config, log);
  const { admission } = chosen;
  // Payment metrics where they are born; the API finds this endpoint through the worker identity.
  const metrics = await startWorkerMetrics({ host: config.metrics.host, port: config.metrics.port, admission });

  const activities = createActivities({
    pg,
    admission,
    reportStarted: (workflowId, started) => client.workflow.getHandle(workflowId).signal(pgCallStartedSignal, started),
    observe: metrics.activityObserver,
  });

  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
    shutdownGraceTime: '10 seconds',
    identity: metrics.identity,
    sinks: metrics.sinks,
    interceptors: { workflowModules: [metrics.workflowModule] },
  });

  const done = worker.run().finally(async () => {
    await chosen.close().catch(() => undefined);
    await metrics.close().catch(() => undefined);
    await pg.close().catch(() => undefined);
    await clientConnection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  });
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
      maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
      admission: chosen.describe,
      metrics: metrics.url,
    },
    `worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`,
  );
  return {
    worker,
    admission,
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
