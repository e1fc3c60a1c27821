/**
 * The activities. Built by factories from their dependencies, so tests hand in a real PG client on
 * a test port. Every PG call passes the admission step first; the PG's idempotency key is the
 * request id, the same on every retry and on every worker, so a retry after a crash is a replay.
 */
import { performance } from 'node:perf_hooks';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { PAYMENT_ERRORS, type PaymentStatusView, type QueuedPaymentRequest } from '../contract/payment';
import type { ClaimOutcome, FinalRecord } from '../intake/payment-store';
import type { PgAdmission } from '../pg-client/admission';
import type { ChargeOutcome, PgClient } from '../pg-client/pg-client';
import { CHARGE_HEARTBEAT_INTERVAL_MS, chargeActivityOptions } from './activity-options';
import { merchantOfPayment } from './routing';
import { ActivityErrorType, type ChargeFailureDetails, type ChargeResult, fairnessOf } from './shared';

/** What the activities need of the payment store (intake/payment-store.ts). */
export interface ActivityStore {
  claim(requestId: string, attempt: number, startedAt: string): Promise<ClaimOutcome>;
  finish(requestId: string, final: FinalRecord): Promise<boolean>;
}

export interface ActivityDeps {
  pg: PgClient;
  admission: PgAdmission;
  store: ActivityStore;
  /** Observes the wait from acceptance to the first PG call, and each answer of the PG. */
  observe?: {
    firstCall?(queueWaitSeconds: number, merchant: string): void;
    answered?(kind: ChargeOutcome['kind']): void;
  };
  /** Hears each PG call's send (epoch ms), to set beside the PG's arrival stamps (PG_SENT_LOG). */
  onSent?(requestId: string, attempt: number, epochMs: number): void;
}

const MAX_ATTEMPTS = chargeActivityOptions.retry?.maximumAttempts ?? Infinity;

type CallResult = { outcome: ChargeOutcome | { kind: 'cancelled' }; startedAt?: string };

export function createActivities(deps: ActivityDeps) {
  /**
   * One PG call behind the admission step; the permit is held exactly while the call is open. The
   * payment is claimed in the store between the permit and the call: from then on a cancel is refused.
   */
  async function callPg(payment: QueuedPaymentRequest, attempt: number, signal: AbortSignal): Promise<CallResult> {
    const permit = await deps.admission.acquire(signal, {
      ...fairnessOf(payment),
      acceptedAt: Date.parse(payment.enqueuedAt),
    });
    let refusedAfterMs: number | undefined;
    try {
      const startedAt = new Date();
      const claim = await deps.store.claim(payment.requestId, attempt, startedAt.toISOString());
      if (claim === 'cancelled') return { outcome: { kind: 'cancelled' } };
      const outcome = await deps.pg.charge({
        idempotencyKey: payment.requestId,
        request: payment.request,
        onSent: (at) => {
          permit.sent(at);
          deps.onSent?.(payment.requestId, attempt, performance.timeOrigin + at);
          if (attempt === 1)
            deps.observe?.firstCall?.(
              (startedAt.getTime() - Date.parse(payment.enqueuedAt)) / 1000,
              merchantOfPayment(payment),
            );
        },
        onAnswered: (networkMs) => permit.answered(networkMs),
      });
      deps.observe?.answered?.(outcome.kind);
      if (outcome.kind === 'rate_limited') refusedAfterMs = outcome.retryAfterMs;
      return { outcome, startedAt: startedAt.toISOString() };
    } finally {
      if (refusedAfterMs !== undefined) permit.refused(refusedAfterMs);
      permit.release();
    }
  }

  return {
    async chargePayment(payment: QueuedPaymentRequest): Promise<ChargeResult> {
      const context = Context.current();
      const { attempt } = context.info;
      // Alive while waiting for a permit and while the PG call is open: a killed worker falls
      // silent, and Temporal retries its attempt after the heartbeat timeout, which runs from the
      // attempt's start. The first beat comes after a second, not at once: an attempt that ends
      // sooner (most do) costs the server no heartbeat call and no write of the workflow's state.
      const beating = setInterval(() => context.heartbeat(), CHARGE_HEARTBEAT_INTERVAL_MS);
      let call: CallResult;
      try {
        // A 429 is the PG asking us to wait, not the payment failing: wait at least its
        // Retry-After and call again within the same attempt, so it never uses one up.
        for (;;) {
          call = await callPg(payment, attempt, context.cancellationSignal);
          if (call.outcome.kind !== 'rate_limited') break;
          await context.sleep(Math.max(call.outcome.retryAfterMs, 1));
        }
      } finally {
        clearInterval(beating);
      }

      const { outcome, startedAt } = call;
      const fail = async (type: string, code: string, final: boolean) => {
        // The last attempt records its own failure; the workflow records only what no attempt could.
        const recorded =
          final &&
          (await deps.store
            .finish(payment.requestId, { status: 'FAILED', attempts: attempt, error: code, startedAt })
            .then(() => true));
        return ApplicationFailure.create({
          type,
          message: code,
          nonRetryable: final,
          details: [{ attempt, code, startedAt, recorded } satisfies ChargeFailureDetails],
        });
      };
      switch (outcome.kind) {
        case 'approved':
          await deps.store.finish(payment.requestId, {
            status: 'SUCCESS',
            attempts: attempt,
            transactionId: outcome.transactionId,
            startedAt,
          });
          return { transactionId: outcome.transactionId, attempt, replayed: outcome.replayed, startedAt };
        case 'cancelled':
          throw ApplicationFailure.create({
            type: ActivityErrorType.Cancelled,
            message: 'cancelled',
            nonRetryable: true,
          });
        case 'declined':
          throw await fail(ActivityErrorType.CardDeclined, PAYMENT_ERRORS.cardDeclined, true);
        case 'rejected':
          throw await fail(ActivityErrorType.PgRejected, PAYMENT_ERRORS.pgRejected, true);
        case 'transient':
          throw await fail(ActivityErrorType.PgUnavailable, PAYMENT_ERRORS.pgUnavailable, attempt >= MAX_ATTEMPTS);
      }
    },
  };
}

/** The workflow's own bookkeeping, on the workflows' task queue: never behind the PG's limits. */
export function createBookkeepingActivities(store: ActivityStore) {
  return {
    /** Records a failure no activity attempt recorded (its worker died on the last attempt). */
    async recordOutcome(requestId: string, view: PaymentStatusView): Promise<void> {
      await store.finish(requestId, {
        status: 'FAILED',
        attempts: view.attempts,
        error: view.error,
        startedAt: view.startedAt,
      });
    },
  };
}
