/**
 * The study document's Redis key names (docs/design.md §6) under an optional prefix, so tests (random prefixes) and
 * several stacks can share one Redis.
 */
export interface BaselineKeys {
  /** list, list-reliable: LPUSH here, take from the right. */
  queue: string;
  /** list: the RSemaphore-like counter of free permits. */
  semaphore: string;
  /** list-reliable, stream, semaphore-only: leases (holder token -> expiry ms). Not the study document's
   * counter: a different type under the same name would break a Redis shared across modes. */
  leases: string;
  stream: string;
  group: string;
  deadLetter: string;
  /** list-reliable: consumers known to the reaper. */
  consumers: string;
  /**
   * The fixed modes' shared PG gate (src/pg-client/redis-admission.ts): the prefix of its leases,
   * starts and learnt margin (`<pgGate>margin`).
   */
  pgGate: string;
  /** The payment histograms and outcome counts (src/metrics/redis-observations.ts). */
  metrics: string;
  status(requestId: string): string;
  /** A merchant's payments in the order they were accepted (GET /payments). */
  merchantPayments(merchantId: string): string;
  processing(consumerId: string): string;
  heartbeat(consumerId: string): string;
}

export function baselineKeys(prefix = ''): BaselineKeys {
  return {
    queue: `${prefix}queue:payment:pending`,
    semaphore: `${prefix}semaphore:pg:api`,
    leases: `${prefix}semaphore:pg:api:leases`,
    stream: `${prefix}stream:payment`,
    group: 'payment-processors',
    deadLetter: `${prefix}stream:payment:dead`,
    consumers: `${prefix}queue:payment:consumers`,
    pgGate: `${prefix}pg:rate:`,
    metrics: `${prefix}metrics:payment`,
    status: (requestId) => `${prefix}payment:status:${requestId}`,
    merchantPayments: (merchantId) => `${prefix}payment:merchant:${merchantId}`,
    processing: (consumerId) => `${prefix}queue:payment:processing:${consumerId}`,
    heartbeat: (consumerId) => `${prefix}consumer:heartbeat:${consumerId}`,
  };
}
