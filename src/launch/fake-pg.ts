/** Starts the fake PG as its own process on a free port, with its score client. */
import { type ManagedProcess, spawnTs } from '../infra/child-process';
import { freePort } from '../infra/ports';
import { FakePgClient } from '../load/fake-pg-client';

export interface FakePgHandle {
  url: string;
  client: FakePgClient;
  process: ManagedProcess;
}

export async function startFakePg(env: NodeJS.ProcessEnv = {}): Promise<FakePgHandle> {
  const port = await freePort();
  const process = spawnTs('fake-pg', 'src/fake-pg/main.ts', { env: { PG_PORT: String(port), LOG_LEVEL: 'info', ...env } });
  await process.waitForLine(/fake PG listening/);
  const url = `http://127.0.0.1:${port}`;
  return { url, client: new FakePgClient(url), process };
}
