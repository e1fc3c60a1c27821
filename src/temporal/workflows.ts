/**
 * One payment, one workflow. Deterministic: the activity is imported as a type only and reached
 * through proxyActivities; the state below is the answer to the status query.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PaymentStatusView, QueuedPaymentRequest } from '../contract/payment';
import type { createActivities } from './activities';
import { chargeActivityOptions } from './activity-options';
import { PaymentStatusAttribute } from './search-attributes';
import { type ChargeFailureDetails, getStatusQuery, pgCallStartedSignal } from './shared';

const { chargePayment } = proxyActivities<ReturnType<typeof createActivities>>(chargeActivityOptions);

export async function paymentWorkflow(payment: QueuedPaymentRequest): Promise<PaymentStatusView> {
  const state: PaymentStatusView = {
    requestId: payment.requestId,
    merchantId: payment.merchantId,
    status: 'PENDING',
    attempts: 0,
    acceptedAt: payment.enqueuedAt,
  };
  const now = () => new Date(Date.now()).toISOString();
  /** The status, and its search attribute with it, so the Web UI's filter sees where it is. */
  const moveTo = (status: PaymentStatusView['status']) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: PaymentStatusAttribute, value: status }]);
  };

  setHandler(getStatusQuery, () => state);
  setHandler(pgCallStartedSignal, ({ attempt, at }) => {
    if (state.status === 'SUCCESS' || state.status === 'FAILED') return;
    moveTo('PROCESSING');
    state.startedAt ??= at;
    state.attempts = Math.max(state.attempts, attempt);
  });

  try {
    const result = await chargePayment(payment);
    moveTo('SUCCESS');
    state.transactionId = result.transactionId;
    state.attempts = Math.max(state.attempts, result.attempt);
    // The started signal is best effort; the result knows when its own call started.
    state.startedAt ??= result.startedAt;
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const details =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as ChargeFailureDetails | undefined) : undefined;
    moveTo('FAILED');
    state.error = details?.code ?? 'processing_failed';
    state.attempts = Math.max(state.attempts, details?.attempt ?? 0);
    state.startedAt ??= details?.startedAt;
  }
  state.completedAt = now();
  return state;
}
