/**
 * The charge activity's timeouts and retry policy, declared once. Declines are not retried; a 429
 * sets its own next delay from the PG's Retry-After; everything else backs off exponentially.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { ActivityErrorType } from './shared';

export const chargeActivityOptions: ActivityOptions = {
  // A call waits at most a second or so for the admission step, then the PG answers in < 10 s.
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [ActivityErrorType.CardDeclined],
  },
};
