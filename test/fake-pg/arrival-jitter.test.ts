import { performance } from 'node:perf_hooks';
import { loadFakePgConfig } from '../../src/fake-pg/config';
import { arrivalDelays } from '../../src/fake-pg/network';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { type PgClient, createPgClient } from '../../src/pg-client/pg-client';

/**
 * PG_ARRIVAL_JITTER_MS puts a network path in front of the referee: each call waits its drawn delay
 * before it is stamped. Sends are timed on this process's clock, stamps read from the PG's
 * timeline; both are turned into epoch milliseconds (each side's epoch reading is good to ~1 ms).
 */
const limitsOff = { PG_LATENCY_MS: '0', PG_RATE_LIMIT: '1000', PG_MAX_CONCURRENCY: '100' };

/**
 * Sends one charge under `key`; resolves with the epoch time just before its request was written.
 * A lower bound of the send, so stamp − send can only come out long: the 'finish' stamp of the
 * send (onSent) is an upper bound, late by however long this process was preempted after the write.
 */
const send = async (pg: PgClient, key: string): Promise<number> => {
  const before = performance.timeOrigin + performance.now();
  const outcome = await pg.charge({ idempotencyKey: key, request: { orderId: key, amount: 1, currency: 'KRW' } });
  expect(outcome.kind).toBe('approved');
  return before;
};

/** The PG's stamp of each key's first call, in epoch ms. */
const stamps = async (pg: FakePgHandle): Promise<Map<string, number>> => {
  const timeline = await pg.client.timeline();
  return new Map(
    Object.entries(timeline.callsByKey).map(([key, calls]) => [key, timeline.startedAtEpochMs + calls[0]!.at]),
  );
};

/** Sends `count` calls one after another; answers each one's stamp − send. */
const sequentialDelays = async (handle: FakePgHandle, count: number, tag: string): Promise<number[]> => {
  const pg = createPgClient({ baseUrl: handle.url, connections: 1 });
  try {
    const sent: Array<[string, number]> = [];
    for (let i = 0; i < count; i++) sent.push([`${tag}-${i}`, await send(pg, `${tag}-${i}`)]);
    const stamped = await stamps(handle);
    return sent.map(([key, at]) => stamped.get(key)! - at);
  } finally {
    await pg.close();
  }
};

describe('the arrival delays, drawn', () => {
  test('when two draws use the same seed then they give the same delays, and another seed others', () => {
    const draw = (seed: number) => Array.from({ length: 50 }, arrivalDelays({ minMs: 0, maxMs: 30 }, seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
    for (const ms of draw(42)) expect(ms >= 0 && ms <= 30).toBe(true);
    expect(new Set(Array.from({ length: 5 }, arrivalDelays({ minMs: 20, maxMs: 20 }, 1)))).toEqual(new Set([20]));
  });

  test('when PG_ARRIVAL_JITTER_MS is not a number or a range then the error is one line naming it', () => {
    expect(loadFakePgConfig({}).arrivalJitter).toEqual({ minMs: 0, maxMs: 0 });
    expect(loadFakePgConfig({ PG_ARRIVAL_JITTER_MS: '0-30' }).arrivalJitter).toEqual({ minMs: 0, maxMs: 30 });
    expect(() => loadFakePgConfig({ PG_ARRIVAL_JITTER_MS: 'fast' })).toThrow(
      /^invalid setting PG_ARRIVAL_JITTER_MS="fast": [^\n]+$/,
    );
    expect(() => loadFakePgConfig({ PG_ARRIVAL_JITTER_MS: '30-0' })).toThrow(/PG_ARRIVAL_JITTER_MS/);
  });
});

describe('a fake PG with a network in front of it', () => {
  const pgs: FakePgHandle[] = [];
  const startPg = async (env: Record<string, string>) => {
    const pg = await startFakePg({ ...limitsOff, ...env });
    pgs.push(pg);
    return pg;
  };
  afterEach(async () => {
    await Promise.all(pgs.splice(0).map((pg) => pg.process.stop()));
  });

  test('when the jitter is 50 ms then every call is stamped at least 50 ms after it was sent, and the stats say so', async () => {
    const pg = await startPg({ PG_ARRIVAL_JITTER_MS: '50' });
    const delays = await sequentialDelays(pg, 5, 'fixed');
    // 2 ms for the two sides' epoch readings (the PG's is Date.now(), whole milliseconds).
    for (const ms of delays) expect(ms).toBeGreaterThanOrEqual(48);
    expect((await pg.client.stats()).network).toEqual({ arrivalJitterMs: { minMs: 50, maxMs: 50 } });
  });

  test('when the jitter is 0-50 ms then two calls sent 10 ms apart are sometimes stamped in the other order', async () => {
    const handle = await startPg({ PG_ARRIVAL_JITTER_MS: '0-50' });
    const pg = createPgClient({ baseUrl: handle.url, connections: 2 });
    try {
      const pairs = 20;
      for (let i = 0; i < pairs; i++) {
        const first = send(pg, `first-${i}`);
        await new Promise((r) => setTimeout(r, 10));
        await Promise.all([first, send(pg, `second-${i}`)]);
      }
      const stamped = await stamps(handle);
      const swapped = Array.from({ length: pairs }, (_, i) => i).filter(
        (i) => stamped.get(`second-${i}`)! < stamped.get(`first-${i}`)!,
      );
      // Each pair swaps when the first draw exceeds the second by over 10 ms: about a third of them.
      expect(swapped.length).toBeGreaterThan(0);
      expect(swapped.length).toBeLessThan(pairs);
    } finally {
      await pg.close();
    }
  });

  test("when the jitter is 40 ms then the client hears a network share of at least 40 ms from the PG's Server-Timing, and without jitter less", async () => {
    const networkShares = async (handle: FakePgHandle, tag: string): Promise<number[]> => {
      const pg = createPgClient({ baseUrl: handle.url, connections: 1 });
      const heard: number[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const outcome = await pg.charge({
            idempotencyKey: `${tag}-${i}`,
            request: { orderId: `${tag}-${i}`, amount: 1, currency: 'KRW' },
            onAnswered: (ms) => heard.push(ms),
          });
          expect(outcome.kind).toBe('approved');
        }
      } finally {
        await pg.close();
      }
      return heard.sort((a, b) => a - b);
    };
    const [jittery, quiet] = await Promise.all([
      startPg({ PG_ARRIVAL_JITTER_MS: '40', PG_LATENCY_MS: '100' }),
      startPg({ PG_LATENCY_MS: '100' }),
    ]);
    const [withJitter, without] = [await networkShares(jittery, 'net'), await networkShares(quiet, 'quiet')];
    expect(withJitter).toHaveLength(5);
    // The PG's 100 ms of its own are taken out: what is left is the path, 40 ms and the loopback.
    // The client stamps its send at the request's 'finish', which on a busy machine runs after the
    // write by however long the process was preempted (37 ms heard once in CI, then 0.65 ms in a
    // run with the machine full), so one call may hear less than the path: the other four may not.
    expect(withJitter[1]).toBeGreaterThanOrEqual(30);
    expect(withJitter[2]).toBeGreaterThanOrEqual(36);
    expect(withJitter[2]).toBeLessThan(90);
    expect(without).toHaveLength(5);
    expect(without[2]).toBeLessThan(20);
    expect(withJitter[2]! - without[2]!).toBeGreaterThanOrEqual(25);
  });

  test('when two PGs run with the same PG_SEED then their calls take the same delays, and with another seed other ones', async () => {
    const jitter = { PG_ARRIVAL_JITTER_MS: '0-300' };
    const [a, b, c] = await Promise.all([
      startPg({ ...jitter, PG_SEED: '7' }),
      startPg({ ...jitter, PG_SEED: '7' }),
      startPg({ ...jitter, PG_SEED: '8' }),
    ]);
    const [da, db, dc] = [
      await sequentialDelays(a, 7, 'a'),
      await sequentialDelays(b, 7, 'b'),
      await sequentialDelays(c, 7, 'c'),
    ];
    // The same draws give or take the loopback, which on this shared machine now and then adds
    // 10-25 ms to one call: so the median difference, not each one.
    const medianGap = (xs: number[], ys: number[]) =>
      xs.map((x, i) => Math.abs(x - ys[i]!)).sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
    expect(medianGap(da, db)).toBeLessThan(10);
    expect(medianGap(da, dc)).toBeGreaterThan(30);
  });
});
