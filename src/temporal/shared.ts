/**
 * Names shared by the workflow, the worker and the client: the messages a payment workflow answers
 * and the error types its activity throws.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PaymentStatusView } from '../contract/payment';

/** The payment workflow's type: the name of its function in workflows.ts, which clients start by it. */
export const WORKFLOW_TYPE = 'paymentWorkflow';

/** `GET /payments/:id/status` is answered by this query. */
export const getStatusQuery = defineQuery<PaymentStatusView>('getStatus');

/** Sent by the activity as a PG call starts, so the status shows PROCESSING and the attempt. */
export interface PgCallStarted {
  attempt: number;
  at: string;
}
export const pgCallStartedSignal = defineSignal<[PgCallStarted]>('pgCallStarted');

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
} as const;

/** What the charge activity returns and what its failures carry as details. */
export interface ChargeResult {
  transactionId: string;
  attempt: number;
  replayed: boolean;
  /** When this attempt's PG call started: the status's startedAt if the started signal was lost. */
  startedAt?: string;
}
export interface ChargeFailureDetails {
  attempt: number;
  code: string;
  startedAt?: string;
}
