/**
 * Measures how the admission step's margin learns (docs/admission.md, "How the margin learns"):
 * one burst straight at a fake PG through the admission step, no engine in between, with or
 * without network jitter in front of the PG. Not a test: figures on a shared 2-core machine are
 * noisy. Run with tsx, one at a time:
 *   npx tsx scripts/measure-margin.ts [--requests 500] [--jitter 0-30] [--latency 100-300]
 *     [--admission local|redis] [--workers 2] [--margin 15] [--arrivals 1000] [--fixed]
 * --arrivals spreads the calls' arrival over that many ms (0: all queued at once); --fixed keeps
 * the margin where it starts (no learning), for comparison.
 * Prints one JSON line: the PG's 429s and when each came (ms into the burst, the PG's clock), the
 * margin at the end, the makespan, the ideal one and utilisation = ideal / actual.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { idealMakespanMs, meanLatencyMs, utilisation } from '../compare/bench/figures';
import { startRedis } from '../src/infra/redis-server';
import { startFakePg } from '../src/launch/fake-pg';
import { burstThroughAdmission } from '../src/load/pg-burst';
import { LocalPgAdmission, type PgAdmission } from '../src/pg-client/admission';
import { RedisPgAdmission } from '../src/pg-client/redis-admission';

const text = (fallback: string) => ({ type: 'string', default: fallback }) as const;
const { values: a } = parseArgs({
  options: {
    requests: text('500'),
    jitter: text('0'),
    latency: text('100-300'),
    admission: text('local'),
    workers: text('1'),
    margin: text('15'),
    arrivals: text('0'),
    fixed: { type: 'boolean', default: false },
  },
});

async function main() {
  const marginMs = Number(a.margin);
  const limits = { concurrency: 10, ratePerSecond: 10, marginMs, learning: a.fixed ? { capMs: marginMs } : undefined };
  const count = Number(a.requests);
  const workers = Number(a.workers);
  const pg = await startFakePg({ PG_ARRIVAL_JITTER_MS: a.jitter, PG_LATENCY_MS: a.latency });
  const redis = a.admission === 'redis' ? await startRedis() : undefined;
  const prefix = `pg:permits:${randomUUID().slice(0, 8)}:`;
  const admissions: PgAdmission[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      if (!redis) admissions.push(new LocalPgAdmission(limits));
      else {
        const admission = new RedisPgAdmission({ ...limits, url: redis.url, prefix, leaseMs: 5000 });
        await admission.ready();
        admissions.push(admission);
      }
    }
    // A new local step starts with a full window; let it pass so the burst starts at once.
    await new Promise((r) => setTimeout(r, 1100));
    await pg.client.reset();
    const result = await burstThroughAdmission({
      pgUrl: pg.url,
      admissions,
      count,
      tag: `margin-${Date.now()}`,
      arrivalsMs: Number(a.arrivals),
    });
    const [stats, timeline] = await Promise.all([pg.client.stats(), pg.client.timeline()]);
    const makespanMs = Math.round(Math.max(...timeline.completions));
    const idealMs = idealMakespanMs(count, limits, meanLatencyMs(a.latency));
    console.log(
      JSON.stringify({
        admission: a.admission,
        workers,
        requests: count,
        jitter: a.jitter,
        arrivalsMs: Number(a.arrivals),
        learning: !a.fixed,
        approved: result.outcomes.filter((o) => o.kind === 'approved').length,
        refused429: stats.rejected429,
        rejectedBy: stats.rejectedBy,
        refusedAtMs: timeline.rejections.map(Math.round),
        settledMarginMs: admissions.map((g) => Math.round((g.usage().marginMs ?? NaN) * 10) / 10),
        makespanMs,
        idealMs,
        utilisation: utilisation(idealMs, makespanMs),
        maxInFlight: stats.maxInFlight,
        maxPerSecond: stats.maxPerSecond,
        duplicateCharges: stats.duplicateCharges,
      }),
    );
  } finally {
    for (const admission of admissions) if (admission instanceof RedisPgAdmission) await admission.close();
    await pg.process.stop();
    await redis?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
