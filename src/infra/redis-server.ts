/**
 * Starts a private redis-server on a free loopback port (tests, benchmark), with the persistence
 * settings the caller chooses, and stops it afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ManagedProcess, spawnManaged } from './child-process';
import { freePort } from './ports';

export interface RunningRedis {
  url: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * The durability every Redis that holds payments runs at: each write in the append-only file
 * before its reply (a killed process loses nothing acknowledged), fsynced once a second.
 */
export const DURABLE_REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec'];

export interface RedisOptions {
  port?: number;
  /** Data directory; a fresh temp dir when absent (removed on stop). Reuse one to restart with the same data. */
  dir?: string;
  /** Extra redis-server arguments, e.g. ['--appendonly', 'yes', '--appendfsync', 'always']. */
  args?: string[];
}

export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const port = options.port ?? (await freePort());
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(options.args ?? []),
  ];
  const proc = spawnManaged('redis', 'redis-server', args);
  try {
    await proc.waitForLine(/Ready to accept connections/, 20_000);
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: proc,
    stop: async () => {
      await proc.stop(5000);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
