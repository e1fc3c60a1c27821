/**
 * Pairs every 429 the fake PG gave with the next call under the same key (the payment's PG
 * idempotency key), on the PG's own clock: how long each refused payment waited before it called
 * again, and whether its last call went through.
 */
import type { FakePgClient } from '../../src/load/fake-pg-client';

export interface Refusals {
  /** One entry per 429: the wait until the same key's next call (undefined if none came). */
  waitsMs: Array<number | undefined>;
  /** Keys whose last call was refused. */
  endedRefused: string[];
}

export async function refusalsOf(pg: FakePgClient, keys: string[]): Promise<Refusals> {
  const { callsByKey } = await pg.timeline();
  const waitsMs: Array<number | undefined> = [];
  const endedRefused: string[] = [];
  for (const key of keys) {
    const calls = callsByKey[key] ?? [];
    if (calls.at(-1)?.refused) endedRefused.push(key);
    calls.forEach((call, i) => {
      if (call.refused) waitsMs.push(calls[i + 1] ? calls[i + 1]!.at - call.at : undefined);
    });
  }
  return { waitsMs, endedRefused };
}
