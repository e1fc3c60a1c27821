/**
 * The Temporal engine behind the HTTP API: one workflow per payment, its id the request id, its
 * status a workflow query. Every call to Temporal has a deadline; past it, the API answers 503.
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { PaymentListPage, PaymentListQuery, PaymentStatusView, QueuedPaymentRequest } from '../contract/payment';
import type { PaymentEngine, SubmitResult } from '../api/engine';
import { EngineUnavailable, IdempotencyKeyReused, InvalidRequest } from '../api/errors';
import { BoundedConcurrency, DeadlinePassed } from '../infra/bounded-concurrency';
import type { TemporalConnectionConfig } from './config';
import { UnknownCursor, listFromVisibility } from './payment-list';
import { searchAttributesOf } from './search-attributes';
import { WORKFLOW_TYPE, getStatusQuery } from './shared';
import type { paymentWorkflow } from './workflows';

export interface TemporalEngineOptions {
  temporal: TemporalConnectionConfig;
  timeoutMs: number;
  /** Workflow starts in flight to the server at once; the rest of a burst waits in the API. */
  startConcurrency: number;
  /** Base URL of the Web UI, for a link to each payment's workflow. */
  webUiUrl?: string;
}

/** Errors that mean "Temporal did not answer", as opposed to an answer we must act on. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: number; name?: string; message?: string };
  // gRPC UNAVAILABLE (14), DEADLINE_EXCEEDED (4), CANCELLED (1), RESOURCE_EXHAUSTED (8)
  return (
    [1, 4, 8, 14].includes(e.code ?? -1) ||
    /unavailable|deadline|connect|timed? ?out|closed/i.test(`${e.name} ${e.message}`)
  );
}

export function createTemporalEngine(options: TemporalEngineOptions): PaymentEngine {
  const { address, namespace, taskQueue } = options.temporal;
  const connection = Connection.lazy({ address, connectTimeout: options.timeoutMs });
  const client = new Client({ connection, namespace });
  const withDeadline = <T>(fn: () => Promise<T>, deadline = Date.now() + options.timeoutMs) =>
    connection.withDeadline(deadline, fn);
  // A burst of starts all at once keeps the server busy with starts while the first workflows wait
  // for their workflow and activity tasks, and every PG call after the first ten inherits that
  // wait through the rate window. A few starts at a time accept as fast and get the PG busy sooner.
  const starts = new BoundedConcurrency(options.startConcurrency);

  const unavailable = (err: unknown): never => {
    if (err instanceof EngineUnavailable || err instanceof IdempotencyKeyReused || err instanceof InvalidRequest)
      throw err;
    throw new EngineUnavailable(isUnavailable(err) ? 'temporal is unreachable' : 'temporal refused the call');
  };

  const webUiLink = (requestId: string) =>
    options.webUiUrl
      ? {
          webUi: `${options.webUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(requestId)}`,
        }
      : undefined;

  return {
    async submit(payment: QueuedPaymentRequest & { fingerprint: string }): Promise<SubmitResult> {
      // One deadline for the wait in line and the start itself.
      const deadline = Date.now() + options.timeoutMs;
      try {
        await starts.run(deadline, () =>
          withDeadline(
            () =>
              client.workflow.start<typeof paymentWorkflow>(WORKFLOW_TYPE, {
                workflowId: payment.requestId,
                taskQueue,
                args: [payment],
                memo: { fingerprint: payment.fingerprint, orderId: payment.request.orderId },
                typedSearchAttributes: searchAttributesOf(payment),
                // The workflow id is the idempotency key: a second start with it never runs again.
                workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
                workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
              }),
            deadline,
          ),
        );
        return { requestId: payment.requestId, created: true };
      } catch (err) {
        if (err instanceof DeadlinePassed)
          throw new EngineUnavailable('temporal is busy: too many payments are waiting to start', 1);
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return unavailable(err);
      }
      // Same key again: a replay if the body is the same, a conflict if not.
      try {
        const description = await withDeadline(() => client.workflow.getHandle(payment.requestId).describe());
        if (description.memo?.fingerprint !== payment.fingerprint) throw new IdempotencyKeyReused();
        return { requestId: payment.requestId, created: false };
      } catch (err) {
        return unavailable(err);
      }
    },

    async status(requestId: string): Promise<PaymentStatusView | null> {
      try {
        const status = await withDeadline(() => client.workflow.getHandle(requestId).query(getStatusQuery));
        const links = webUiLink(requestId);
        return links ? { ...status, links } : status;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        return unavailable(err);
      }
    },

    async listPayments(query: PaymentListQuery): Promise<PaymentListPage> {
      try {
        return await withDeadline(() => listFromVisibility(connection, namespace, query));
      } catch (err) {
        if (err instanceof UnknownCursor)
          throw new InvalidRequest([{ path: 'query:cursor', message: 'not a cursor of this list' }]);
        return unavailable(err);
      }
    },

    async healthy(): Promise<boolean> {
      try {
        await withDeadline(() => connection.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },

    close: () => connection.close(),
  };
}
