/** Starts the fake PG as its own process on a free port, with its score client. */
import { type ManagedProcess, spawnTs } from '../infra/child-process';
import { freePort } from '../infra/ports';
import { FakePgClient } from '../load/fake-pg-client';

export interface FakePgHandle {
  url: string;
  client: FakePgClient;
  process: ManagedProcess;
}

/**
 * The fake PG as a child process. V8's memory reducer runs a full GC about 8 s after a quiet spell
 * begins; in the PG that paused the event loop for 10-29 ms in the middle of a burst, and calls
 * arriving then were stamped that late (the referee saw 11 in a sliding second that the workers
 * had sent 1 s + margin apart). The PG's heap is small, so it does without the reducer.
 *
 * Its other collections run on one thread too. The PG raises its event loop to nice -20
 * (PG_NICE), but V8's GC helper threads started before that and stay at the default: on a machine
 * with every core busy a parallel scavenge of a 20-30 MB heap then waited for them, 13-30 ms where
 * it takes 1-3 ms, and a call arriving meanwhile was stamped up to 48 ms late (11 in the PG's
 * sliding second after pg-alt's outage, docs/pgs.md). On the event loop alone a collection runs
 * at the PG's own priority.
 */
export function spawnFakePg(env: NodeJS.ProcessEnv, onLine?: (line: string) => void): ManagedProcess {
  return spawnTs('fake-pg', 'src/fake-pg/main.ts', {
    env,
    onLine,
    nodeArgs: ['--no-memory-reducer', '--single-threaded-gc'],
  });
}

export async function startFakePg(env: NodeJS.ProcessEnv = {}): Promise<FakePgHandle> {
  const port = await freePort();
  const process = spawnFakePg({ PG_PORT: String(port), LOG_LEVEL: 'info', ...env });
  await process.waitForLine(/fake PG listening/);
  const url = `http://127.0.0.1:${port}`;
  return { url, client: new FakePgClient(url), process };
}
