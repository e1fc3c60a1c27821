/**
 * noisy-neighbour at a tiny size on real servers, Temporal beside the Redis Stream baseline: both
 * merchants' payments are posted with their own keys, every one ends SUCCESS once, and B's wait is
 * reported with what each engine does with two merchants.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../../../compare/bench/bench';
import type { BenchReport } from '../../../compare/bench/types';

describe('the noisy-neighbour scenario at a tiny size', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-neighbour-'));
  let report: BenchReport;

  beforeAll(async () => {
    ({ report } = await runBench(
      { requests: 10, out, engines: ['temporal', 'redis-stream'], scenarios: ['noisy-neighbour'] },
      {},
      'jest',
    ));
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("when merchant A's flash sale and merchant B's payments end then each engine reports B's wait and A's outcome", () => {
    expect(report.results.map((r) => r.engine).sort()).toEqual(['redis-stream', 'temporal']);
    for (const r of report.results) {
      // A posts 4 N (40) at once, B one every 500 ms for 30 s (60).
      expect({ engine: r.engine, succeeded: r.succeeded, lost: r.lost, dup: r.duplicateCharges }).toEqual({
        engine: r.engine,
        succeeded: 100,
        lost: 0,
        dup: 0,
      });
      const n = r.detail.neighbour!;
      expect({ b: n.bPayments, a: n.aPayments, aSucceeded: n.aSucceeded }).toEqual({ b: 60, a: 40, aSucceeded: 40 });
      expect(n.bWaitMs.p50).toBeLessThanOrEqual(n.bWaitMs.p99);
      expect(n.bWaitMs.p99).toBeLessThanOrEqual(n.bWaitMs.max);
      // Every B payment's wait, in posting order, B posting every 500 ms after A's burst.
      expect(n.bWaits).toHaveLength(60);
      expect(Math.max(...n.bWaits.map(([, wait]) => wait))).toBe(n.bWaitMs.max);
      const acceptedAt = n.bWaits.map(([at]) => at);
      expect(acceptedAt[59]! - acceptedAt[0]!).toBeGreaterThan(25_000);
      expect(n.merchants).toMatch(/two merchants/);
    }
  });
});
