/**
 * The charge activity. Built by a factory from its dependencies, so tests hand in a real PG client
 * on a test port. Every call passes the admission step first; the PG's idempotency key is the
 * request id, the same on every retry and on every worker, so a retry after a crash is a replay.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { PAYMENT_ERRORS, type QueuedPaymentRequest } from '../contract/payment';
import type { PgAdmission } from '../pg-client/admission';
import type { ChargeOutcome, PgClient } from '../pg-client/pg-client';
import { CHARGE_HEARTBEAT_INTERVAL_MS } from './activity-options';
import { ActivityErrorType, type ChargeFailureDetails, type ChargeResult, type PgCallStarted } from './shared';

export interface ActivityDeps {
  pg: PgClient;
  admission: PgAdmission;
  /** Tells the workflow a PG call started (best effort: the status is only a view). */
  reportStarted?: (workflowId: string, started: PgCallStarted) => Promise<void>;
  /** Observes the wait from acceptance to the first PG call, and each call's outcome. */
  observe?: { firstCall?(queueWaitSeconds: number): void };
}

export function createActivities(deps: ActivityDeps) {
  /** One PG call behind the admission step; the permit is held exactly while the call is open. */
  async function callPg(
    payment: QueuedPaymentRequest,
    attempt: number,
    signal: AbortSignal,
  ): Promise<{ outcome: ChargeOutcome; startedAt: string }> {
    const permit = await deps.admission.acquire(signal);
    try {
      const startedAt = new Date();
      // The PG call goes out first; the rest waits until it has. Work done in between (the
      // signal below is a gRPC call) delays the send, and every window chained to it.
      const charging = deps.pg.charge({
        idempotencyKey: payment.requestId,
        request: payment.request,
        onSent: (at) => {
          permit.sent(at);
          deps.reportStarted?.(payment.requestId, { attempt, at: startedAt.toISOString() }).catch(() => undefined);
          if (attempt === 1) deps.observe?.firstCall?.((startedAt.getTime() - Date.parse(payment.enqueuedAt)) / 1000);
        },
      });
      return { outcome: await charging, startedAt: startedAt.toISOString() };
    } finally {
      permit.release();
    }
  }

  return {
    async chargePayment(payment: QueuedPaymentRequest): Promise<ChargeResult> {
      const context = Context.current();
      const { info, cancellationSignal } = context;
      const attempt = info.attempt;
      let startedAt: string | undefined;
      const fail = (type: string, code: string, extra: { nonRetryable?: boolean; nextRetryDelay?: number } = {}) =>
        ApplicationFailure.create({
          type,
          message: code,
          nonRetryable: extra.nonRetryable ?? false,
          nextRetryDelay: extra.nextRetryDelay,
          details: [{ attempt, code, startedAt } satisfies ChargeFailureDetails],
        });

      // Alive while waiting for a permit and while the PG call is open: a killed worker falls
      // silent, and Temporal retries its attempt after the heartbeat timeout.
      context.heartbeat();
      const beating = setInterval(() => context.heartbeat(), CHARGE_HEARTBEAT_INTERVAL_MS);
      let outcome;
      try {
        ({ outcome, startedAt } = await callPg(payment, attempt, cancellationSignal));
      } finally {
        clearInterval(beating);
      }

      switch (outcome.kind) {
        case 'approved':
          return { transactionId: outcome.transactionId, attempt, replayed: outcome.replayed, startedAt };
        case 'declined':
          throw fail(ActivityErrorType.CardDeclined, PAYMENT_ERRORS.cardDeclined, { nonRetryable: true });
        case 'rejected':
          throw fail(ActivityErrorType.PgRejected, PAYMENT_ERRORS.pgRejected, { nonRetryable: true });
        case 'rate_limited':
          // Never sooner than the PG asked.
          throw fail(ActivityErrorType.PgRateLimited, PAYMENT_ERRORS.rateLimited, {
            nextRetryDelay: Math.max(outcome.retryAfterMs, 1),
          });
        case 'transient':
          throw fail(ActivityErrorType.PgUnavailable, PAYMENT_ERRORS.pgUnavailable);
      }
    },
  };
}
