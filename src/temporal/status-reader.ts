/**
 * `GET /payments/:id/status` on the Temporal engine, answered without waiting on a worker:
 * - an ended payment, or one still in the intake: its record in the payment store;
 * - a running one: its record, which the PG activity keeps (PROCESSING, attempt, startedAt),
 *   merged with the workflow query's latest answer. The query stays the live source, but no read
 *   waits for it: a read starts one in the background (within the status budget, one per payment
 *   at a time) and the answer serves the reads after it. Waiting even 50 ms for it was most of a
 *   status read's p99 under 500 pollers, and on a busy worker most such queries missed the 50 ms;
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

/** A query's answer serves the reads of its payment for this long. */
const LIVE_ANSWER_KEPT_MS = 5000;
/** Payments whose latest query answer is kept; past it the oldest go (a read then has the record). */
const LIVE_ANSWERS_KEPT = 10_000;

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

  /** The latest query answer per running payment, and the queries in flight. */
  const live = new Map<string, { view: PaymentStatusView; at: number }>();
  const querying = new Set<string>();

  /** Starts a query whose answer serves the next reads; nobody waits for it. */
  function refresh(requestId: string): void {
    if (querying.has(requestId)) return;
    querying.add(requestId);
    void query(requestId, options.timeoutMs)
      .then((view) => {
        // No answer (past the budget, or none in time): the answer kept so far stays until it ages.
        if (view === undefined) return;
        live.delete(requestId);
        if (!view) return;
        live.set(requestId, { view, at: Date.now() });
        if (live.size > LIVE_ANSWERS_KEPT) live.delete(live.keys().next().value!);
      })
      .finally(() => querying.delete(requestId));
  }

  function latestLive(requestId: string): PaymentStatusView | undefined {
    const kept = live.get(requestId);
    if (kept && Date.now() - kept.at <= LIVE_ANSWER_KEPT_MS) return kept.view;
    live.delete(requestId);
    return undefined;
  }

  return async function status(requestId: string): Promise<PaymentStatusView | null> {
    const stored = await fromRecord(requestId);
    if (stored && (isFinal(stored.view.status) || !stored.workflowStarted)) {
      live.delete(requestId);
      return stored.view;
    }
    if (stored) {
      const latest = latestLive(requestId);
      refresh(requestId);
      // The activity records PROCESSING in the store; the workflow learns it only from the result.
      return latest && RANK[latest.status] > RANK[stored.view.status] ? latest : stored.view;
    }
    const answer = await query(requestId, options.timeoutMs);
    if (answer !== undefined) return answer;
    return fromServer(requestId);
  };
}
