/**
 * The private Redis each run gets. It runs with `--appendonly yes --appendfsync everysec`: Redis's
 * own recommended durability trade-off (REDIS_DURABILITY in src/config/durability.ts). Every write reaches the kernel before the client hears OK,
 * so a killed redis-server process loses nothing acknowledged (only a machine crash could lose up to
 * a second). `restart()` kills it with SIGKILL and starts it again on the same port and data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';
import { killTree } from './kill-tree';

export const REDIS_PERSISTENCE_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec'];

export interface BenchRedis {
  url: string;
  /** The running redis-server's pid (a restart changes it). */
  pid(): number | undefined;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-redis-'));
  let current: RunningRedis = await startRedis({ dir, args: REDIS_PERSISTENCE_ARGS });
  const port = current.port;
  return {
    url: current.url,
    pid: () => current.process.child.pid,
    async restart() {
      await killTree(current.process);
      current = await startRedis({ dir, port, args: REDIS_PERSISTENCE_ARGS });
    },
    async stop() {
      await current.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
