/**
 * The study document's §5 metrics under one set of names for every engine (docs/design.md §4), so one dashboard and
 * one set of alert rules serve the Temporal engine and the Redis baseline alike.
 *
 * Two kinds live in two places: the gauges (queue size, semaphore) are read from the engine when
 * scraped; the histograms and the outcome counter are recorded where the figure is born (the
 * Temporal worker, the Redis consumer) and summed by the API.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { FINAL_STATUSES, type PaymentStatus } from '../contract/payment';

export const METRIC = {
  queueSize: 'payment_queue_size',
  semaphoreAvailable: 'payment_semaphore_available',
  semaphoreUsed: 'payment_semaphore_used',
  queueWait: 'payment_queue_wait_seconds',
  processing: 'payment_processing_seconds',
  outcomes: 'payment_outcomes_total',
  admissionUp: 'payment_admission_up',
  intakeWaiting: 'payment_intake_waiting',
  startedNotEnded: 'payment_started_not_ended',
  pgCalls: 'payment_pg_calls_total',
  pgInFlight: 'payment_pg_calls_in_flight',
  pgLimit: 'payment_pg_limit',
  merchantQueueWait: 'payment_merchant_queue_wait_seconds',
} as const;

/** Seconds, from a PG call's latency (0.1 s) to the study document's "act now" backlog (minutes). */
export const WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

export const HELP = {
  queueSize:
    'Payments accepted and waiting for a worker (Temporal: activity task-queue backlog; Redis: list length or stream lag + pending)',
  semaphoreAvailable: 'PG slots free now (the PG concurrency limit minus the calls in flight)',
  semaphoreUsed: 'PG calls in flight now (permits held)',
  queueWait: 'Seconds from acceptance (202) to the first PG call of a payment',
  processing: 'Seconds from acceptance (202) to the final status of a payment',
  outcomes: 'Payments that reached a final status, by status',
  admissionUp:
    '1 while the PG admission step can be read; 0 when it cannot (its Redis is down), and the semaphore gauges are then NaN',
  intakeWaiting:
    "Payments accepted and not yet started, by merchant and PG (Temporal's Redis intake: each merchant's intake stream; the server reports no backlog per fairness key)",
  startedNotEnded: "Payments started and not ended, by PG: the fill of the starter's window for that PG",
  pgCalls: 'PG calls answered, by PG and by how the PG answered (rate() is the rate per PG)',
  pgInFlight: "PG calls in flight now, by PG (permits held in that PG's admission step)",
  pgLimit: "Each PG's configured limits (PGS_FILE): concurrency and rate_per_second",
  merchantQueueWait: 'Seconds from acceptance (202) to the first PG call of a payment, by merchant and PG',
} as const;

/** What a worker or consumer reports as a payment moves; both engines call the same two. */
export interface PaymentObserver {
  /** The first PG call of a payment started `seconds` after it was accepted. */
  queueWait(seconds: number): void;
  /** The payment reached its final status `seconds` after it was accepted. */
  final(status: PaymentStatus, seconds: number): void;
}

export interface PaymentObservations extends PaymentObserver {
  registry: Registry;
}

/** The two histograms and the counter in a registry of their own (zero series included). */
export function createPaymentObservations(registry = new Registry()): PaymentObservations {
  const queueWait = new Histogram({
    name: METRIC.queueWait,
    help: HELP.queueWait,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  });
  const processing = new Histogram({
    name: METRIC.processing,
    help: HELP.processing,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: METRIC.outcomes,
    help: HELP.outcomes,
    labelNames: ['status'],
    registers: [registry],
  });
  // Zero series from the start, so `rate()` and the tests see SUCCESS and FAILED before the first one.
  for (const status of FINAL_STATUSES) outcomes.inc({ status }, 0);
  const seconds = (s: number) => (Number.isFinite(s) ? Math.max(0, s) : 0);
  return {
    registry,
    queueWait: (s) => queueWait.observe(seconds(s)),
    final: (status, s) => {
      outcomes.inc({ status });
      processing.observe(seconds(s));
    },
  };
}
