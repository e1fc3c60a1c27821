/**
 * Runs inside the workflow sandbox (bundled with the workflows through the worker's
 * `interceptors.workflowModules`): when a payment workflow returns its final status, it tells the
 * worker through a sink, so the outcome counter and the processing histogram are recorded where
 * the final status is decided, without touching the workflow code.
 *
 * Sinks are Temporal's way out of the sandbox for metrics: they cannot affect the workflow, and with
 * `callDuringReplay: false` a replay does not count a payment twice.
 */
import { type Sinks, type WorkflowInterceptorsFactory, proxySinks, workflowInfo } from '@temporalio/workflow';
import type { PaymentStatusView } from '../contract/payment';
import { WORKFLOW_TYPE } from '../temporal/shared';

export interface FinalPayment {
  status: PaymentStatusView['status'];
  acceptedAt: string;
  completedAt?: string;
}

export interface PaymentMetricsSinks extends Sinks {
  paymentMetrics: { final(payment: FinalPayment): void };
}

const { paymentMetrics } = proxySinks<PaymentMetricsSinks>();

const isFinalView = (value: unknown): value is PaymentStatusView => {
  const status = (value as Partial<PaymentStatusView> | null)?.status;
  return status === 'SUCCESS' || status === 'FAILED' || status === 'CANCELLED';
};

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const result = await next(input);
        if (workflowInfo().workflowType === WORKFLOW_TYPE && isFinalView(result)) {
          paymentMetrics.final({
            status: result.status,
            acceptedAt: result.acceptedAt,
            completedAt: result.completedAt,
          });
        }
        return result;
      },
    },
  ],
});
