/**
 * Starts the Temporal server on PostgreSQL (tools/temporal-server, built into
 * .tools/bin/temporal-pg-server by scripts/setup-postgres-server.sh) for `TEMPORAL_PERSISTENCE=postgres`
 * and for the tests that run on it. Same shape as startDevServer, so the API, the workers and the
 * launchers take either.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { TOOLS_BIN } from './paths';
import { type RunningDevServer, runTemporalServer, timerShiftFlag } from './temporal-dev-server';

export const POSTGRES_SERVER_BIN = path.join(TOOLS_BIN, 'temporal-pg-server');

/**
 * The native server's PostgreSQL settings; temporal-docker-compose.yml uses the same (a test
 * checks). History shards are fixed for the life of a database, 4 as in auto-setup.
 */
export const POSTGRES_DEFAULTS = {
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'temporal',
  visibilityDatabase: 'temporal_visibility',
  historyShards: 4,
  partitions: 1,
} as const;

export interface PostgresServerOptions {
  port: number;
  /** Web UI port; undefined runs without it. */
  uiPort?: number;
  pg?: { host?: string; port?: number; user?: string };
  /** Databases of the default and visibility stores; created and migrated when missing. */
  database?: string;
  visibilityDatabase?: string;
  /** Task-queue partitions; 1 keeps the server's rate limiter in one bucket (docs/design.md §2). */
  partitions?: number;
  ip?: string;
  onLine?: (line: string) => void;
}

export function postgresServerArgs(options: PostgresServerOptions): string[] {
  const d = POSTGRES_DEFAULTS;
  const partitions = options.partitions ?? d.partitions;
  return [
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort ?? 0),
    '--pg-host',
    options.pg?.host ?? d.host,
    '--pg-port',
    String(options.pg?.port ?? d.port),
    '--pg-user',
    options.pg?.user ?? d.user,
    '--db',
    options.database ?? d.database,
    '--visibility-db',
    options.visibilityDatabase ?? d.visibilityDatabase,
    '--history-shards',
    String(d.historyShards),
    '--log-level',
    'warn',
    '--dynamic-config-value',
    `matching.numTaskqueueReadPartitions=${partitions}`,
    '--dynamic-config-value',
    `matching.numTaskqueueWritePartitions=${partitions}`,
    '--dynamic-config-value',
    timerShiftFlag,
  ];
}

export async function startPostgresServer(options: PostgresServerOptions): Promise<RunningDevServer> {
  if (!existsSync(POSTGRES_SERVER_BIN)) {
    throw new Error(
      `${POSTGRES_SERVER_BIN} is missing: run scripts/setup-postgres-server.sh (it builds the Temporal server with Go)`,
    );
  }
  return runTemporalServer(POSTGRES_SERVER_BIN, postgresServerArgs(options), {
    ...options,
    readyTimeoutMs: 60_000,
    // Schema creation on a fresh database takes a while on a busy machine.
    beforeReady: (child) => child.waitForLine(/listening on/, 180_000),
  });
}

/** Drops databases a test or a measurement created, with the server's own SQL tool. */
export async function dropPostgresDatabases(names: string[], pg: PostgresServerOptions['pg'] = {}): Promise<void> {
  for (const name of names) {
    const d = POSTGRES_DEFAULTS;
    const args = [
      'sql-tool',
      '--plugin',
      'postgres12',
      '--ep',
      pg.host ?? d.host,
      '-p',
      String(pg.port ?? d.port),
      '-u',
      pg.user ?? d.user,
      '--db',
      name,
      'drop-database',
      '-f',
      '--defaultdb',
      'postgres',
    ];
    await promisify(execFile)(POSTGRES_SERVER_BIN, args, { timeout: 30_000 });
  }
}
