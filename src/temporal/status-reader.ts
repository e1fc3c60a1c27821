/**
 * `GET /payments/:id/status` on the Temporal engine, answered without waiting on a worker:
 * - an ended payment, or one still in the intake: its record in the payment store;
 * - a running one: the workflow query, its live source, while the status budget allows, and
 *   merged with the store's record, which the PG activity keeps (PROCESSING, attempt, startedAt);
 *   past the budget, or when no worker answers the query in time, the record alone;
 * - no record (a payment started with TEMPORAL_INTAKE=direct): the query, else what the server
 *   keeps: the result of an ended workflow, the pending activity of a running one.
 * A status read therefore costs one Redis read, and the worker at most the budget's queries a second.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { type PaymentStatus, type PaymentStatusView, isFinal } from '../contract/payment';
import type { PaymentStore, StoredPayment } from '../intake/payment-store';
import { rethrowAsTemporal } from './engine-errors';
import { MerchantIdAttribute } from './search-attributes';
import { getStatusQuery } from './shared';

export interface StatusReaderOptions {
  client: Client;
  store?: PaymentStore;
  queriesPerSecond: number;
  timeoutMs: number;
}

/** With a store record to fall back on, a query gets this long: the record has the same fields. */
const QUERY_WAIT_WITH_RECORD_MS = 50;

const RANK: Record<PaymentStatus, number> = { PENDING: 0, PROCESSING: 1, SUCCESS: 2, FAILED: 2, CANCELLED: 2 };

/** A token bucket: at most `perSecond` a second, with a burst of one second's worth. */
function budget(perSecond: number): () => boolean {
  let tokens = perSecond;
  let at = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(perSecond, tokens + ((now - at) / 1000) * perSecond);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export function createStatusReader(options: StatusReaderOptions) {
  const { client, store } = options;
  const mayQuery = budget(options.queriesPerSecond);
  const withDeadline = <T>(ms: number, fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + ms, fn);

  async function fromRecord(requestId: string): Promise<StoredPayment | null | undefined> {
    // A store that does not answer leaves Temporal to answer.
    return store ? store.get(requestId).catch(() => undefined) : undefined;
  }

  async function query(requestId: string, waitMs: number): Promise<PaymentStatusView | null | undefined> {
    if (!mayQuery()) return undefined;
    try {
      return await withDeadline(waitMs, () => client.workflow.getHandle(requestId).query(getStatusQuery));
    } catch (err) {
      return err instanceof WorkflowNotFoundError ? null : undefined;
    }
  }

  /** What the server keeps of a workflow: no worker involved. */
  async function fromServer(requestId: string): Promise<PaymentStatusView | null> {
    const handle = client.workflow.getHandle(requestId);
    try {
      const described = await withDeadline(options.timeoutMs, () => handle.describe());
      const acceptedAt = described.startTime.toISOString();
      const merchantId = described.typedSearchAttributes.get(MerchantIdAttribute);
      const base = { requestId, attempts: 0, acceptedAt, ...(merchantId ? { merchantId } : {}) };
      switch (described.status.name) {
        case 'RUNNING': {
          const pending = described.raw.pendingActivities?.[0];
          const started = pending?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
          const view: PaymentStatusView = { ...base, status: started ? 'PROCESSING' : 'PENDING' };
          view.attempts = started ? (pending?.attempt ?? 1) : Math.max(0, (pending?.attempt ?? 1) - 1);
          if (pending?.lastFailure?.message) view.error = pending.lastFailure.message;
          return view;
        }
        case 'COMPLETED':
          return await withDeadline(options.timeoutMs, () => handle.result() as Promise<PaymentStatusView>);
        case 'CANCELLED':
          return { ...base, status: 'CANCELLED', completedAt: described.closeTime?.toISOString() };
        default:
          return {
            ...base,
            status: 'FAILED',
            error: 'processing_failed',
            completedAt: described.closeTime?.toISOString(),
          };
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      return rethrowAsTemporal(err, 'reading the payment status');
    }
  }

  return async function status(requestId: string): Promise<PaymentStatusView | null> {
    const stored = await fromRecord(requestId);
    if (stored && (isFinal(stored.view.status) || !stored.workflowStarted)) return stored.view;
    const live = await query(requestId, stored ? QUERY_WAIT_WITH_RECORD_MS : options.timeoutMs);
    if (stored) {
      // The activity records PROCESSING in the store; the workflow learns it only from the result.
      return live && RANK[live.status] > RANK[stored.view.status] ? live : stored.view;
    }
    if (live !== undefined) return live;
    return fromServer(requestId);
  };
}
