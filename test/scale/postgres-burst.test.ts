import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/infra/paths';
import { freePort } from '../../src/infra/ports';
import type { RunningDevServer } from '../../src/infra/temporal-dev-server';
import { dropPostgresDatabases, startPostgresServer } from '../../src/infra/temporal-postgres';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { paymentBodies } from '../../src/load/payments-client';

/** A fresh pair of databases per run, dropped afterwards: the user's `temporal` stays untouched. */
const database = `temporal_test_${randomUUID().slice(0, 8)}`;
const databases = [database, `${database}_visibility`];

describe('the burst of 100 on the Temporal server on PostgreSQL (TEMPORAL_PERSISTENCE=postgres)', () => {
  let server: RunningDevServer | undefined;
  let stack: TemporalStack | undefined;

  beforeAll(async () => {
    // Builds the server when missing (the Go build: minutes on a cold cache) and starts PostgreSQL when down.
    execFileSync('bash', ['scripts/setup-postgres-server.sh'], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      timeout: 40 * 60_000,
    });
    server = await startPostgresServer({ port: await freePort(), database, visibilityDatabase: databases[1] });
    stack = await startTemporalStack({ temporal: server, pgEnv: { PG_LATENCY_MS: '100-300' } });
  }, 45 * 60_000);
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    if (server) await dropPostgresDatabases(databases);
  }, 60_000);

  test('when 100 payments arrive at once then all are accepted, all succeed, and the PG limits hold', async () => {
    const posted = await stack!.api.burst(paymentBodies(100, `pg-burst-${Date.now()}`));
    expect(posted.map((p) => p.status)).toEqual(Array(100).fill(202));
    const ids = posted.map((p) => p.requestId!);
    expect(new Set(ids).size).toBe(100);

    const final = await stack!.api.waitForFinal(ids, { timeoutMs: 90_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(100).fill('SUCCESS'));

    const pg = await stack!.pg.client.stats();
    expect(pg.charges).toBe(100);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.rejected429).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
    expect(pg.maxPerSecond).toBeLessThanOrEqual(10);
  });
});
