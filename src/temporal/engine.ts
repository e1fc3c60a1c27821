/**
 * The Temporal engine behind the HTTP API: one workflow per payment, its id the request id.
 * - TEMPORAL_INTAKE=redis (default): a payment is accepted into the payment store's intake in one
 *   Redis write, and the starter (intake/starter.ts) turns it into its workflow at the pace
 *   Temporal takes, so a surge is answered 202 at the speed of Redis, not of workflow starts.
 * - TEMPORAL_INTAKE=direct: the request starts the workflow itself, a few starts at a time; past
 *   the deadline the API answers 503.
 * Status reads: status-reader.ts. Every call to Temporal has a deadline.
 */
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import type { PaymentEngine, SubmitResult } from '../api/engine';
import {
  AlreadyProcessing,
  EngineUnavailable,
  IdempotencyKeyReused,
  InvalidRequest,
  OrderAlreadyPaid,
} from '../api/errors';
import type { PaymentListPage, PaymentListQuery, PaymentStatusView, QueuedPaymentRequest } from '../contract/payment';
import { BoundedConcurrency, DeadlinePassed } from '../infra/bounded-concurrency';
import type { Logger } from '../infra/logger';
import { PaymentStore } from '../intake/payment-store';
import { startStarterThread } from '../intake/starter-thread';
import type { ApiConfig } from './config';
import { rethrowAsTemporal, storeUnavailable } from './engine-errors';
import { UnknownCursor, listFromVisibility } from './payment-list';
import { startPaymentWorkflow } from './start-payment';
import { createStatusReader } from './status-reader';
import { pgOfPayment } from './routing';

export type TemporalEngineOptions = Pick<
  ApiConfig,
  | 'temporal'
  | 'intake'
  | 'store'
  | 'startConcurrency'
  | 'starterWindow'
  | 'starterPace'
  | 'pgs'
  | 'statusQueriesPerSecond'
  | 'statusTimeoutMs'
  | 'webUiUrl'
> & { timeoutMs: number; log: Logger };

type Submit = (payment: QueuedPaymentRequest & { fingerprint: string }) => Promise<SubmitResult>;

export interface TemporalPaymentEngine extends PaymentEngine {
  /** False while the intake's starter thread is down (between a crash and its restart); true with the direct intake. */
  starterRunning(): boolean;
}

export function createTemporalEngine(options: TemporalEngineOptions): TemporalPaymentEngine {
  const { namespace, taskQueue } = options.temporal;
  const connection = Connection.lazy({ address: options.temporal.address, connectTimeout: options.timeoutMs });
  const client = new Client({ connection, namespace });
  const store =
    options.intake === 'redis' ? PaymentStore.connect(options.store.redisUrl, options.store.prefix) : undefined;
  const starter = store
    ? startStarterThread({
        redisUrl: options.store.redisUrl,
        prefix: options.store.prefix,
        temporal: options.temporal,
        taskQueue,
        timeoutMs: options.timeoutMs,
        concurrency: options.startConcurrency,
        windows: Object.fromEntries(options.pgs.map((pg) => [pg.name, options.starterWindow(pg.name)])),
        paces: Object.fromEntries(
          options.pgs.flatMap((pg) => {
            const pace = options.starterPace(pg.name);
            return pace ? [[pg.name, pace] as const] : [];
          }),
        ),
        consumer: `${hostname()}-api`,
        logLevel: options.log.level,
      })
    : undefined;

  const readStatus = createStatusReader({
    client,
    store,
    queriesPerSecond: options.statusQueriesPerSecond,
    timeoutMs: options.statusTimeoutMs,
  });
  const withLinks = (view: PaymentStatusView | null): PaymentStatusView | null =>
    view && options.webUiUrl
      ? {
          ...view,
          links: {
            webUi: `${options.webUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(view.requestId)}`,
          },
        }
      : view;

  const accept: Submit = store ? acceptIntoStore(store) : startDirectly(client, taskQueue, options);
  const pgNames = new Set(options.pgs.map((pg) => pg.name));
  // A merchant moved to a PG no lane serves (the merchants file changed while running): refused,
  // not accepted into a lane nobody drains. Checked at start for every merchant too (api/main.ts).
  const submit: Submit = async (payment) => {
    const pg = pgOfPayment(payment);
    if (!pgNames.has(pg)) throw new EngineUnavailable(`the merchant's PG ${pg} is not configured here`, 60);
    return accept(payment);
  };

  return {
    submit,
    status: async (requestId) => withLinks(await readStatus(requestId)),

    async cancel(requestId: string): Promise<PaymentStatusView | null> {
      if (!store) throw new EngineUnavailable('cancel needs the payment store (TEMPORAL_INTAKE=redis)', 60);
      const outcome = await store.cancel(requestId).catch(() => {
        throw storeUnavailable();
      });
      if (outcome === 'absent') return null;
      if (outcome !== 'cancelled') throw new AlreadyProcessing(outcome);
      // The store said so first: the activity's claim now refuses it. Ending the workflow too is
      // a courtesy that spares it a task; a workflow not yet started is skipped by the starter.
      client.workflow
        .getHandle(requestId)
        .cancel()
        .catch(() => undefined);
      return withLinks((await store.get(requestId))?.view ?? null);
    },

    async listPayments(query: PaymentListQuery): Promise<PaymentListPage> {
      try {
        return await connection.withDeadline(Date.now() + options.timeoutMs, () =>
          listFromVisibility(connection, namespace, query),
        );
      } catch (err) {
        if (err instanceof UnknownCursor)
          throw new InvalidRequest([{ path: 'query:cursor', message: 'not a cursor of this list' }]);
        return rethrowAsTemporal(err, 'listing payments');
      }
    },

    async healthy(): Promise<boolean> {
      try {
        if (store) await store.connection.ping();
        else
          await connection.withDeadline(Date.now() + options.timeoutMs, () =>
            connection.workflowService.getSystemInfo({}),
          );
        return true;
      } catch {
        return false;
      }
    },

    starterRunning: () => starter?.running() ?? true,

    async close() {
      await starter?.stop();
      await store?.close();
      await connection.close();
    },
  };
}

/** Accepted once the store holds it; the starter starts the workflow. */
function acceptIntoStore(store: PaymentStore): Submit {
  return async (payment) => {
    const outcome = await store.accept(payment).catch(() => {
      throw storeUnavailable();
    });
    if (outcome === 'conflict') throw new IdempotencyKeyReused();
    if (typeof outcome === 'object') throw new OrderAlreadyPaid(outcome.order);
    return { requestId: payment.requestId, created: outcome === 'created' };
  };
}

/** The request starts its workflow: at most `startConcurrency` starts at once, each within the deadline. */
function startDirectly(client: Client, taskQueue: string, options: TemporalEngineOptions): Submit {
  // A burst of starts all at once keeps the server busy with starts while the first workflows wait
  // for their tasks, and every PG call after the first ten inherits that wait through the rate window.
  const starts = new BoundedConcurrency(options.startConcurrency);
  const withDeadline = <T>(deadline: number, fn: () => Promise<T>) => client.connection.withDeadline(deadline, fn);
  return async (payment) => {
    const deadline = Date.now() + options.timeoutMs;
    let created: boolean;
    try {
      created = await starts.run(deadline, () =>
        withDeadline(deadline, () => startPaymentWorkflow(client, taskQueue, payment)),
      );
    } catch (err) {
      if (err instanceof DeadlinePassed)
        throw new EngineUnavailable('temporal is busy: too many payments are waiting to start', 1);
      return rethrowAsTemporal(err, 'starting the payment');
    }
    if (created) return { requestId: payment.requestId, created: true };
    // Same key again: a replay if the body is the same, a conflict if not.
    try {
      const description = await withDeadline(Date.now() + options.timeoutMs, () =>
        client.workflow.getHandle(payment.requestId).describe(),
      );
      if (description.memo?.fingerprint !== payment.fingerprint) throw new IdempotencyKeyReused();
      return { requestId: payment.requestId, created: false };
    } catch (err) {
      return rethrowAsTemporal(err, 'checking the idempotency key');
    }
  };
}
