/**
 * The retries the study document leaves to hand-writing, in their smallest fair form, mirroring the Temporal
 * engine's policy (src/temporal/activity-options.ts): bounded attempts; a 5xx or an unreachable PG
 * backs off exponentially; a decline is final at once. A 429 is the PG asking us to wait, not the
 * payment failing: the call is made again after at least the PG's Retry-After, as the same attempt,
 * so however many 429s come, they never bring a payment nearer FAILED (except in the study document's modes,
 * which keep no rate of their own: see RetryPolicy.rateLimitedUsesAttempt).
 *
 * The PG idempotency key is the request id, the same on every attempt and every consumer, so a
 * retried or re-delivered charge is a replay, never a second charge. The permit is given back
 * during each wait and taken again before the next attempt.
 */
import { PAYMENT_ERRORS, type QueuedPaymentRequest } from '../../src/contract/payment';
import type { PgAdmission } from '../../src/pg-client/admission';
import type { PgClient } from '../../src/pg-client/pg-client';
import type { RetryPolicy } from './config';
import type { Permit } from './permits';
import type { PaymentResult } from './status-store';

export interface ChargeDeps {
  pg: PgClient;
  policy: RetryPolicy;
  /** A permit for the next attempt; null when none came (the payment then fails). */
  reacquire(): Promise<Permit | null>;
  /** Hears each attempt as it starts (best effort: updates the status view). */
  onAttempt?(attempt: number): Promise<void>;
  /** The fixed modes' admission step, shared by all consumers; none in the study document's `list`. */
  admission?: PgAdmission;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const backoffMs = (policy: RetryPolicy, attempt: number): number =>
  Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));

export async function chargeWithRetries(
  payment: QueuedPaymentRequest,
  firstPermit: Permit,
  deps: ChargeDeps,
): Promise<PaymentResult> {
  const failed = (attempts: number, error: string): PaymentResult => ({
    status: 'FAILED',
    attempts,
    error,
    completedAt: new Date().toISOString(),
  });
  let permit: Permit | null = firstPermit;
  let lastError: string = PAYMENT_ERRORS.pgUnavailable;
  let announced = 0;
  for (let attempt = 1; attempt <= deps.policy.maxAttempts;) {
    permit ??= await deps.reacquire();
    if (!permit) return failed(attempt - 1, lastError);
    if (announced < attempt) await deps.onAttempt?.((announced = attempt)).catch(() => undefined);
    let outcome;
    const slot = await deps.admission?.acquire();
    try {
      outcome = await deps.pg.charge({
        idempotencyKey: payment.requestId,
        request: payment.request,
        onSent: slot && ((at) => slot.sent(at)),
        onAnswered: slot && ((networkMs) => slot.answered(networkMs)),
      });
      // The 429 is what the shared gate learns its margin from, once for every consumer; told
      // before the release, so the lesson is in Redis before the slot is free again (as the
      // Temporal activity does). Unheard, the margin stayed at its floor and each short window cost a 429.
      if (outcome.kind === 'rate_limited') slot?.refused(outcome.retryAfterMs);
    } finally {
      slot?.release();
      await permit.release().catch(() => undefined);
      permit = null;
    }
    switch (outcome.kind) {
      case 'approved':
        return {
          status: 'SUCCESS',
          attempts: attempt,
          transactionId: outcome.transactionId,
          completedAt: new Date().toISOString(),
        };
      case 'declined':
        return failed(attempt, PAYMENT_ERRORS.cardDeclined);
      case 'rejected':
        return failed(attempt, PAYMENT_ERRORS.pgRejected);
      case 'rate_limited':
        // The same attempt again (the study document's modes: the next one), no sooner than the PG asked.
        lastError = PAYMENT_ERRORS.rateLimited;
        if (deps.policy.rateLimitedUsesAttempt) attempt++;
        if (attempt <= deps.policy.maxAttempts) await sleep(Math.max(1, outcome.retryAfterMs));
        break;
      case 'transient':
        lastError = PAYMENT_ERRORS.pgUnavailable;
        if (attempt < deps.policy.maxAttempts) await sleep(backoffMs(deps.policy, attempt));
        attempt++;
        break;
    }
  }
  return failed(deps.policy.maxAttempts, lastError);
}
