/**
 * How the Redis engines (the baseline's modes and BullMQ) route by PG in pg-outage: one whole stack
 * per PG (its API, queue, consumers, semaphore and admission step) on the run's Redis under a key
 * prefix of its own, and each merchant posts to its PG's stack. They have no routing by PG of
 * their own; two stacks give each PG its own queue, as the issue asks for an honest comparison.
 */
import { PaymentsClient } from '../../src/load/payments-client';
import type { EngineSetup, RunningEngine } from './engines';
import { PG_ALT, PG_MAIN } from './scenarios';

/** Starts one stack against one PG; `pg` names the lane (for its key prefix). */
export type StartStack = (pgUrl: string, pg: string) => Promise<RunningEngine>;

export async function stackPerPg(setup: EngineSetup, startStack: StartStack): Promise<RunningEngine> {
  const main = await startStack(setup.pg.url, PG_MAIN);
  if (!setup.pgAlt) return main;
  let alt: RunningEngine;
  try {
    alt = await startStack(setup.pgAlt.url, PG_ALT);
  } catch (err) {
    await main.stop();
    throw err;
  }
  return {
    ...main,
    // pg-alt's merchant is the first merchant of pg-alt's stack.
    neighbourClient: () => new PaymentsClient(alt.apiUrl, { connections: 8, apiKey: alt.apiKey }),
    merchants: `two merchants on two PGs: a stack per PG (API, queue, consumers, semaphore, admission step) on one Redis, each under its own key prefix; each merchant posts to its PG's stack`,
    variant: `${main.variant}; one such stack per PG`,
    pids: () => [...new Set([...main.pids(), ...alt.pids()])],
    async leakedPermits() {
      const [a, b] = await Promise.all([main.leakedPermits(), alt.leakedPermits()]);
      return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
    },
    async stop() {
      await Promise.allSettled([alt.stop(), main.stop()]);
    },
  };
}
