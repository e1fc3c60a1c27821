import { createLogger } from '../../src/infra/logger';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';
import { PaymentStore } from '../../src/intake/payment-store';
import { StartPace, paceOfPg } from '../../src/intake/start-pace';
import { IntakeStarter } from '../../src/intake/starter';
import { acceptDirect } from '../../src/load/direct-intake';

/**
 * The starter's pace per PG (src/intake/start-pace.ts): a burst's first `burst` payments started
 * at once, the rest at the PG's rate, nothing left behind. The bucket on a clock the test moves;
 * the starter on a real Redis with starts it records.
 */
describe('the pace of starts', () => {
  test('a full bucket gives the burst, then one start per 1/rate', () => {
    let now = 0;
    const pace = new StartPace(
      (pg) => (pg === 'pg-main' ? { burst: 3, perSecond: 10 } : undefined),
      () => now,
    );
    expect(pace.room('pg-main')).toBe(3);
    pace.take('pg-main', 3);
    expect(pace.room('pg-main')).toBe(0);
    expect(pace.waitMs('pg-main')).toBe(100);
    now = 250;
    expect(pace.room('pg-main')).toBe(2);
    // A quiet spell saves up no more than the burst.
    now = 60_000;
    expect(pace.room('pg-main')).toBe(3);
    expect(pace.room('pg-other')).toBe(Infinity);
    expect(pace.waitMs('pg-other')).toBe(0);
  });

  test("a PG's pace is its first moment, then its rate", () => {
    expect(paceOfPg({ concurrency: 10, ratePerSecond: 10 })).toEqual({ burst: 10, perSecond: 10 });
    expect(paceOfPg({ concurrency: 50, ratePerSecond: 5 })).toEqual({ burst: 5, perSecond: 5 });
    expect(paceOfPg({ concurrency: 2, ratePerSecond: 100 })).toEqual({ burst: 2, perSecond: 100 });
  });
});

describe('the starter at a PG’s pace', () => {
  const BURST = 4;
  const PER_SECOND = 10;
  const PAYMENTS = 14;
  let redis: RunningRedis;
  let store: PaymentStore;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(() => {
    store = PaymentStore.connect(redis.url, `pace-${Math.random().toString(36).slice(2)}:`);
  });
  afterEach(async () => {
    await store?.close();
  });

  /** Start times (ms after the first) of a burst of PAYMENTS with a window that holds them all. */
  async function startTimes(pace: boolean): Promise<number[]> {
    await acceptDirect(store, { merchantId: 'shop-a', pg: 'pg-main' }, PAYMENTS);
    const at: number[] = [];
    const starter = new IntakeStarter({
      store,
      log: createLogger('starter', 'silent'),
      concurrency: PAYMENTS,
      window: () => PAYMENTS,
      pace: pace ? () => ({ burst: BURST, perSecond: PER_SECOND }) : undefined,
      startWorkflow: () => {
        at.push(performance.now());
        return Promise.resolve();
      },
    });
    starter.start();
    try {
      const deadline = Date.now() + 20_000;
      while (at.length < PAYMENTS && Date.now() < deadline) await sleep(20);
    } finally {
      await starter.stop();
    }
    expect(at).toHaveLength(PAYMENTS);
    return at.map((t) => t - at[0]!);
  }

  test('a burst is started burst-first, then never faster than the rate, and every payment is started', async () => {
    const times = await startTimes(true);
    // The n-th start (from 0) needs n - BURST + 1 tokens refilled: at 10 a second, 100 ms each.
    // The first start's own store read may come late by a few tens of milliseconds on a busy machine.
    times.forEach((t, n) => {
      if (n >= BURST) expect(t).toBeGreaterThanOrEqual((n - BURST + 1) * (1000 / PER_SECOND) - 40);
    });
    expect((await store.countsPerPg()).get('pg-main')).toEqual({ started: PAYMENTS, ended: 0 });
  }, 30_000);

  test('without a pace the window is started at once', async () => {
    const times = await startTimes(false);
    // The paced run's last start comes (PAYMENTS - BURST) / rate = 1 s after its first.
    expect(times.at(-1)!).toBeLessThan((PAYMENTS - BURST) * (1000 / PER_SECOND) - 100);
  }, 30_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
