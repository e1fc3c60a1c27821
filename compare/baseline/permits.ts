/**
 * The global PG semaphore as the consumers and the semaphore-only API see it: try to take a
 * permit, give it back. Two kinds: the study document's counter (list mode) and leases (the fixed modes).
 */
export interface Permit {
  release(): Promise<void>;
}

export interface PermitPool {
  /** A permit if one is free now, else null (the study document's `tryAcquire()`). */
  tryAcquire(): Promise<Permit | null>;
  /** Permits held now, for tests and the semaphore gauges. */
  inUse(): Promise<number>;
  readonly limit: number;
  /** Stops background work (lease renewal). Held permits are not released: a dead process's aren't either. */
  close(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `tryAcquire` every `intervalMs` (with jitter, so waiters do not poll in step) until a
 * permit comes or `deadline` (Date.now() ms) passes; null then. Redisson's tryAcquire(wait) does
 * the same with a pub/sub wake-up.
 */
export async function acquireWithin(
  pool: PermitPool,
  deadline: number,
  intervalMs: number,
  stopped: () => boolean = () => false,
): Promise<Permit | null> {
  for (;;) {
    const permit = await pool.tryAcquire();
    if (permit) return permit;
    const left = deadline - Date.now();
    if (left <= 0 || stopped()) return null;
    await sleep(Math.min(left, intervalMs * (0.5 + Math.random())));
  }
}
