/**
 * Measures one burst against a Temporal stack with N workers and a chosen PG admission step, for
 * docs/scale-out.md (not a test: numbers on a shared 2-core machine are noisy). Run with tsx:
 *   npx tsx test/scale/measure.ts --workers 3 --admission redis --requests 200 [--persistence postgres]
 *     [--latency 100-300] [--rate 10] [--concurrency 10] [--kill]
 * Prints one JSON line: makespan, ideal makespan, utilisation (ideal / actual) and the PG's score.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { startTemporalStack } from '../../src/launch/temporal-stack';
import { startRedis } from '../../src/infra/redis-server';
import { freePort } from '../../src/infra/ports';
import { dropPostgresDatabases, startPostgresServer } from '../../src/infra/temporal-postgres';
import { paymentBodies } from '../../src/load/payments-client';

const { values: a } = parseArgs({
  options: {
    workers: { type: 'string', default: '1' },
    admission: { type: 'string', default: 'local' },
    requests: { type: 'string', default: '200' },
    persistence: { type: 'string', default: 'sqlite' },
    latency: { type: 'string', default: '100-300' },
    rate: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '10' },
    kill: { type: 'boolean', default: false },
  },
});

async function main() {
  const workers = Number(a.workers);
  const n = Number(a.requests);
  const [lo, hi = lo] = a.latency.split('-').map(Number) as [number, number?];
  const meanLatency = (lo + hi) / 2;
  const limits = { concurrency: Number(a.concurrency), rate: Number(a.rate) };
  const redis = await startRedis();
  const db = `temporal_measure_${randomUUID().slice(0, 8)}`;
  const temporal =
    a.persistence === 'postgres'
      ? await startPostgresServer({ port: await freePort(), database: db, visibilityDatabase: `${db}_visibility` })
      : undefined;
  const prefix = `pg:permits:${randomUUID().slice(0, 8)}:`;
  const stack = await startTemporalStack({
    temporal,
    redis, // the payment store and the shared admission step on one Redis
    pgEnv: {
      PG_LATENCY_MS: a.latency,
      PG_MAX_CONCURRENCY: String(limits.concurrency),
      PG_RATE_LIMIT: String(limits.rate),
    },
    workerEnv: {
      PG_ADMISSION: a.admission,
      PG_ADMISSION_PREFIX: prefix,
      WORKER_COUNT: String(workers),
      PG_MAX_CONCURRENCY: String(limits.concurrency),
      PG_RATE_LIMIT: String(limits.rate),
      TASK_QUEUE_ACTIVITIES_PER_SECOND: String(Math.max(limits.rate, 1000)),
    },
    // The starter paces by the PG's limits: the API knows them as the workers do.
    apiEnv: { PG_MAX_CONCURRENCY: String(limits.concurrency), PG_RATE_LIMIT: String(limits.rate) },
    workers: 0,
  });
  try {
    for (let i = 0; i < workers; i++) await stack.startWorker({ WORKER_INDEX: String(i) });
    await stack.pg.client.reset();
    const t0 = Date.now();
    const posted = await stack.api.burst(paymentBodies(n, `measure-${Date.now()}`));
    const ids = posted.map((p) => p.requestId!).filter(Boolean);
    let recovery: number | undefined;
    if (a.kill) recovery = await killOneAndTimeRecovery(stack, redis.url, prefix, limits.concurrency);
    const final = await stack.api.waitForFinal(ids, { timeoutMs: 600_000, intervalMs: 200 });
    const timeline = await stack.pg.client.timeline();
    const stats = await stack.pg.client.stats();
    const lastDone = timeline.startedAtEpochMs + Math.max(...timeline.completions);
    const makespanMs = lastDone - t0;
    const idealMs = Math.max(
      (Math.ceil(n / limits.rate) - 1) * 1000 + meanLatency,
      Math.ceil(n / limits.concurrency) * meanLatency,
    );
    // Mean calls open at the PG over its busy span: the integral of in-flight is Σ completions − Σ admitted arrivals.
    const sum = (xs: number[]) => xs.reduce((acc, x) => acc + x, 0);
    const busySpan = Math.max(...timeline.completions) - Math.min(...timeline.arrivals);
    const meanInFlight = (sum(timeline.completions) - sum(timeline.arrivals) + sum(timeline.rejections)) / busySpan;
    const succeeded = ids.filter((id) => final.get(id)?.status === 'SUCCESS').length;
    console.log(
      JSON.stringify({
        workers,
        admission: a.admission,
        persistence: a.persistence,
        requests: n,
        latency: a.latency,
        limits,
        succeeded,
        makespanMs,
        idealMs,
        utilisation: Math.round((idealMs / makespanMs) * 1000) / 1000,
        meanInFlight: Math.round(meanInFlight * 100) / 100,
        recoveryMs: recovery,
        pg: {
          maxInFlight: stats.maxInFlight,
          maxPerSecond: stats.maxPerSecond,
          rejected429: stats.rejected429,
          duplicateCharges: stats.duplicateCharges,
          replays: stats.replays,
        },
      }),
    );
  } finally {
    await stack.stop();
    await temporal?.stop();
    if (temporal) await dropPostgresDatabases([db, `${db}_visibility`]);
    await redis.stop();
  }
}

/** SIGKILLs the worker holding the most leases; ms until the PG is at the limit again. */
async function killOneAndTimeRecovery(
  stack: Awaited<ReturnType<typeof startTemporalStack>>,
  url: string,
  prefix: string,
  limit: number,
): Promise<number | undefined> {
  const raw = new Redis(url);
  try {
    for (let i = 0; i < 400; i++) {
      const ids = await raw.zrange(`${prefix}leases`, 0, -1);
      const byPid = new Map<string, number>();
      for (const id of ids) byPid.set(id.split(':')[0]!, (byPid.get(id.split(':')[0]!) ?? 0) + 1);
      const [pid, held] = [...byPid].sort((x, y) => y[1] - x[1])[0] ?? ['', 0];
      if (held >= 3 && (await stack.pg.client.stats()).charges >= 30) {
        process.kill(Number(pid), 'SIGKILL');
        const killedAt = Date.now();
        while (Date.now() - killedAt < 20_000) {
          const dead = (await raw.zrange(`${prefix}leases`, 0, -1)).filter((id) => id.startsWith(`${pid}:`)).length;
          if (Date.now() - killedAt > 500 && dead === 0 && (await stack.pg.client.stats()).inFlight === limit)
            return Date.now() - killedAt;
          await new Promise((r) => setTimeout(r, 20));
        }
        return undefined;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return undefined;
  } finally {
    raw.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
