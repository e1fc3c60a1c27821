/**
 * What the HTTP API needs from an engine. The Temporal engine and the Redis baselines each
 * implement it, so both serve one contract from one Express app.
 */
import type { PaymentListPage, PaymentListQuery, PaymentStatusView, QueuedPaymentRequest } from '../contract/payment';

export interface SubmitResult {
  requestId: string;
  /** False when the same key and body were accepted before: a replay, nothing new is charged. */
  created: boolean;
  /** Set by an engine that charged the payment inside the request (semaphore-only): the API answers 200 with it. */
  completed?: PaymentStatusView;
}

/** What the API hands an engine: the queued payment, its body's fingerprint, and whether it is a declared new attempt. */
export type SubmittedPayment = QueuedPaymentRequest & { fingerprint: string; newAttempt?: boolean };

export interface PaymentEngine {
  /** Hands a validated payment to the engine. Throws IdempotencyKeyReused or EngineUnavailable. */
  submit(payment: SubmittedPayment): Promise<SubmitResult>;
  /** The payment's status, or null for an unknown id. Throws EngineUnavailable. */
  status(requestId: string): Promise<PaymentStatusView | null>;
  /** One page of a merchant's payments, newest first; engines without a per-merchant index leave it out. */
  listPayments?(query: PaymentListQuery): Promise<PaymentListPage>;
  /**
   * Cancels a payment no PG call has claimed yet: its status after the cancel, or null for an
   * unknown id. Throws AlreadyProcessing once a PG call has it. Absent where an engine cannot.
   */
  cancel?(requestId: string): Promise<PaymentStatusView | null>;
  /** True while the engine's backing service answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
