/** The terminal's side-by-side table: one row per result, grouped by scenario. */
import type { BenchResult } from './types';

const COLUMNS: Array<[string, (r: BenchResult) => string]> = [
  ['scenario', (r) => r.scenario],
  ['engine', (r) => r.engine],
  ['acc/req', (r) => `${r.accepted}/${r.requests}`],
  ['ok', (r) => String(r.succeeded)],
  ['failed', (r) => String(r.failed)],
  ['lost', (r) => String(r.lost)],
  ['dup', (r) => String(r.duplicateCharges)],
  ['maxInFl', (r) => `${r.pg.maxInFlight}/${r.detail.pgLimits.concurrency}`],
  ['max/s', (r) => `${r.pg.maxPerSecond}/${r.detail.pgLimits.ratePerSecond}`],
  ['429', (r) => String(r.pg.rejected429)],
  ['makespan', (r) => `${(r.makespanMs / 1000).toFixed(1)}s`],
  ['ideal', (r) => `${(r.idealMakespanMs / 1000).toFixed(1)}s`],
  ['util', (r) => r.utilisation.toFixed(3)],
  ['accept p50/p99', (r) => `${r.acceptMs.p50}/${r.acceptMs.p99}ms`],
  ['e2e p50/p99', (r) => `${(r.endToEndMs.p50 / 1000).toFixed(1)}/${(r.endToEndMs.p99 / 1000).toFixed(1)}s`],
  ['pay/s', (r) => r.detail.throughputPerSecond.toFixed(1)],
];

export function formatTable(results: BenchResult[]): string {
  const rows = results.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const widths = COLUMNS.map(([title], i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(COLUMNS.map(([t]) => t)), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const [i, row] of rows.entries()) {
    if (last && results[i]!.scenario !== last) out.push('');
    last = results[i]!.scenario;
    out.push(line(row));
  }
  return out.join('\n');
}
