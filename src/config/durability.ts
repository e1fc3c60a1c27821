/**
 * Durability classes: what each store promises once it has acknowledged a write. A `202 Accepted`
 * for a payment is a promise, so every engine runs at a class a payment system would accept:
 * nothing acknowledged is lost when a process is killed, and the store stays consistent on a
 * power loss (at most the last moment of writes lost). docs/benchmark.md compares the classes.
 *
 * `TEMPORAL_SQLITE_SYNCHRONOUS` picks the dev server's SQLite `synchronous` pragma (in WAL mode):
 * - `NORMAL` (default): WAL synced at checkpoints; a power loss may drop the last commits, never
 *   corrupt the file. The same trade-off as Redis's `appendfsync everysec`.
 * - `FULL`: every commit synced; nothing acknowledged is lost even on a power loss.
 * - `OFF`: no sync at all; a power loss may lose or corrupt committed writes. Faster, kept only
 *   as a named switch, and a benchmark run made with it is marked.
 */
import { z } from 'zod';

export const SQLITE_SYNCHRONOUS = ['NORMAL', 'FULL', 'OFF'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number];

/** The setting's schema, for the config module of each process that starts a dev server. */
export const sqliteSynchronousSetting = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(SQLITE_SYNCHRONOUS, { error: () => `must be one of ${SQLITE_SYNCHRONOUS.join(', ')}` }))
  .default('NORMAL');

/** The class a payment system would accept; below it, a run is marked. */
export const isBelowPaymentClass = (synchronous: SqliteSynchronous): boolean => synchronous === 'OFF';

export function sqliteDurability(synchronous: SqliteSynchronous): string {
  const what: Record<SqliteSynchronous, string> = {
    NORMAL:
      'WAL synced at checkpoints: survives a process kill; a power loss may drop the last commits, stays consistent',
    FULL: 'every commit synced: survives a process kill and a power loss',
    OFF: 'never synced: survives a process kill; a power loss may lose or corrupt committed writes (below a payment class)',
  };
  return `SQLite journal_mode=WAL, synchronous=${synchronous} (${what[synchronous]})`;
}

export const REDIS_DURABILITY =
  'Redis appendonly yes, appendfsync everysec (AOF written before each reply, fsync once a second): survives a process kill; a power loss may drop the last second';

/** PostgreSQL's default `synchronous_commit=on`: the WAL is flushed before a commit is acknowledged. */
export const postgresDurability = (synchronousCommit = 'on'): string =>
  `PostgreSQL synchronous_commit=${synchronousCommit}${synchronousCommit === 'on' ? ' (WAL flushed before each commit is acknowledged: survives a process kill and a power loss)' : ''}`;
