/**
 * The result table of the study document (`resultRepository`), as one Redis hash per payment:
 * `payment:status:<requestId>` with the fields of `PaymentStatusView` plus the body's fingerprint.
 */
import { PAYMENT_STATUSES, type PaymentStatus, type PaymentStatusView } from '../../src/contract/payment';

/** What a finished charge stores. */
export interface PaymentResult {
  status: Extract<PaymentStatus, 'SUCCESS' | 'FAILED'>;
  attempts: number;
  transactionId?: string;
  error?: string;
  completedAt: string;
}

/** The result as HSET field/value pairs, for the Lua scripts that store it. */
export function resultFields(result: PaymentResult): string[] {
  const fields = ['status', result.status, 'attempts', String(result.attempts), 'completedAt', result.completedAt];
  if (result.transactionId) fields.push('transactionId', result.transactionId);
  if (result.error) fields.push('error', result.error);
  return fields;
}

/** The status answer from a payment's hash; null when there is none. */
export function statusViewOf(hash: Record<string, string>): PaymentStatusView | null {
  if (!hash.requestId || !hash.status) return null;
  const status = (PAYMENT_STATUSES as readonly string[]).includes(hash.status)
    ? (hash.status as PaymentStatus)
    : 'PENDING';
  const view: PaymentStatusView = {
    requestId: hash.requestId,
    status,
    attempts: Number(hash.attempts ?? 0) || 0,
    acceptedAt: hash.acceptedAt ?? '',
  };
  if (hash.merchantId) view.merchantId = hash.merchantId;
  if (hash.transactionId) view.transactionId = hash.transactionId;
  if (hash.error) view.error = hash.error;
  if (hash.startedAt) view.startedAt = hash.startedAt;
  if (hash.completedAt) view.completedAt = hash.completedAt;
  return view;
}
