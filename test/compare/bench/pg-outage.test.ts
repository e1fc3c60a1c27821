/**
 * pg-outage at a tiny size on real servers, Temporal beside the Redis Stream baseline: two fake
 * PGs, merchant A's payments to pg-main and merchant B's to pg-alt, which answers 503 to every
 * charge for 20 s from the first POST in one run and stays up in the other. Each PG charges its
 * own merchant's payments once each, within its limits, and pg-alt charges nothing while down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../../../compare/bench/bench';
import { PG_ALT_OUTAGE_SECONDS } from '../../../compare/bench/scenarios';
import type { BenchReport } from '../../../compare/bench/types';

describe('the pg-outage scenario at a tiny size', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-pg-outage-'));
  let report: BenchReport;

  beforeAll(async () => {
    ({ report } = await runBench(
      { requests: 10, out, engines: ['temporal', 'redis-stream'], scenarios: ['pg-outage'] },
      {},
      'jest',
    ));
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('when both runs end then every payment of both merchants is SUCCESS once, each at its own PG', () => {
    expect(report.run.skipped).toEqual([]);
    expect(report.results.map((r) => `${r.scenario}/${r.engine}`).sort()).toEqual([
      'pg-outage-none/redis-stream',
      'pg-outage-none/temporal',
      'pg-outage/redis-stream',
      'pg-outage/temporal',
    ]);
    for (const r of report.results) {
      const name = `${r.scenario}/${r.engine}`;
      // A posts 3 N / 5 (6) to pg-main, B a third of that (2) to pg-alt.
      expect({ [name]: [r.accepted, r.succeeded, r.lost, r.duplicateCharges] }).toEqual({ [name]: [8, 8, 0, 0] });
      const [main, alt] = r.detail.lanes!.pgs;
      expect({ [name]: [main!.pg, main!.payments, main!.succeeded, main!.score.charges] }).toEqual({
        [name]: ['pg-main', 6, 6, 6],
      });
      expect({ [name]: [alt!.pg, alt!.payments, alt!.succeeded, alt!.score.charges] }).toEqual({
        [name]: ['pg-alt', 2, 2, 2],
      });
      expect(r.detail.lanes!.routing).toMatch(/two PGs/);
    }
  });

  test('when a run ends then neither PG saw more calls than its limits, nor a charge twice', () => {
    for (const r of report.results) {
      for (const lane of r.detail.lanes!.pgs) {
        const name = `${r.scenario}/${r.engine}/${lane.pg}`;
        expect({ [name]: lane.score.maxInFlight <= r.detail.pgLimits.concurrency }).toEqual({ [name]: true });
        expect({ [name]: lane.score.duplicateCharges }).toEqual({ [name]: 0 });
        // The learned margin may meet a few 429s early (docs/admission.md); five is the bound.
        expect({ [name]: lane.score.rejected429 <= 5 }).toEqual({ [name]: true });
      }
    }
  });

  test('when pg-alt is down then its payments succeed only after it is back, and pg-main never sees a 503', () => {
    for (const engine of ['temporal', 'redis-stream']) {
      const down = report.results.find((r) => r.scenario === 'pg-outage' && r.engine === engine)!;
      const up = report.results.find((r) => r.scenario === 'pg-outage-none' && r.engine === engine)!;
      const [downMain, downAlt] = down.detail.lanes!.pgs;
      expect({ engine, outage: downAlt!.outageSeconds }).toEqual({ engine, outage: PG_ALT_OUTAGE_SECONDS });
      expect({ engine, refusedWhileDown: downAlt!.score.outage503 > 0 }).toEqual({ engine, refusedWhileDown: true });
      // Measured from the first POST; the switch was thrown just before it.
      expect(downAlt!.firstSuccessMs!).toBeGreaterThanOrEqual(PG_ALT_OUTAGE_SECONDS * 1000 - 100);
      expect({ engine, mainRefused: downMain!.score.outage503 }).toEqual({ engine, mainRefused: 0 });
      expect(down.detail.conditions).toEqual([expect.stringContaining('pg-alt answers 503')]);
      expect(up.detail.lanes!.pgs.map((l) => l.score.outage503)).toEqual([0, 0]);
      expect(up.detail.conditions).toEqual([]);
    }
  });
});
