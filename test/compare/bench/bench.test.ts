import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../../../compare/bench/bench';
import type { BenchReport } from '../../../compare/bench/types';

const RESULT_KEYS = [
  'engine',
  'scenario',
  'requests',
  'accepted',
  'succeeded',
  'failed',
  'lost',
  'duplicateCharges',
  'pg',
  'makespanMs',
  'idealMakespanMs',
  'utilisation',
  'acceptMs',
  'endToEndMs',
];

describe('a small benchmark run: burst and a killed worker, Temporal and the reliable Redis list', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-test-'));
  let report: BenchReport;
  let html: string;

  beforeAll(async () => {
    await runBench(
      { requests: 30, out, engines: ['temporal', 'redis-list-reliable'], scenarios: ['burst', 'chaos-kill-worker'] },
      {},
      'jest',
    );
    report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as BenchReport;
    html = readFileSync(path.join(out, 'report.html'), 'utf8');
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('when the run ends then report.json holds one result per engine and scenario, in docs/design.md §7 shape', () => {
    expect(Object.keys(report).slice(0, 3)).toEqual(['startedAt', 'pg', 'results']);
    expect(report.pg).toEqual({ concurrency: 10, ratePerSecond: 10, latencyMs: '100-300' });
    expect(report.results.map((r) => `${r.scenario}/${r.engine}`).sort()).toEqual([
      'burst/redis-list-reliable',
      'burst/temporal',
      'chaos-kill-worker/redis-list-reliable',
      'chaos-kill-worker/temporal',
    ]);
    for (const r of report.results) {
      for (const key of RESULT_KEYS) expect(r).toHaveProperty(key);
      expect(Object.keys(r.pg).sort()).toEqual(['maxInFlight', 'maxPerSecond', 'rejected429']);
      expect(Object.keys(r.acceptMs).sort()).toEqual(['p50', 'p99']);
      // Every accepted payment is counted exactly once: final, or lost.
      expect(r.succeeded + r.failed + r.lost).toBe(r.accepted);
      // 30 payments at 10/s: the PG's first second filled, before the run ended.
      const { firstCallMs, rateFullMs } = r.detail.pgFirstSecond;
      expect(firstCallMs).not.toBeNull();
      expect(rateFullMs).toBeGreaterThanOrEqual(firstCallMs!);
      expect(rateFullMs).toBeLessThan(r.makespanMs);
    }
  });

  test('when a worker is killed mid-burst then Temporal still loses nothing and charges nothing twice', () => {
    const temporal = report.results.filter((r) => r.engine === 'temporal');
    expect(temporal).toHaveLength(2);
    for (const r of temporal) {
      expect([r.scenario, r.accepted, r.succeeded, r.lost, r.duplicateCharges]).toEqual([r.scenario, 30, 30, 0, 0]);
    }
    const chaos = temporal.find((r) => r.scenario === 'chaos-kill-worker')!;
    expect(chaos.detail.events.map((e) => e.what)).toEqual([
      expect.stringMatching(/^SIGKILL worker/),
      expect.stringMatching(/^started worker/),
    ]);
  });

  test('when one worker or consumer serves the PG then no engine exceeds its concurrency limit', () => {
    for (const r of report.results)
      expect({ [`${r.scenario}/${r.engine}`]: r.pg.maxInFlight <= 10 }).toEqual({
        [`${r.scenario}/${r.engine}`]: true,
      });
    expect(report.results.every((r) => r.duplicateCharges === 0)).toBe(true);
  });

  test('when the run ends then report.html is one self-contained page with the charts and the study document table', () => {
    expect(html).toContain('<svg');
    expect(html).toContain('payments final over time');
    expect(html).toContain('PG calls in flight');
    expect(html).toContain('Crash recovery');
    // Nothing fetched: no script, no stylesheet or image link; the only URL is SVG's namespace name.
    expect(html).not.toMatch(/<script|<link|<img|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
  });
});
