/**
 * Starting a payment's workflow, the one call both intake modes make: the workflow id is the
 * request id, so a second start of the same payment starts nothing.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { QueuedPaymentRequest } from '../contract/payment';
import { searchAttributesOf } from './search-attributes';
import { WORKFLOW_TYPE, fairnessOf } from './shared';
import type { paymentWorkflow } from './workflows';

/** Starts the workflow; false when one with this id exists (or existed) already. */
export async function startPaymentWorkflow(
  client: Client,
  taskQueue: string,
  payment: QueuedPaymentRequest,
): Promise<boolean> {
  try {
    await client.workflow.start<typeof paymentWorkflow>(WORKFLOW_TYPE, {
      workflowId: payment.requestId,
      taskQueue,
      args: [payment],
      memo: { fingerprint: payment.fingerprint, orderId: payment.request.orderId },
      // What the Web UI's filter and `temporal workflow list --query` find it by.
      typedSearchAttributes: searchAttributesOf(payment),
      // The workflows' task queue is fair by merchant too: a flash sale's thousands of workflow
      // tasks (all at once with TEMPORAL_INTAKE=direct) do not hold up another merchant's.
      priority: fairnessOf(payment),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
