import { LocalPgAdmission } from '../../src/pg-client/admission';
import { StrideShares } from '../../src/infra/stride-shares';
import { parsePgs } from '../../src/config/pgs';
import { ConfigError } from '../../src/config/env';
import { loadStackConfig } from '../../src/stack-config';
import { loadWorkerConfig } from '../../src/temporal/config';

/** Turns between merchants (the starter's and the admission step's), and the PGS_FILE reader. */
describe('turns between merchants', () => {
  const a = (waiting: number, weight = 1) => ({ key: 'A', weight, waiting });
  const b = (waiting: number, weight = 1) => ({ key: 'B', weight, waiting });

  test('when A has a backlog and B one payment then B gets the second place, not the last', () => {
    expect(new StrideShares().allot(6, [a(100), b(1)])).toEqual(['A', 'B', 'A', 'A', 'A', 'A']);
  });

  test('when one place is handed out at a time then the merchants still take turns', () => {
    const shares = new StrideShares();
    const order = Array.from({ length: 6 }, () => shares.allot(1, [a(100), b(100)])[0]);
    expect(order).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
  });

  test('when B weighs 2 then it gets two places for each of A', () => {
    const order = new StrideShares().allot(9, [a(100), b(100, 2)]);
    expect(order.filter((k) => k === 'B')).toHaveLength(6);
  });

  test('when B comes back after a quiet spell then it has no credit saved up', () => {
    const shares = new StrideShares();
    shares.allot(1, [a(1), b(1)]);
    shares.allot(50, [a(100), b(0)]);
    expect(shares.allot(4, [a(100), b(100)])).toEqual(['A', 'B', 'A', 'B']);
  });

  test("when eight of A's calls and then two of B's wait for one slot then B's are admitted second and fourth", async () => {
    const admission = new LocalPgAdmission({ concurrency: 1, ratePerSecond: 1000, marginMs: 0 });
    const first = await admission.acquire(undefined, { fairnessKey: 'A', fairnessWeight: 1 });
    const order: string[] = [];
    const calls = [...'AAAAAAAABB'].map(async (key) => {
      const permit = await admission.acquire(undefined, { fairnessKey: key, fairnessWeight: 1 });
      order.push(key);
      permit.sent(performance.now());
      setImmediate(() => permit.release());
    });
    first.sent(performance.now());
    first.release();
    await Promise.all(calls);
    expect(order.indexOf('B')).toBeLessThanOrEqual(1);
    expect(order.lastIndexOf('B')).toBeLessThanOrEqual(3);
  });

  test("when a retry of an earlier payment comes back while later payments wait then it is admitted first, within the merchants' turns", async () => {
    const admission = new LocalPgAdmission({ concurrency: 1, ratePerSecond: 1000, marginMs: 0 });
    const first = await admission.acquire(undefined, { fairnessKey: 'A', fairnessWeight: 1, acceptedAt: 100 });
    const order: string[] = [];
    const call = async (name: string, key: string, acceptedAt?: number) => {
      const permit = await admission.acquire(undefined, { fairnessKey: key, fairnessWeight: 1, acceptedAt });
      order.push(name);
      permit.sent(performance.now());
      setImmediate(() => permit.release());
    };
    const calls = [
      call('A-later-1', 'A', 300),
      call('A-later-2', 'A', 301),
      call('B-later', 'B', 302),
      call('A-unstamped', 'A'),
      call('A-retry', 'A', 200),
    ];
    first.sent(performance.now());
    first.release();
    await Promise.all(calls);
    expect(order).toEqual(['A-retry', 'B-later', 'A-later-1', 'A-later-2', 'A-unstamped']);
  });
});

describe('PGS_FILE', () => {
  const pg = { name: 'pg-main', url: 'http://127.0.0.1:4000', concurrency: 10, ratePerSecond: 10 };
  test('when it lists two PGs then both are read with their limits', () => {
    const two = [pg, { ...pg, name: 'pg-alt', url: 'http://127.0.0.1:4001', ratePerSecond: 5 }];
    expect(parsePgs(JSON.stringify(two), 'pgs.json')).toEqual(two);
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['an empty list', '[]', /non-empty JSON list/],
    ['a name with a dot', JSON.stringify([{ ...pg, name: 'pg.main' }]), /entry 0: name must be/],
    ['a rate of 0', JSON.stringify([{ ...pg, ratePerSecond: 0 }]), /entry 0: ratePerSecond/],
    ['a name twice', JSON.stringify([pg, pg]), /entry 1: name pg-main is already taken/],
    ['an unknown field', JSON.stringify([{ ...pg, burst: 3 }]), /entry 0/],
  ])('when it holds %s then start stops with one line naming the file and the entry', (_what, text, message) => {
    expect(() => parsePgs(text, 'pgs.json')).toThrow(ConfigError);
    expect(() => parsePgs(text, 'pgs.json')).toThrow(message);
  });

  test('when npm start has no PGS_FILE then pg-main is the fake PG on PG_PORT, with the PG limits', () => {
    const config = loadStackConfig({ PG_PORT: '4100', PG_RATE_LIMIT: '7' });
    expect(config.pgs).toEqual([{ ...pg, url: 'http://127.0.0.1:4100', ratePerSecond: 7 }]);
    expect(config.pgsEnv).toEqual({ PG_URL: 'http://127.0.0.1:4100' });
  });

  test('when WORKER_PGS names a PG that is not configured then the worker stops, naming it', () => {
    expect(() => loadWorkerConfig({ WORKER_PGS: 'pg-alt' })).toThrow(/WORKER_PGS: no PG named "pg-alt"/);
  });
});
