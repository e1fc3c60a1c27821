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
 */
export function spawnFakePg(env: NodeJS.ProcessEnv, onLine?: (line: string) => void): ManagedProcess {
  return spawnTs('fake-pg', 'src/fake-pg/main.ts', { env, onLine, nodeArgs: ['--no-memory-reducer'] });
}

export async function startFakePg(env: NodeJS.ProcessEnv = {}): Promise<FakePgHandle> {
  const port = await freePort();
  const process = spawnFakePg({ PG_PORT: String(port), LOG_LEVEL: 'info', ...env });
  await process.waitForLine(/fake PG listening/);
  const url = `http://127.0.0.1:${port}`;
  return { url, client: new FakePgClient(url), process };
}
