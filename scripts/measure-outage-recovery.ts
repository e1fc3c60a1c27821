/**
 * Loops a PG's outage and its recovery on the Temporal engine (docs/pgs.md, "pg-alt's limit after
 * its outage"): each round the PG answers 503 for --outage s from the moment --payments payments
 * are accepted, then charges them all. After each round it prints the PG's score and, when a
 * sliding second held more calls than the rate, every call in that second: its arrival, key, which
 * call of its key it was, and whether it was refused. Not a test: one run at a time, under the lock.
 *   npx tsx scripts/measure-outage-recovery.ts [--rounds 10] [--payments 100] [--outage 5] [--busy 0]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyedArrival } from '../src/fake-pg/scoreboard';
import { PaymentStore } from '../src/intake/payment-store';
import { startFakePg } from '../src/launch/fake-pg';
import { type CpuBurner, startCpuBurner } from '../src/load/cpu-burner';
import { startTemporalStack } from '../src/launch/temporal-stack';
import { acceptDirect, waitForStored } from '../src/load/direct-intake';

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    payments: { type: 'string', default: '100' },
    outage: { type: 'string', default: '5' },
    latency: { type: 'string', default: '100-300' },
    busy: { type: 'string', default: '0' },
  },
});
const LIMITS = { concurrency: 10, ratePerSecond: 10 };

/** Every arrival with its key and its place among its key's calls, in arrival order. */
function arrivalsOf(callsByKey: Record<string, KeyedArrival[]>) {
  return Object.entries(callsByKey)
    .flatMap(([key, calls]) => calls.map((c, i) => ({ ...c, key, nth: i + 1 })))
    .sort((x, y) => x.at - y.at);
}

/**
 * The worker's own send times by key, when its PG_SENT_LOG file is given (one line per call:
 * request id, attempt, epoch ms of the send): set it in this script's environment, the worker inherits it.
 */
function sendsOf(file: string | undefined): Map<string, Array<{ attempt: number; epochMs: number }>> {
  const sends = new Map<string, Array<{ attempt: number; epochMs: number }>>();
  if (!file || !existsSync(file)) return sends;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [key, attempt, epochMs] = line.split(' ');
    if (!key || !attempt || !epochMs) continue;
    sends.set(key, [...(sends.get(key) ?? []), { attempt: Number(attempt), epochMs: Number(epochMs) }]);
  }
  return sends;
}

/** The arrivals of the fullest sliding second (t - 1000, t]. */
function fullestSecond(arrivals: ReturnType<typeof arrivalsOf>) {
  let best = { count: 0, from: 0, to: 0 };
  for (let j = 0, i = 0; j < arrivals.length; j++) {
    while (arrivals[i]!.at <= arrivals[j]!.at - 1000) i++;
    if (j - i + 1 > best.count) best = { count: j - i + 1, from: i, to: j };
  }
  return arrivals.slice(best.from, best.to + 1);
}

async function main(): Promise<void> {
  const pg = await startFakePg({
    PG_MAX_CONCURRENCY: String(LIMITS.concurrency),
    PG_RATE_LIMIT: String(LIMITS.ratePerSecond),
    PG_LATENCY_MS: a.latency,
  });
  const stack = await startTemporalStack({ pg });
  const store = PaymentStore.connect(stack.redisUrl, 'payments:');
  const burners: CpuBurner[] = [];
  let over = 0;
  try {
    // A machine as loaded as in the bench's wave: --busy cores kept busy.
    for (let i = 0; i < Number(a.busy); i++) burners.push(await startCpuBurner());
    for (let round = 1; round <= Number(a.rounds); round++) {
      await pg.client.reset();
      await pg.client.outage(Number(a.outage));
      const t0 = Date.now();
      const ids = await acceptDirect(store, { merchantId: 'shop-alt' }, Number(a.payments), 16);
      const records = await waitForStored(store, ids, 300_000);
      const stats = await pg.client.stats();
      const ok = [...records.values()].filter((r) => r.view.status === 'SUCCESS').length;
      console.log(
        JSON.stringify({
          round,
          succeeded: ok,
          seconds: (Date.now() - t0) / 1000,
          requests: stats.requests,
          outage503: stats.outage503,
          maxInFlight: stats.maxInFlight,
          maxPerSecond: stats.maxPerSecond,
          rejected429: stats.rejected429,
        }),
      );
      if (stats.maxPerSecond > LIMITS.ratePerSecond || stats.rejected429 > 0) {
        over++;
        const timeline = await pg.client.timeline();
        const second = fullestSecond(arrivalsOf(timeline.callsByKey));
        const origin = second[0]!.at;
        const sends = sendsOf(process.env.PG_SENT_LOG);
        for (const c of second) {
          const sent = sends.get(c.key)?.[c.nth - 1];
          const pgEpoch = timeline.startedAtEpochMs + c.at;
          const worker = sent
            ? `  worker sent at +${(sent.epochMs - (timeline.startedAtEpochMs + origin)).toFixed(1)}, attempt ${sent.attempt}, stamped ${(pgEpoch - sent.epochMs).toFixed(1)} ms after`
            : '';
          console.log(
            `  +${(c.at - origin).toFixed(1).padStart(7)} ms  ${c.key.slice(-12)}  call ${c.nth}${c.refused ? `  429 ${c.refused}` : ''}${worker}`,
          );
        }
      }
      // Let the margin's and the server's state settle between rounds as between bench runs.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    console.log(JSON.stringify({ rounds: Number(a.rounds), overTheLimit: over }));
  } finally {
    for (const burner of burners) await burner.stop();
    await store.close();
    await stack.stop();
    await pg.process.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
