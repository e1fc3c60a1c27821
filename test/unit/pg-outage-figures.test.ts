import type { PaymentStatusView } from '../../src/contract/payment';
import { type PgStats, Scoreboard } from '../../src/fake-pg/scoreboard';
import type { SentPayment } from '../../compare/bench/load';
import { PG_ALT_OUTAGE_SECONDS, buildScenarios } from '../../compare/bench/scenarios';
import { bothScores, laneFigures } from '../../compare/bench/two-pgs';

/** The pg-outage scenario's shape and its figures per PG (compare/bench/two-pgs.ts). */
describe('the pg-outage scenario', () => {
  const pgOutage = (n: number) => buildScenarios(n).filter((s) => s.group === 'pg-outage');

  test('when the bench is built at the default size then pg-main carries a burst of 300 and pg-alt 100, down and up', () => {
    const [down, up] = pgOutage(500);
    expect([down!.name, up!.name]).toEqual(['pg-outage', 'pg-outage-none']);
    for (const s of [down!, up!]) {
      expect({ requests: s.requests, load: s.load }).toEqual({ requests: 400, load: { kind: 'two-pgs', main: 300 } });
      expect(s.engines).not.toContain('semaphore-only');
    }
    expect([down!.pgAlt, up!.pgAlt]).toEqual([{ outageSeconds: PG_ALT_OUTAGE_SECONDS }, { outageSeconds: 0 }]);
  });

  test('when the bench is scaled down then both bursts shrink with it and neither is empty', () => {
    expect(pgOutage(10)[0]!.load).toEqual({ kind: 'two-pgs', main: 6 });
    expect(pgOutage(10)[0]!.requests).toBe(8);
    expect(pgOutage(1)[0]!.requests).toBe(2);
  });

  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const sent = (id: string, merchant: 'A' | 'B'): SentPayment => ({
    orderId: id,
    sentAt: t0,
    status: 202,
    acceptMs: 5,
    requestId: id,
    merchant,
  });
  const final = (id: string, status: 'SUCCESS' | 'FAILED', atMs: number): PaymentStatusView => ({
    requestId: id,
    status,
    attempts: 1,
    acceptedAt: new Date(t0).toISOString(),
    completedAt: new Date(t0 + atMs).toISOString(),
  });
  // A fresh PG's score with the figures a test sets.
  const score = (over: Partial<PgStats>): PgStats => ({
    ...new Scoreboard({ concurrency: 10, ratePerSecond: 10 }).stats(),
    ...over,
  });

  test("when pg-alt was down then each PG's figures count its own merchant's payments, and pg-alt's ideal starts after the outage", () => {
    const [down] = pgOutage(500);
    const accepted = [sent('a1', 'A'), sent('a2', 'A'), sent('b1', 'B'), sent('b2', 'B')];
    const finals = new Map([
      ['a1', final('a1', 'SUCCESS', 200)],
      ['a2', final('a2', 'SUCCESS', 400)],
      ['b1', final('b1', 'SUCCESS', 26_000)],
    ]);
    const [main, alt] = laneFigures(down!, accepted, finals, t0, {
      main: score({ charges: 2, maxInFlight: 2 }),
      alt: score({ charges: 1, outage503: 12 }),
    });
    expect(main).toMatchObject({
      pg: 'pg-main',
      outageSeconds: 0,
      payments: 2,
      succeeded: 2,
      lost: 0,
      makespanMs: 400,
    });
    expect(main!.firstSuccessMs).toBe(200);
    expect(alt).toMatchObject({
      pg: 'pg-alt',
      outageSeconds: 20,
      payments: 2,
      succeeded: 1,
      lost: 1,
      firstSuccessMs: 26_000,
    });
    expect(alt!.score).toMatchObject({ charges: 1, outage503: 12 });
    // 20 s down, then two payments at 10/s with 100-300 ms: the outage plus one mean latency.
    expect(alt!.idealMakespanMs).toBe(20_200);
  });

  test('when both scores are taken as one then limits take the worse PG and counts add up', () => {
    const both = bothScores(
      score({ maxInFlight: 10, maxPerSecond: 9, rejected429: 1, duplicateCharges: 0, charges: 300 }),
      score({ maxInFlight: 4, maxPerSecond: 11, rejected429: 2, duplicateCharges: 1, charges: 100, outage503: 40 }),
    );
    expect(both).toMatchObject({
      maxInFlight: 10,
      maxPerSecond: 11,
      rejected429: 3,
      duplicateCharges: 1,
      charges: 400,
      outage503: 40,
    });
  });
});
