/**
 * Starts the Temporal CLI's dev server (SQLite, Web UI) for `npm start`, the tests and the
 * benchmark, with one set of flags, so all three measure the same server.
 */
import { Connection } from '@temporalio/client';
import type { SqliteSynchronous } from '../config/durability';
import { type ManagedProcess, spawnManaged } from './child-process';
import { toolPath } from './paths';
import { registerSearchAttributes, searchAttributeFlags } from './temporal-search-attributes';

export interface DevServerOptions {
  port: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  /** The server's own Prometheus `/metrics` port (its RPCs and persistence calls); off unless given. */
  metricsPort?: number;
  /** SQLite file; undefined keeps everything in memory. */
  dbFile?: string;
  /** Task-queue partitions; 1 keeps the server's rate limiter in one bucket (docs/design.md §2). */
  partitions?: number;
  /** SQLite's `synchronous` pragma in WAL mode (src/config/durability.ts); NORMAL unless told. */
  synchronous?: SqliteSynchronous;
  /**
   * Task-queue fairness (on unless false): a PG lane's backlog is dispatched round-robin across
   * fairness keys (the merchants) by weight instead of first in, first out. Set at start only:
   * switching it later moves the backlog to another table.
   */
  fairness?: boolean;
  ip?: string;
  onLine?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * How close to its due time the history service fires a timer. By default a timer due within a
 * second of its queue's last read is pushed to that second's end (`timerProcessorMaxTimeShift`,
 * 1 s, a margin for clocks that disagree across hosts): the charge activity's 500 ms retry backoff
 * came back 0.9-1.2 s after the failed call instead of 0.7 s (docs/benchmark.md, "The retry
 * path"). One server, one clock: 50 ms. Every server of ours runs with it; temporal-docker-compose.yml
 * too (a test checks).
 */
export const TIMER_SHIFT = { key: 'history.timerProcessorMaxTimeShift', value: '50ms' } as const;
export const timerShiftFlag = `${TIMER_SHIFT.key}=${JSON.stringify(TIMER_SHIFT.value)}`;

export function devServerArgs(options: DevServerOptions): string[] {
  const partitions = options.partitions ?? 1;
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--log-level',
    'warn',
    // WAL; NORMAL syncs at checkpoints, so a power loss drops at most the last commits and never
    // corrupts the file (src/config/durability.ts). OFF only when asked for by name.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    `synchronous=${options.synchronous ?? 'NORMAL'}`,
    '--dynamic-config-value',
    `matching.numTaskqueueReadPartitions=${partitions}`,
    '--dynamic-config-value',
    `matching.numTaskqueueWritePartitions=${partitions}`,
    ...searchAttributeFlags(),
    // The dev server turns the search-attribute cache off unless this key is given, and then reads
    // the cluster metadata on every use of a search attribute: about 10 reads per payment (a start
    // and an upsert with search attributes, their visibility tasks). The server's own default keeps
    // the cache; the payment's attributes are in place before the first payment (the flags above,
    // or registerSearchAttributes before the server is reported up).
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=false',
    '--dynamic-config-value',
    timerShiftFlag,
    ...(options.fairness === false ? [] : ['--dynamic-config-value', 'matching.enableFairness=true']),
  ];
}

/** Waits until the frontend answers a call, not just until the port opens. */
export async function waitForTemporal(address: string, timeoutMs = 60_000, exited?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited?.then(() => (gone = true));
  let lastError: unknown;
  while (Date.now() < deadline && !gone) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
        // The default namespace is registered just after the frontend starts.
        await connection.withDeadline(Date.now() + 2000, () =>
          connection.workflowService.describeNamespace({ namespace: 'default' }),
        );
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not come up: ${gone ? 'the process exited' : String(lastError)}`);
}

/**
 * Runs a Temporal server binary and resolves once its frontend answers; shared by the dev server
 * (SQLite) and the server on PostgreSQL.
 */
export async function runTemporalServer(
  binary: string,
  args: string[],
  options: {
    ip?: string;
    port: number;
    uiPort?: number;
    onLine?: (line: string) => void;
    readyTimeoutMs?: number;
    beforeReady?: (child: ManagedProcess) => Promise<unknown>;
  },
): Promise<RunningDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const child = spawnManaged('temporal', binary, args, { onLine: options.onLine });
  const address = `${ip}:${options.port}`;
  try {
    await options.beforeReady?.(child);
    await waitForTemporal(address, options.readyTimeoutMs ?? 90_000, child.exited);
    await registerSearchAttributes(address);
  } catch (err) {
    await child.stop(5000);
    throw err;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://${ip}:${options.uiPort}` : undefined,
    process: child,
    stop: () => child.stop(15_000),
  };
}

export function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  return runTemporalServer(toolPath('temporal'), devServerArgs(options), options);
}
