import { createLogger } from '../../src/infra/logger';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';
import { PaymentStore } from '../../src/intake/payment-store';
import { IntakeStarter } from '../../src/intake/starter';
import { acceptDirect } from '../../src/load/direct-intake';

/**
 * The starter's window against its own timing, on a real Redis with starts it controls: a start
 * that ends while the counts per PG are on their way back must still be counted once, or the PG
 * gets one workflow more than its window (CI saw 7 of 6 this way).
 */
const WINDOW = 2;

describe("the starter's window per PG", () => {
  let redis: RunningRedis;
  let store: PaymentStore;

  beforeAll(async () => {
    redis = await startRedis();
    store = PaymentStore.connect(redis.url, 'payments:');
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  test('when a start ends while the counts are read then no start goes over the window', async () => {
    await acceptDirect(store, { merchantId: 'shop-a', pg: 'pg-main' }, WINDOW + 2);
    const started: string[] = [];
    let releaseSecond!: () => void;
    const secondHeld = new Promise<void>((resolve) => (releaseSecond = resolve));
    // The counts that were read, handed back only once the second start has been counted.
    let reads = 0;
    const countsPerPg = store.countsPerPg.bind(store);
    const raced = Object.create(store) as PaymentStore;
    raced.countsPerPg = async () => {
      const counts = await countsPerPg();
      if (++reads === 2) {
        releaseSecond();
        while ((await countsPerPg()).get('pg-main')?.started !== WINDOW) await sleep(5);
        await sleep(20);
      }
      return counts;
    };
    const starter = new IntakeStarter({
      store: raced,
      log: createLogger('starter', 'silent'),
      concurrency: WINDOW,
      window: () => WINDOW,
      startWorkflow: async (payment) => {
        started.push(payment.requestId);
        if (started.length === 2) await secondHeld;
      },
    });
    starter.start();
    try {
      // Both places taken, the first start ended, the second is held: the next read of the counts
      // sees one started and one starting, and the second ends before its answer is used.
      while (reads < 2) await sleep(5);
      await sleep(500);
      expect(started).toHaveLength(WINDOW);
      expect((await store.countsPerPg()).get('pg-main')).toEqual({ started: WINDOW, ended: 0 });
    } finally {
      await starter.stop();
    }
  }, 30_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
