/**
 * Names shared by the workflow, the worker and the client: the query a payment workflow answers,
 * its task queues, and the error types its activities throw.
 */
import { defineQuery } from '@temporalio/workflow';
import { DEFAULT_PG, merchantOfPayment } from './routing';
import type { PaymentStatusView } from '../contract/payment';

/** The payment workflow's type: the name of its function in workflows.ts, which clients start by it. */
export const WORKFLOW_TYPE = 'paymentWorkflow';

/** `GET /payments/:id/status` is answered by this query. */
export const getStatusQuery = defineQuery<PaymentStatusView>('getStatus');

/**
 * A PG's lane: the PG activity's own task queue, one per PG, beside the workflows' queue. Its
 * worker throttles it (maxTaskQueueActivitiesPerSecond applies to it alone, so to this PG alone),
 * a PG that is down holds up only its own queue, and status queries, which land on workflow
 * workers, never share a process with the PG calls when the roles run apart. `pg-main` keeps the
 * name it had before there were several PGs, so running workflows find it after an upgrade.
 */
export const pgTaskQueue = (workflowTaskQueue: string, pg: string = DEFAULT_PG): string =>
  pg === DEFAULT_PG ? `${workflowTaskQueue}.pg` : `${workflowTaskQueue}.pg.${pg}`;

/** A payment's fairness key and weight on its PG's task queue: its merchant and the merchant's weight. */
export const fairnessOf = (payment: { merchantId?: string; weight?: number }) => ({
  fairnessKey: merchantOfPayment(payment),
  fairnessWeight: payment.weight ?? 1,
});

/** Error types thrown by the activity (`ApplicationFailure.type`). */
export const ActivityErrorType = {
  /** The PG declined the card: final, never retried. */
  CardDeclined: 'CardDeclined',
  /** The PG refused the request itself (400, 422): final, never retried. */
  PgRejected: 'PgRejected',
  /** The PG answered 429: retried after its Retry-After. */
  PgRateLimited: 'PgRateLimited',
  /** 5xx or no connection: retried with backoff. */
  PgUnavailable: 'PgUnavailable',
  /** The payment was cancelled before any PG call claimed it: final, never charged. */
  Cancelled: 'PaymentCancelled',
} as const;

/** What the charge activity returns and what its failures carry as details. */
export interface ChargeResult {
  transactionId: string;
  attempt: number;
  replayed: boolean;
  /** When this attempt's PG call started. */
  startedAt?: string;
}
export interface ChargeFailureDetails {
  attempt: number;
  code: string;
  startedAt?: string;
  /** The activity recorded this final failure in the payment store itself. */
  recorded?: boolean;
}
