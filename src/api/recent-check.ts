/**
 * A health answer from a recent check instead of one backend call per request: under thousands of
 * probes at once, per-request calls ran into Temporal's own resource limit and answered 503 while
 * the engine was fine. One check in flight at a time; its answer serves everyone for `maxAgeMs`,
 * unless a request has meanwhile found the engine unavailable (`forget()`). The check must not throw.
 */
export interface RecentCheck<T> {
  (): Promise<T>;
  /** Drops the remembered answer: the next caller checks again. */
  forget(): void;
}

export function recentCheck<T>(check: () => Promise<T>, maxAgeMs = 1000): RecentCheck<T> {
  let last: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  const recent = () => {
    if (last && Date.now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    inFlight ??= check().then((value) => {
      last = { value, at: Date.now() };
      inFlight = undefined;
      return value;
    });
    return inFlight;
  };
  return Object.assign(recent, {
    forget() {
      last = undefined;
    },
  });
}
