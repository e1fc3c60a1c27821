/**
 * The intake's starter on a thread of its own in the API's process. On the API's event loop, a
 * burst's 500 POSTs held up the starter's reads and starts for about a second: the first payment
 * reached the PG 0.36 s after the burst, the next nine 0.76-1.26 s later, and a rate-limited PG
 * keeps that first second's shape for the whole run. On its own thread (and so on the other core)
 * it starts workflows while the API is still answering the burst.
 * `startStarterThread` is the API's handle (started again if it crashes); the entry below runs in
 * the thread.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../infra/logger';
import { TS_THREAD_EXEC_ARGV } from '../infra/paths';
import { type SupervisedThread, superviseThread } from '../infra/supervised-thread';
import { startPaymentWorkflow } from '../temporal/start-payment';
import { PaymentStore } from './payment-store';
import type { Pace } from './start-pace';
import { IntakeStarter } from './starter';

/** How long stop() waits for the thread to finish its starts before ending it. */
const STOP_GRACE_MS = 10_000;

export interface StarterThreadSettings {
  redisUrl: string;
  prefix: string;
  temporal: { address: string; namespace: string };
  taskQueue: string;
  timeoutMs: number;
  concurrency: number;
  /** Each served PG's window; a PG not named here gets none (its payments wait). */
  windows: Record<string, number>;
  /** Each paced PG's pace; a PG not named here is started as its window frees. */
  paces: Record<string, Pace>;
  consumer: string;
  logLevel: string;
}

/** The API's handle: started again after a crash; the new thread reads its own pending entries first. */
export type StarterThread = Pick<SupervisedThread, 'running' | 'stop'>;

export function startStarterThread(settings: StarterThreadSettings): StarterThread {
  return superviseThread(() => new Worker(__filename, { workerData: settings, execArgv: TS_THREAD_EXEC_ARGV }), {
    name: 'intake starter',
    log: createLogger('api', settings.logLevel),
    graceMs: STOP_GRACE_MS,
  });
}

if (!isMainThread && parentPort && (workerData as Partial<StarterThreadSettings> | undefined)?.windows) {
  const port = parentPort;
  const s = workerData as StarterThreadSettings;
  const log = createLogger('api', s.logLevel);
  const store = PaymentStore.connect(s.redisUrl, s.prefix);
  const connection = Connection.lazy({ address: s.temporal.address, connectTimeout: s.timeoutMs });
  const client = new Client({ connection, namespace: s.temporal.namespace });
  const starter = new IntakeStarter({
    store,
    log,
    concurrency: s.concurrency,
    window: (pg) => s.windows[pg] ?? 0,
    pace: (pg) => s.paces[pg],
    consumer: s.consumer,
    startWorkflow: async (payment) => {
      await connection.withDeadline(Date.now() + s.timeoutMs, () => startPaymentWorkflow(client, s.taskQueue, payment));
    },
  });
  starter.start();
  port.on('message', (message) => {
    if (message !== 'stop') return;
    void (async () => {
      await starter.stop();
      await store.close();
      await connection.close();
      port.close();
    })();
  });
}
