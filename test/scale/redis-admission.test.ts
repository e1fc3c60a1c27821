import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RedisPgAdmission } from '../../src/pg-client/redis-admission';
import type { PgPermit } from '../../src/pg-client/admission';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';

const lua = (name: string) => readFileSync(path.join(__dirname, '../../src/pg-client/lua', `${name}.lua`), 'utf8');

describe('the shared PG admission step in Redis (lua/*.lua + RedisPgAdmission)', () => {
  let redis: RunningRedis;
  let raw: Redis;
  const admissions: RedisPgAdmission[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(admissions.splice(0).map((g) => g.close()));
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  const admissionAt = async (
    prefix: string,
    limits: { concurrency: number; ratePerSecond: number; leaseMs?: number },
  ) => {
    const g = new RedisPgAdmission({ url: redis.url, prefix, marginMs: 20, leaseMs: 5000, ...limits });
    admissions.push(g);
    await g.ready();
    return g;
  };
  const redisNowMs = async () => {
    const [s, us] = await raw.time();
    return Number(s) * 1000 + Number(us) / 1000;
  };
  /** Once the admission step's own commands have run, the call's start is stamped on Redis's clock between `before` and now. */
  const expectStampedSince = async (prefix: string, id: string, before: number) => {
    await raw.ping();
    await new Promise((r) => setTimeout(r, 20));
    const after = await redisNowMs();
    const stamped = Number(await raw.zscore(`${prefix}starts`, id));
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(after);
  };

  test('when two workers share a limit of 3 then a fourth call waits until a holder releases', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 3, ratePerSecond: 100 });
    const b = await admissionAt(prefix, { concurrency: 3, ratePerSecond: 100 });
    const held = [await a.acquire(), await b.acquire(), await a.acquire()];
    expect(await raw.zcard(`${prefix}leases`)).toBe(3);

    let fourth: PgPermit | undefined;
    const waiting = b.acquire().then((p) => (fourth = p));
    await new Promise((r) => setTimeout(r, 300));
    expect(fourth).toBeUndefined();
    expect(await raw.zcard(`${prefix}leases`)).toBe(3);

    held[0]!.release();
    await waiting;
    expect(fourth).toBeDefined();
    expect(await raw.zcard(`${prefix}leases`)).toBe(3);
    for (const p of [...held.slice(1), fourth!]) p.release();
  });

  test('when calls outrun the rate then no window of 1 s + margin holds more than the rate', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 100, ratePerSecond: 4 });
    const b = await admissionAt(prefix, { concurrency: 100, ratePerSecond: 4 });
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      (await (i % 2 ? a : b).acquire()).release();
      const [, newest] = await raw.zrange(`${prefix}starts`, -1, -1, 'WITHSCORES');
      starts.push(Number(newest));
    }
    // Any 5 consecutive starts span more than the window: at most 4 in any window of 1020 ms.
    for (let i = 4; i < starts.length; i++) expect(starts[i]! - starts[i - 4]!).toBeGreaterThanOrEqual(1020);
  });

  test('when the holder of a lease dies then its slot is free again after the lease time, not before', async () => {
    const prefix = `t:${randomUUID()}:`;
    // A dead worker: it took the only slot and never renews nor releases it.
    const leaseMs = 600;
    const [granted] = (await raw.eval(
      lua('acquire-2'),
      2,
      `${prefix}leases`,
      `${prefix}starts`,
      'dead:1',
      1,
      100,
      1020,
      leaseMs,
    )) as [number, string];
    expect(granted).toBe(1);
    const deadExpiry = Number(await raw.zscore(`${prefix}leases`, 'dead:1'));

    const live = await admissionAt(prefix, { concurrency: 1, ratePerSecond: 100, leaseMs });
    const permit = await live.acquire();
    expect(await redisNowMs()).toBeGreaterThanOrEqual(deadExpiry);
    expect(await raw.zrange(`${prefix}leases`, 0, -1)).not.toContain('dead:1');
    permit.release();
  });

  test('when a live holder keeps a lease past its lease time then renewals keep it', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 1, ratePerSecond: 100, leaseMs: 300 });
    const permit = await a.acquire();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await raw.zcard(`${prefix}leases`)).toBe(1);
    permit.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(await raw.zcard(`${prefix}leases`)).toBe(0);
  });

  test('when someone else releases a lease id it does not hold then nothing is freed', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 2, ratePerSecond: 100 });
    const permit = await a.acquire();
    const removed = await raw.eval(
      lua('release-2'),
      2,
      `${prefix}leases`,
      `${prefix}starts`,
      'not-a-holder',
      `${prefix}released`,
    );
    expect(removed).toBe(0);
    expect(await raw.zcard(`${prefix}leases`)).toBe(1);
    permit.release();
  });

  test('when a call is granted then it cannot leave the window until it is sent, and then counts from when Redis hears of the send', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 5, ratePerSecond: 5 });
    const grantedAt = await redisNowMs();
    const permit = await a.acquire();
    const [id, unsent] = await raw.zrange(`${prefix}starts`, 0, 0, 'WITHSCORES');
    // Unsent: held at the lease's end, well past the window, so it cannot expire early.
    expect(Number(unsent)).toBeGreaterThanOrEqual(grantedAt + 5000 - 50);
    await new Promise((r) => setTimeout(r, 50));
    const before = await redisNowMs();
    permit.sent(performance.now());
    permit.release();
    await expectStampedSince(prefix, id!, before);
  });

  test('when a call is released before it was sent then it counts from its release', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 5, ratePerSecond: 5 });
    const permit = await a.acquire();
    const [id] = await raw.zrange(`${prefix}starts`, 0, 0);
    const before = await redisNowMs();
    permit.release();
    await expectStampedSince(prefix, id!, before);
  });

  test('when a waiter is aborted then it leaves the queue and takes no slot', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = await admissionAt(prefix, { concurrency: 1, ratePerSecond: 100 });
    const first = await a.acquire();
    const controller = new AbortController();
    const waiting = a.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    first.release();
    const next = await a.acquire();
    expect(await raw.zcard(`${prefix}leases`)).toBe(1);
    next.release();
  });

  test('when Redis does not answer then ready() says so, naming the URL', async () => {
    const g = new RedisPgAdmission({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      concurrency: 1,
      ratePerSecond: 1,
      marginMs: 20,
      leaseMs: 5000,
    });
    admissions.push(g);
    await expect(g.ready(1500)).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
