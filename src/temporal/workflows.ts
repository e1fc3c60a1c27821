/**
 * One payment, one workflow. Deterministic: the activities are imported as types only and reached
 * through proxyActivities; the state below is the answer to the status query.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PaymentStatusView, QueuedPaymentRequest } from '../contract/payment';
import type { createActivities, createBookkeepingActivities } from './activities';
import { chargeActivityOptions } from './activity-options';
import { pgOfPayment } from './routing';
import { PaymentStatusAttribute } from './search-attributes';
import { ActivityErrorType, type ChargeFailureDetails, fairnessOf, getStatusQuery, pgTaskQueue } from './shared';

export async function paymentWorkflow(payment: QueuedPaymentRequest): Promise<PaymentStatusView> {
  const state: PaymentStatusView = {
    requestId: payment.requestId,
    merchantId: payment.merchantId,
    status: 'PENDING',
    attempts: 0,
    acceptedAt: payment.enqueuedAt,
  };
  setHandler(getStatusQuery, () => state);

  const { chargePayment } = proxyActivities<ReturnType<typeof createActivities>>({
    ...chargeActivityOptions,
    // The payment's PG lane, from its input: the same on every replay.
    taskQueue: pgTaskQueue(workflowInfo().taskQueue, pgOfPayment(payment)),
    // With the server's fairness on, the lane's backlog is served round-robin across merchants by
    // weight, so one merchant's flash sale does not put another's payment behind all of it.
    priority: fairnessOf(payment),
    // A cancel waits for the activity: one whose PG call is open finishes it, and the payment ends
    // as the PG answered, never CANCELLED with a charge behind it.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const { recordOutcome } = proxyActivities<ReturnType<typeof createBookkeepingActivities>>({
    startToCloseTimeout: '10 seconds',
  });

  try {
    const result = await chargePayment(payment);
    state.status = 'SUCCESS';
    state.transactionId = result.transactionId;
    state.attempts = result.attempt;
    state.startedAt = result.startedAt;
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const details =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as ChargeFailureDetails | undefined) : undefined;
    state.attempts = details?.attempt ?? 0;
    state.startedAt = details?.startedAt;
    if (isCancellation(err) || (cause instanceof ApplicationFailure && cause.type === ActivityErrorType.Cancelled)) {
      state.status = 'CANCELLED';
    } else {
      state.status = 'FAILED';
      state.error = details?.code ?? 'processing_failed';
      // Retries ran out without the activity recording it (its worker died, or it timed out).
      if (!details?.recorded) await recordOutcome(payment.requestId, { ...state, status: 'FAILED' });
    }
  }
  state.completedAt = new Date(Date.now()).toISOString();
  // The Web UI's filter (PaymentStatus="FAILED") sees how it ended. It started PENDING; the PG call's
  // start is recorded by the activity in the payment store, which the workflow does not hear of.
  upsertSearchAttributes([{ key: PaymentStatusAttribute, value: state.status }]);
  return state;
}
