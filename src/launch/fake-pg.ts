/** Starts the fake PG as its own process on a free port, with its score client. */
import { setPriority } from 'node:os';
import { type ManagedProcess, spawnTs } from '../infra/child-process';
import { freePort } from '../infra/ports';
import { FakePgClient } from '../load/fake-pg-client';

export interface FakePgHandle {
  url: string;
  client: FakePgClient;
  process: ManagedProcess;
}

/** The fake PG's nice value: ahead of the engines and the load on a shared machine. */
const REFEREE_PRIORITY = -10;

/**
 * The fake PG as a child process. V8's memory reducer runs a full GC about 8 s after a quiet spell
 * begins; in the PG that paused the event loop for 10-29 ms in the middle of a burst, and calls
 * arriving then were stamped that late (the referee saw 11 in a sliding second that the workers
 * had sent 1 s + margin apart). The PG's heap is small, so it does without the reducer.
 *
 * On a machine whose cores are all busy (a bench wave beside other work, load 7-16 on two cores)
 * the PG's event loop also waited for a core: a call sent 1,022 ms after another was stamped
 * 19-25 ms late against it, 11 in the PG's sliding second (docs/pgs.md, "pg-alt's limit after its
 * outage"). A real PG stamps on a machine of its own; here its event loop gets a higher priority
 * (nice -10) so its stamp is the arrival, not the wait for a core. Without the right to raise it
 * (not root, no CAP_SYS_NICE) the PG runs as before.
 */
export function spawnFakePg(env: NodeJS.ProcessEnv, onLine?: (line: string) => void): ManagedProcess {
  const pg = spawnTs('fake-pg', 'src/fake-pg/main.ts', { env, onLine, nodeArgs: ['--no-memory-reducer'] });
  try {
    if (pg.child.pid !== undefined) setPriority(pg.child.pid, REFEREE_PRIORITY);
  } catch {
    // Not allowed to raise it: the stamps are as late as the machine makes them.
  }
  return pg;
}

export async function startFakePg(env: NodeJS.ProcessEnv = {}): Promise<FakePgHandle> {
  const port = await freePort();
  const process = spawnFakePg({ PG_PORT: String(port), LOG_LEVEL: 'info', ...env });
  await process.waitForLine(/fake PG listening/);
  const url = `http://127.0.0.1:${port}`;
  return { url, client: new FakePgClient(url), process };
}
