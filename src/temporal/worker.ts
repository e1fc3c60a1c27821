/**
 * The payment worker: the seed's two worker options, plus the exact admission step in front of the
 * PG (see pg-client/admission.ts for why the built-in options alone do not keep the PG's limits).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { LocalPgAdmission, type PgPermits } from '../pg-client/admission';
import { createPgClient } from '../pg-client/pg-client';
import type { Logger } from '../infra/logger';
import { createActivities } from './activities';
import type { WorkerConfig } from './config';
import { pgCallStartedSignal } from './shared';

export interface RunningWorker {
  worker: Worker;
  permits: PgPermits;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Admits every call at once: the built-in worker options alone decide. */
const noAdmission = (limit: number): PgPermits => {
  let used = 0;
  return {
    usage: () => ({ used, limit }),
    acquire: async () => {
      used++;
      let released = false;
      return { sent: () => undefined, release: () => void (!released && (released = true) && used--) };
    },
  };
};

export async function startPaymentWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const pg = createPgClient({ baseUrl: config.pg.url, connections: Math.max(config.pg.concurrency, config.maxConcurrentActivities) });
  await pg.warmUp();
  const permits: PgPermits = config.admission.enabled
    ? new LocalPgAdmission({ concurrency: config.pg.concurrency, ratePerSecond: config.pg.ratePerSecond, marginMs: config.admission.marginMs })
    : noAdmission(config.maxConcurrentActivities);

  const activities = createActivities({
    pg,
    permits,
    reportStarted: (workflowId, started) => client.workflow.getHandle(workflowId).signal(pgCallStartedSignal, started),
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
  });

  const done = worker.run().finally(async () => {
    await pg.close().catch(() => undefined);
    await clientConnection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  });
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
      maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
      admission: config.admission.enabled ? { ...config.admission, pg: config.pg } : 'off',
    },
    `worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`,
  );
  return {
    worker,
    permits,
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
