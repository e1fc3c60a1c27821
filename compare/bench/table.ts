/**
 * The terminal's side-by-side tables, one row per result, grouped by scenario: the PG's score and
 * the timing; then what each run cost and promised (durability, CPU and memory per payment, a
 * restart's length); then, for the scenarios that have them, the intake's answers and the status
 * reads, merchant B's wait beside a flash sale, and each PG's figures when one of two is down;
 * last, the ceiling's payments per second.
 */
import type { BenchResult, CodeCounts, LaneFigures } from './types';

/** Title, cell, and (for the HTML report) whether the cell shows a broken promise. */
export type Columns = Array<[string, (r: BenchResult) => string, ((r: BenchResult) => boolean)?]>;

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

const MAIN: Columns = [
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
  ['last 429', (r) => (r.detail.rejectedAtMs.length ? s1(Math.max(...r.detail.rejectedAtMs)) : '-')],
  // When the PG's first second filled (its R-th call): the run's end repeats that lateness.
  ['R-th call', (r) => (r.detail.pgFirstSecond.rateFullMs === null ? '-' : s2(r.detail.pgFirstSecond.rateFullMs))],
  ['makespan', (r) => s1(r.makespanMs)],
  ['ideal', (r) => s1(r.idealMakespanMs)],
  ['util', (r) => r.utilisation.toFixed(3)],
  ['accept p50/p99', (r) => `${r.acceptMs.p50}/${r.acceptMs.p99}ms`],
  ['e2e p50/p99', (r) => `${(r.endToEndMs.p50 / 1000).toFixed(1)}/${(r.endToEndMs.p99 / 1000).toFixed(1)}s`],
  ['pay/s', (r) => r.detail.throughputPerSecond.toFixed(1)],
];

const SHORT: Array<[RegExp, (m: string) => string]> = [
  [/SQLite journal_mode=WAL, synchronous=\w+/, (m) => m.replace('journal_mode=WAL, ', 'WAL ')],
  [/appendfsync \w+/, (m) => `Redis AOF ${m}`],
  [/synchronous_commit=\w+/, (m) => `PostgreSQL ${m}`],
];

/** The classes named in a durability text, short ("Redis AOF appendfsync everysec + SQLite WAL synchronous=NORMAL"). */
export function shortDurability(durability: string): string {
  const found = SHORT.map(([pattern, short]) => {
    const match = pattern.exec(durability);
    return match ? { at: match.index, text: short(match[0]) } : undefined;
  }).filter((x) => x !== undefined);
  return found.length
    ? found
        .sort((a, b) => a.at - b.at)
        .map((x) => x.text)
        .join(' + ')
    : durability;
}

const COST: Columns = [
  ['scenario', (r) => r.scenario],
  ['engine', (r) => r.engine],
  ['durability', (r) => shortDurability(r.detail.durability)],
  ['CPU ms/payment', (r) => (r.detail.cost ? r.detail.cost.cpuMsPerPayment.toFixed(1) : '-')],
  ['CPU s', (r) => (r.detail.cost ? (r.detail.cost.cpuMs / 1000).toFixed(1) : '-')],
  ['peak RSS MB', (r) => (r.detail.cost ? String(r.detail.cost.peakRssMb) : '-')],
  ['processes', (r) => (r.detail.cost ? String(r.detail.cost.processes) : '-')],
  ['restart', (r) => (r.detail.restartMs !== undefined ? s1(r.detail.restartMs) : '')],
];

const codes = (counts: CodeCounts) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${n}x${code}`)
    .join(' ');

const INTAKE: Columns = [
  ['scenario', (r) => r.scenario],
  ['engine', (r) => r.engine],
  ['POST answers', (r) => codes(r.detail.intake.answers)],
  ['accept p50/p99/max', (r) => `${r.acceptMs.p50}/${r.acceptMs.p99}/${r.detail.intake.acceptMaxMs}ms`],
  ['last 2xx at', (r) => s1(r.detail.intake.lastAcceptedAtMs)],
  ['status answers', (r) => (r.detail.statusReads ? codes(r.detail.statusReads.answers) : '')],
  [
    'status p50/p99/max',
    (r) => {
      const l = r.detail.statusReads?.latencyMs;
      return l ? `${l.p50}/${l.p99}/${l.max}ms` : '';
    },
  ],
];

/** noisy-neighbour: B's wait beside every engine's, and whether A's flash sale all succeeded. */
const NEIGHBOUR: Columns = [
  ['scenario', (r) => r.scenario],
  ['engine', (r) => r.engine],
  [
    "B's wait 202 → PG call p50/p99/max",
    (r) => {
      const w = r.detail.neighbour?.bWaitMs;
      return w ? `${s1(w.p50)}/${s1(w.p99)}/${s1(w.max)}` : '';
    },
  ],
  ['B', (r) => String(r.detail.neighbour?.bPayments ?? '')],
  [
    "A's SUCCESS",
    (r) => (r.detail.neighbour ? `${r.detail.neighbour.aSucceeded}/${r.detail.neighbour.aPayments}` : ''),
  ],
  ['merchants', (r) => r.detail.neighbour?.merchants ?? ''],
];

const lane = (r: BenchResult, i: number): LaneFigures | undefined => r.detail.lanes?.pgs[i];
const laneScore = (l?: LaneFigures) =>
  l ? `${l.score.maxInFlight}/${l.score.maxPerSecond}/${l.score.rejected429}/${l.score.duplicateCharges}` : '';
const overLimits = (r: BenchResult, l?: LaneFigures) =>
  !!l &&
  (l.score.maxInFlight > r.detail.pgLimits.concurrency ||
    l.score.maxPerSecond > r.detail.pgLimits.ratePerSecond ||
    l.score.rejected429 > 0 ||
    l.score.duplicateCharges > 0);
const notAllOnce = (l?: LaneFigures) => !!l && (l.succeeded < l.payments || l.score.charges !== l.payments);

/**
 * pg-outage: each PG's merchant's payments and the PG's own score (at once / in a second / 429 /
 * charged twice), pg-main's utilisation against its own burst's ideal, and when pg-alt's first
 * payment succeeded.
 */
export const LANES: Columns = [
  ['scenario', (r) => r.scenario],
  ['engine', (r) => r.engine],
  ['pg-main util', (r) => lane(r, 0)?.utilisation.toFixed(3) ?? ''],
  [
    'pg-main SUCCESS',
    (r) => (lane(r, 0) ? `${lane(r, 0)!.succeeded}/${lane(r, 0)!.payments}` : ''),
    (r) => notAllOnce(lane(r, 0)),
  ],
  ['pg-main inFl/max/s/429/dup', (r) => laneScore(lane(r, 0)), (r) => overLimits(r, lane(r, 0))],
  ['pg-alt down', (r) => (lane(r, 1)?.outageSeconds ? `${lane(r, 1)!.outageSeconds} s` : 'no')],
  [
    'pg-alt SUCCESS',
    (r) => (lane(r, 1) ? `${lane(r, 1)!.succeeded}/${lane(r, 1)!.payments}` : ''),
    (r) => notAllOnce(lane(r, 1)),
  ],
  [
    'pg-alt first SUCCESS at',
    (r) => {
      const at = lane(r, 1)?.firstSuccessMs;
      return at == null ? '' : s1(at);
    },
  ],
  ['pg-alt 503s', (r) => String(lane(r, 1)?.score.outage503 ?? '')],
  ['pg-alt inFl/max/s/429/dup', (r) => laneScore(lane(r, 1)), (r) => overLimits(r, lane(r, 1))],
];

/** How each engine routes by PG, once per engine. */
export function routingLines(results: BenchResult[]): string[] {
  const routing = new Map(
    results.flatMap((r) => (r.detail.lanes ? [[r.engine, r.detail.lanes.routing] as const] : [])),
  );
  return [...routing].map(([engine, how]) => `${engine}: ${how}`);
}

/** pg-main's utilisation with pg-alt down beside the run with it up, per engine: issue 16's "within 0.02". */
export function outageLine(results: BenchResult[]): string | undefined {
  const util = (scenario: string, engine: string) =>
    results.find((r) => r.scenario === scenario && r.engine === engine)?.detail.lanes?.pgs[0]?.utilisation;
  const pairs = [...new Set(results.map((r) => r.engine))].flatMap((engine) => {
    const [down, up] = [util('pg-outage', engine), util('pg-outage-none', engine)];
    if (down === undefined || up === undefined) return [];
    const delta = down - up;
    return [`${engine} ${down.toFixed(3)} vs ${up.toFixed(3)} (${delta >= 0 ? '+' : ''}${delta.toFixed(3)})`];
  });
  return pairs.length ? `pg-main's utilisation with pg-alt down vs up: ${pairs.join(', ')}` : undefined;
}

/** Scenarios whose intake or status reads are their point. */
const INTAKE_SCENARIOS = new Set(['surge', 'polling-clients']);

function render(columns: Columns, results: BenchResult[]): string {
  const rows = results.map((r) => columns.map(([, cell]) => cell(r)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(columns.map(([t]) => t)), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const [i, row] of rows.entries()) {
    if (last && results[i]!.scenario !== last) out.push('');
    last = results[i]!.scenario;
    out.push(line(row));
  }
  return out.join('\n');
}

/** The ceiling's figure per engine: payments per second against a PG with no limit worth the name. */
export function ceilingLine(results: BenchResult[]): string | undefined {
  const ceiling = results.filter((r) => r.scenario === 'ceiling');
  if (ceiling.length === 0) return undefined;
  return `ceiling (payments/s with the PG unthrottled): ${ceiling.map((r) => `${r.engine} ${r.detail.throughputPerSecond.toFixed(1)}`).join(', ')}`;
}

/**
 * The ceiling's cost per payment, one line per engine: its CPU by process and, for Temporal, the
 * server's RPCs and persistence calls, so a reader sees what durability and visibility cost.
 */
export function ceilingCostLines(results: BenchResult[]): string[] {
  return results
    .filter((r) => r.scenario === 'ceiling' && r.detail.cost)
    .map((r) => {
      const cost = r.detail.cost!;
      const byProcess = Object.entries(cost.cpuMsPerPaymentByProcess ?? {})
        .map(([name, ms]) => `${name} ${ms}`)
        .join(', ');
      const calls = cost.serverCallsPerPayment ?? {};
      const rpcs = Object.entries(calls)
        .filter(([key]) => key.startsWith('rpc '))
        .reduce((sum, [, n]) => sum + n, 0);
      const server =
        calls.persistence === undefined
          ? ''
          : `; server RPCs ${Math.round(rpcs * 10) / 10}, persistence calls ${calls.persistence}`;
      return `cost per payment, ${r.engine}: ${cost.cpuMsPerPayment} CPU ms${byProcess ? ` (${byProcess})` : ''}${server}`;
    });
}

export function formatTable(results: BenchResult[]): string {
  const intake = results.filter((r) => INTAKE_SCENARIOS.has(r.scenario));
  const neighbours = results.filter((r) => r.detail.neighbour);
  const lanes = results.filter((r) => r.detail.lanes);
  const durabilities = [...new Set(results.map((r) => r.detail.durability))];
  return [
    render(MAIN, results),
    '',
    render(COST, results),
    ...durabilities.map((d) => `  ${shortDurability(d)}: ${d}`),
    ...(intake.length ? ['', render(INTAKE, intake)] : []),
    ...(neighbours.length ? ['', render(NEIGHBOUR, neighbours)] : []),
    ...(lanes.length
      ? ['', render(LANES, lanes), ...routingLines(lanes).map((l) => `  ${l}`), outageLine(results) ?? '']
      : []),
    ...(ceilingLine(results) ? ['', ceilingLine(results)!, ...ceilingCostLines(results)] : []),
  ].join('\n');
}
