/**
 * The charge activity's timeouts and retry policy, declared once. Declines and the PG's refusals of
 * the request itself (400, 422) are not retried; a 429 sets its own next delay from the PG's
 * Retry-After; everything else backs off exponentially.
 * A worker that dies mid-call stops heartbeating, so its attempt is retried elsewhere after
 * `heartbeatTimeout`, not after the whole `startToCloseTimeout`.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { ActivityErrorType } from './shared';

export const chargeActivityOptions: ActivityOptions = {
  // Bounds a live attempt: the wait for a permit plus the PG call (its client gives up after 10 s).
  startToCloseTimeout: '30 seconds',
  // The activity heartbeats every second while it waits and while the PG call is open
  // (CHARGE_HEARTBEAT_INTERVAL_MS), so only a dead or frozen worker misses this.
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [ActivityErrorType.CardDeclined, ActivityErrorType.PgRejected],
  },
};

/** How often the charge activity heartbeats; well inside `heartbeatTimeout`. */
export const CHARGE_HEARTBEAT_INTERVAL_MS = 1000;
