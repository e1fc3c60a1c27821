/**
 * The scenarios of the issues on limits and on intake (jitter, busy-machine, surge,
 * polling-clients), each run once at a tiny size on real servers, Temporal beside the Redis
 * Stream baseline: their report fields are there and add up, and nothing is lost or charged twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../../../compare/bench/bench';
import type { BenchReport, BenchResult } from '../../../compare/bench/types';

const REQUESTS = 10;
const SURGE = 40;
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('the jitter, busy-machine, surge and polling-clients scenarios at a tiny size', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-scenarios-'));
  let report: BenchReport;
  const get = (scenario: string, engine: string): BenchResult =>
    report.results.find((r) => r.scenario === scenario && r.engine === engine)!;

  beforeAll(async () => {
    ({ report } = await runBench(
      {
        requests: REQUESTS,
        surge: SURGE,
        out,
        engines: ['temporal', 'redis-stream'],
        scenarios: ['jitter', 'busy-machine', 'surge', 'polling-clients'],
      },
      {},
      'jest',
    ));
  }, 900_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('when the run ends then every scenario has a result per engine, nothing lost, nothing charged twice', () => {
    expect(report.run.skipped).toEqual([]);
    expect(report.results.map((r) => `${r.scenario}/${r.engine}`).sort()).toEqual(
      ['busy-machine', 'jitter', 'polling-clients', 'surge'].flatMap((s) => [`${s}/redis-stream`, `${s}/temporal`]),
    );
    for (const r of report.results) {
      const size = r.scenario === 'surge' ? SURGE : REQUESTS;
      expect({
        [`${r.scenario}/${r.engine}`]: [r.requests, r.accepted, r.succeeded, r.lost, r.duplicateCharges],
      }).toEqual({ [`${r.scenario}/${r.engine}`]: [size, size, size, 0, 0] });
      // Every POST answered and counted once, by its code.
      expect(sum(r.detail.intake.answers)).toBe(r.requests);
      expect(r.detail.intake.answers['202']).toBe(r.accepted);
    }
  });

  test('when a scenario runs then the PG sees no more calls at once than its limit, and at most a handful of 429s', () => {
    for (const r of report.results) {
      expect({ [`${r.scenario}/${r.engine}`]: r.pg.maxInFlight <= r.detail.pgLimits.concurrency }).toEqual({
        [`${r.scenario}/${r.engine}`]: true,
      });
      // The learned margin may meet a few 429s early (docs/admission.md); five is the bound.
      expect({ [`${r.scenario}/${r.engine}`]: r.pg.rejected429 <= 5 }).toEqual({ [`${r.scenario}/${r.engine}`]: true });
    }
  });

  test('when jitter and busy-machine run then the report says what surrounded the engines', () => {
    for (const engine of ['temporal', 'redis-stream']) {
      expect(get('jitter', engine).detail.conditions).toEqual([expect.stringContaining('PG_ARRIVAL_JITTER_MS=0-30')]);
      expect(get('busy-machine', engine).detail.conditions).toEqual([expect.stringContaining('one core kept busy')]);
    }
  });

  test('when surge runs then the intake figures are reported: accept p50 <= p99 <= max, the last 202 after the first', () => {
    for (const engine of ['temporal', 'redis-stream']) {
      const { acceptMs, detail } = get('surge', engine);
      expect(acceptMs.p50).toBeLessThanOrEqual(acceptMs.p99);
      expect(acceptMs.p99).toBeLessThanOrEqual(detail.intake.acceptMaxMs);
      expect(detail.intake.lastAcceptedAtMs).toBeGreaterThan(0);
    }
  });

  test('when clients poll their status then every read is counted by code, at least one per payment, all 200', () => {
    for (const engine of ['temporal', 'redis-stream']) {
      const r = get('polling-clients', engine);
      const reads = r.detail.statusReads!;
      expect(Object.keys(reads.answers)).toEqual(['200']);
      expect(reads.answers['200']).toBeGreaterThanOrEqual(r.accepted);
      expect(reads.latencyMs.p50).toBeLessThanOrEqual(reads.latencyMs.p99);
    }
    // Only polling-clients polls.
    expect(get('surge', 'temporal').detail.statusReads).toBeUndefined();
  });

  test('when the run ends then each engine states its durability class and what it cost per payment', () => {
    expect(report.run.belowPaymentClass).toBeUndefined();
    for (const r of report.results) {
      expect(r.detail.durability).toMatch(
        r.engine === 'temporal' ? /SQLite journal_mode=WAL, synchronous=NORMAL/ : /appendfsync everysec/,
      );
      expect(r.detail.cost!.cpuMsPerPayment).toBeGreaterThan(0);
      expect(r.detail.cost!.peakRssMb).toBeGreaterThan(0);
      // Temporal: server, API, worker and the run's Redis; Redis Stream: API, consumer, Redis.
      expect(r.detail.cost!.processes).toBeGreaterThanOrEqual(r.engine === 'temporal' ? 4 : 3);
    }
  });
});
