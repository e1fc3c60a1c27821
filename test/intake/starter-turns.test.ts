import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PaymentStore } from '../../src/intake/payment-store';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { acceptDirect, waitForStored } from '../../src/load/direct-intake';

/**
 * The starter's lanes, on real servers: a PG's burst as large as its window (100, set here) is being
 * started when another PG's payment is accepted, and that payment's workflow starts at once, not
 * after the burst's starts. The other PG is idle, so the payment's wait from acceptance to its PG
 * call is the starter's, the workflow task's and its lane's dispatch.
 */
const LIMITS = { concurrency: 10, ratePerSecond: 10 };
const PGS = ['pg-main', 'pg-alt'] as const;

describe("the starter's lanes across PGs", () => {
  let stack: TemporalStack;
  let store: PaymentStore;
  const pgs: Partial<Record<(typeof PGS)[number], FakePgHandle>> = {};
  const dir = mkdtempSync(path.join(tmpdir(), 'starter-turns-'));

  beforeAll(async () => {
    try {
      for (const name of PGS)
        pgs[name] = await startFakePg({
          PG_MAX_CONCURRENCY: String(LIMITS.concurrency),
          PG_RATE_LIMIT: String(LIMITS.ratePerSecond),
          PG_LATENCY_MS: '50-150',
        });
      const pgsFile = path.join(dir, 'pgs.json');
      writeFileSync(pgsFile, JSON.stringify(PGS.map((name) => ({ name, url: pgs[name]!.url, ...LIMITS }))));
      // A window of 100 payments started and not ended per PG (five times the default), so the
      // burst's starts take long enough to hold another PG's payment if the starter did not take turns.
      stack = await startTemporalStack({
        pg: pgs['pg-main'],
        workerEnv: { PGS_FILE: pgsFile },
        apiEnv: { PGS_FILE: pgsFile, STARTER_WINDOW: '100' },
      });
      store = PaymentStore.connect(stack.redisUrl, 'payments:');
      // The first workflow of each PG warms its lane.
      for (const pg of PGS) await waitForStored(store, await acceptDirect(store, { merchantId: 'warm-up', pg }, 1));
    } catch (err) {
      await Promise.allSettled(Object.values(pgs).map((pg) => pg.process.stop()));
      throw err;
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await stack?.stop();
    await Promise.allSettled(Object.values(pgs).map((pg) => pg.process.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("when one PG's burst of 100 is being started then another PG's payment is charged within a second", async () => {
    const main = await acceptDirect(store, { merchantId: 'shop-a', pg: 'pg-main' }, 100, 16);
    // The burst's starts are under way (a round of the whole window, before).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [alt] = await acceptDirect(store, { merchantId: 'shop-b', pg: 'pg-alt' }, 1);
    const final = await waitForStored(store, [...main, alt!], 60_000);
    expect([...final.values()].map((r) => r.view.status)).toEqual([...main, alt].map(() => 'SUCCESS'));
    const view = final.get(alt!)!.view;
    const waitMs = Date.parse(view.startedAt!) - Date.parse(view.acceptedAt);
    // Rounds of the whole room held it until the burst's 100 starts were done: 1-4 s here.
    expect({ waitMs, under: waitMs < 1000 }).toEqual({ waitMs, under: true });
  }, 120_000);
});
