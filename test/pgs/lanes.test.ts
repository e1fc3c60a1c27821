import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PaymentStore } from '../../src/intake/payment-store';
import { acceptDirect, waitForStored } from '../../src/load/direct-intake';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { parsePrometheusText } from '../observability/support';

/**
 * Two PGs with different limits, each with its own lane, on real servers: every payment is
 * charged by its own PG within that PG's limits; a merchant's backlog does not put another
 * merchant's payment behind all of it; and one PG's outage leaves the other's payments alone.
 * Payments are accepted straight into the payment store, as the API does, with their merchant and
 * PG set (the API sets them from the caller's merchant).
 */
const LIMITS = {
  'pg-main': { concurrency: 4, ratePerSecond: 5 },
  'pg-alt': { concurrency: 2, ratePerSecond: 3 },
} as const;
type PgName = keyof typeof LIMITS;

describe('several PGs, one lane each', () => {
  let stack: TemporalStack;
  let store: PaymentStore;
  const pgs = {} as Record<PgName, FakePgHandle>;
  const dir = mkdtempSync(path.join(tmpdir(), 'pgs-'));

  beforeAll(async () => {
    try {
      for (const [name, limits] of Object.entries(LIMITS) as Array<[PgName, (typeof LIMITS)[PgName]]>)
        pgs[name] = await startFakePg({
          PG_MAX_CONCURRENCY: String(limits.concurrency),
          PG_RATE_LIMIT: String(limits.ratePerSecond),
          PG_LATENCY_MS: '50-150',
        });
      const pgsFile = path.join(dir, 'pgs.json');
      writeFileSync(
        pgsFile,
        JSON.stringify(
          Object.entries(LIMITS).map(([name, limits]) => ({ name, url: pgs[name as PgName].url, ...limits })),
        ),
      );
      // A small window per PG: the starter's turns between merchants decide the order, and one
      // PG's window full of payments waiting for it must not hold back the other's.
      stack = await startTemporalStack({
        pg: pgs['pg-main'],
        // This suite is about lanes: each PG held to its own limits, not to the other's. The gate's
        // edge (the default margin of 15 ms against the fake PG's own lateness) has its tests in
        // test/pg-client; on a loaded CI machine the fake PG stamped a call late here once, and a
        // lane at the edge then took a 429 that says nothing about routing.
        workerEnv: { PGS_FILE: pgsFile, PG_RATE_MARGIN_MS: '60' },
        apiEnv: { PGS_FILE: pgsFile, STARTER_WINDOW: '6' },
      });
      store = PaymentStore.connect(stack.redisUrl, 'payments:');
    } catch (err) {
      await Promise.allSettled(Object.values(pgs).map((pg) => pg.process.stop()));
      throw err;
    }
  });
  afterAll(async () => {
    await store?.close();
    await stack?.stop();
    await Promise.allSettled(Object.values(pgs).map((pg) => pg.process.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const pg of Object.values(pgs)) await pg.client.reset();
  });

  const accept = (count: number, merchantId: string, pg: PgName) => acceptDirect(store, { merchantId, pg }, count);
  const waitForFinal = (ids: string[]) => waitForStored(store, ids);

  async function expectHeldToItsLimits(name: PgName, charges: number): Promise<void> {
    const stats = await pgs[name].client.stats();
    expect({
      pg: name,
      charges: stats.charges,
      duplicates: stats.duplicateCharges,
      rejected429: stats.rejected429,
    }).toEqual({ pg: name, charges, duplicates: 0, rejected429: 0 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(LIMITS[name].concurrency);
    expect(stats.maxPerSecond).toBeLessThanOrEqual(LIMITS[name].ratePerSecond);
  }

  test('when both PGs get payments at once then each PG charges its own, once each, within its own limits', async () => {
    const main = await accept(30, 'shop-a', 'pg-main');
    const alt = await accept(15, 'shop-b', 'pg-alt');
    const final = await waitForFinal([...main, ...alt]);
    expect([...final.values()].map((r) => r.view.status)).toEqual([...main, ...alt].map(() => 'SUCCESS'));
    await expectHeldToItsLimits('pg-main', 30);
    await expectHeldToItsLimits('pg-alt', 15);
    // Each PG was kept busy up to its own limit, not the other's.
    expect((await pgs['pg-main'].client.stats()).maxPerSecond).toBeGreaterThan(LIMITS['pg-alt'].ratePerSecond);
    // /metrics counts them per PG and per merchant, beside each PG's limits (the first test: the
    // counters start here).
    const metrics = parsePrometheusText(await (await fetch(`${stack.apiUrl}/metrics`)).text());
    expect({
      mainApproved: metrics.get('payment_pg_calls_total{pg="pg-main",outcome="approved"}'),
      altApproved: metrics.get('payment_pg_calls_total{pg="pg-alt",outcome="approved"}'),
      altRefused: metrics.get('payment_pg_calls_total{pg="pg-alt",outcome="rate_limited"}'),
      shopAWaits: metrics.get('payment_merchant_queue_wait_seconds_count{pg="pg-main",merchant="shop-a"}'),
      shopBWaits: metrics.get('payment_merchant_queue_wait_seconds_count{pg="pg-alt",merchant="shop-b"}'),
      altInFlight: metrics.get('payment_pg_calls_in_flight{pg="pg-alt"}'),
      altConcurrency: metrics.get('payment_pg_limit{pg="pg-alt",limit="concurrency"}'),
      altRate: metrics.get('payment_pg_limit{pg="pg-alt",limit="rate_per_second"}'),
    }).toEqual({
      mainApproved: 30,
      altApproved: 15,
      altRefused: 0,
      shopAWaits: 30,
      shopBWaits: 15,
      altInFlight: 0,
      altConcurrency: LIMITS['pg-alt'].concurrency,
      altRate: LIMITS['pg-alt'].ratePerSecond,
    });
  });

  test("when merchant A's backlog is waiting then merchant B's payments are charged before most of A's", async () => {
    const a = await accept(40, 'flash-sale', 'pg-main');
    const b = await accept(3, 'corner-shop', 'pg-main');
    const final = await waitForFinal([...a, ...b]);
    expect([...final.values()].map((r) => r.view.status)).toEqual([...a, ...b].map(() => 'SUCCESS'));
    const startedAt = (id: string) => Date.parse(final.get(id)!.view.startedAt!);
    const lastOfB = Math.max(...b.map(startedAt));
    const aBeforeB = a.filter((id) => startedAt(id) < lastOfB).length;
    // First in, first out would charge all 40 of A's first; taking turns, B's last is charged
    // after A's first window (6) and a few turns more.
    expect(aBeforeB).toBeLessThanOrEqual(15);
    await expectHeldToItsLimits('pg-main', 43);
  });

  test("when one PG is down then the other's payments are charged while it is, and the first's all succeed once it is back", async () => {
    // The PG's outage is long enough that pg-main's 20 (4 s at 5/s) end well inside it.
    const until = Date.parse((await pgs['pg-alt'].client.outage(20))!);
    const alt = await accept(12, 'shop-b', 'pg-alt');
    const main = await accept(20, 'shop-a', 'pg-main');
    const mainFinal = await waitForFinal(main);
    expect([...mainFinal.values()].map((r) => r.view.status)).toEqual(main.map(() => 'SUCCESS'));
    // pg-alt's payments filled its window (6) and wait for it; pg-main's went on meanwhile.
    const lastMain = Math.max(...[...mainFinal.values()].map((r) => Date.parse(r.view.completedAt!)));
    expect(lastMain).toBeLessThan(until);
    // /metrics says so, per PG and per merchant: pg-alt's window full, the rest in its intake.
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const gauge = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(gauge('payment_started_not_ended{pg="pg-alt"}')).toBe(6);
    expect(gauge('payment_intake_waiting{pg="pg-alt",merchant="shop-b"}')).toBe(6);
    expect(gauge('payment_started_not_ended{pg="pg-main"}')).toBe(0);
    // Its calls so far answered 503: counted against pg-alt alone.
    expect(gauge('payment_pg_calls_total{pg="pg-alt",outcome="transient"}')).toBeGreaterThan(0);
    expect(gauge('payment_pg_calls_total{pg="pg-main",outcome="transient"}')).toBe(0);
    const altFinal = await waitForFinal(alt);
    expect([...altFinal.values()].map((r) => r.view.status)).toEqual(alt.map(() => 'SUCCESS'));
    await expectHeldToItsLimits('pg-main', 20);
    await expectHeldToItsLimits('pg-alt', 12);
  });
});
