import { NetworkSpread, pgOwnTimeMs } from '../../src/pg-client/network-spread';

/**
 * The margin the network is measured to need (src/pg-client/network-spread.ts): the spread of
 * recent answers' network shares, trimmed of one outlier at each end, × 1.25.
 */
describe('the network spread', () => {
  test("when the PG's Server-Timing names its time then it is read, and anything else is not", () => {
    expect(pgOwnTimeMs('pg;dur=183.2')).toBe(183.2);
    expect(pgOwnTimeMs('db;dur=12, pg;desc="charge";dur=40')).toBe(12);
    expect(pgOwnTimeMs('pg;dur="7"')).toBe(7);
    expect(pgOwnTimeMs(['cache;desc=hit', 'pg;dur=5'])).toBe(5);
    expect(pgOwnTimeMs(undefined)).toBeUndefined();
    expect(pgOwnTimeMs('pg;desc=fast')).toBeUndefined();
  });

  test('when answers cross 0-30 ms of jitter then the margin covers 30 ms, and on a quiet path it stays small', () => {
    const jittery = new NetworkSpread();
    for (let i = 0; i < 40; i++) jittery.record(1 + ((i * 7) % 31));
    expect(jittery.marginMs()).toBeGreaterThan(30);
    expect(jittery.marginMs()).toBeLessThan(40);
    const quiet = new NetworkSpread();
    for (let i = 0; i < 40; i++) quiet.record(1 + (i % 3));
    expect(quiet.marginMs()).toBeLessThanOrEqual(2.5);
  });

  test('when one answer is held up on our side then it alone does not widen the margin', () => {
    const spread = new NetworkSpread();
    for (let i = 0; i < 20; i++) spread.record(2 + (i % 2));
    spread.record(80);
    expect(spread.marginMs()).toBeLessThan(5);
    spread.record(80);
    expect(spread.marginMs()).toBeGreaterThan(90);
  });

  test('when the network calms down then the margin comes back within the last samples', () => {
    const spread = new NetworkSpread({ samples: 10 });
    for (let i = 0; i < 10; i++) spread.record(i * 3);
    expect(spread.marginMs()).toBeGreaterThan(25);
    for (let i = 0; i < 10; i++) spread.record(2);
    expect(spread.marginMs()).toBe(0);
    expect(new NetworkSpread().marginMs()).toBe(0);
  });
});
