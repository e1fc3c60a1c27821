/**
 * A health answer from a recent check instead of one backend call per request: under thousands of
 * probes at once, per-request calls ran into Temporal's own resource limit and answered 503 while
 * the engine was fine. One check in flight at a time; its answer serves everyone for `maxAgeMs`,
 * unless a request has meanwhile found the engine unavailable (`forget()`).
 */
export interface RecentCheck {
  (): Promise<boolean>;
  /** Drops the remembered answer: the next caller checks again. */
  forget(): void;
}

export function recentCheck(check: () => Promise<boolean>, maxAgeMs = 1000): RecentCheck {
  let last: { ok: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;
  const recent = () => {
    if (last && Date.now() - last.at < maxAgeMs) return Promise.resolve(last.ok);
    inFlight ??= check()
      .catch(() => false)
      .then((ok) => {
        last = { ok, at: Date.now() };
        inFlight = undefined;
        return ok;
      });
    return inFlight;
  };
  return Object.assign(recent, {
    forget() {
      last = undefined;
    },
  });
}
