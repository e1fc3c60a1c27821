/**
 * report.html: one self-contained page (inline SVG and CSS, no script, no network): the results
 * side by side, the study document's §6.2 claims against the evidence, and per scenario the completions
 * against the ideal, the PG's in-flight count and the end-to-end latency distribution.
 */
import { buildClaims } from './claims';
import { PALETTE, lineChart } from './svg';
import { LANES, ceilingCostLines, ceilingLine, outageLine, routingLines, shortDurability } from './table';
import type { BenchReport, BenchResult, ResultSeries } from './types';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const s1 = (ms: number) => (ms / 1000).toFixed(1);

/** The most payments the PG's limits let finish by time t (docs/design.md §7's bound, at every instant). */
function idealCurve(s: ResultSeries, untilMs: number): Array<[number, number]> {
  const { concurrency: C, ratePerSecond: R, latencyMs: L } = s.ideal;
  const points: Array<[number, number]> = [];
  const step = Math.max(20, Math.round(untilMs / 400));
  for (let t = 0; t <= untilMs + step; t += step) {
    const byRate = t < L ? 0 : R * (Math.floor((t - L) / 1000) + 1);
    const bySlots = L > 0 ? C * Math.floor(t / L) : s.requests;
    points.push([t / 1000, Math.min(s.requests, byRate, bySlots)]);
  }
  return points;
}

const cumulative = (times: number[]): Array<[number, number]> => [
  [0, 0],
  ...times.map((t, i): [number, number] => [t / 1000, i + 1]),
];

function cdf(values: number[]): Array<[number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((v, i) => [v / 1000, ((i + 1) / sorted.length) * 100]);
}

const cell = (v: string, bad = false) => `<td${bad ? ' class="bad"' : ''}>${esc(v)}</td>`;

function resultsTable(results: BenchResult[]): string {
  const head = [
    'scenario',
    'engine',
    'accepted / requests',
    'succeeded',
    'failed',
    'lost',
    'duplicate charges',
    'PG maxInFlight',
    'PG maxPerSecond',
    'PG 429',
    'PG R-th call s',
    'makespan s',
    'ideal s',
    'utilisation',
    'accept p50 / p99 ms',
    'end-to-end p50 / p99 s',
    'leaked permits',
    'durability',
    'CPU ms / payment',
    'peak RSS MB',
    'setup',
  ];
  const rows = results.map((r) => {
    const overC = r.pg.maxInFlight > r.detail.pgLimits.concurrency;
    const overR = r.pg.maxPerSecond > r.detail.pgLimits.ratePerSecond;
    return `<tr>${[
      cell(r.scenario),
      `<td><span class="dot" style="background:${PALETTE[r.engine]}"></span>${esc(r.engine)}</td>`,
      cell(`${r.accepted} / ${r.requests}`, r.accepted < r.requests),
      cell(String(r.succeeded)),
      cell(String(r.failed), r.failed > 0),
      cell(String(r.lost), r.lost > 0),
      cell(String(r.duplicateCharges), r.duplicateCharges > 0),
      cell(`${r.pg.maxInFlight} / ${r.detail.pgLimits.concurrency}`, overC),
      cell(`${r.pg.maxPerSecond} / ${r.detail.pgLimits.ratePerSecond}`, overR),
      cell(
        r.detail.rejectedAtMs.length
          ? `${r.pg.rejected429} (last at ${s1(Math.max(...r.detail.rejectedAtMs))} s)`
          : String(r.pg.rejected429),
        r.pg.rejected429 > 0,
      ),
      cell(r.detail.pgFirstSecond.rateFullMs === null ? '–' : (r.detail.pgFirstSecond.rateFullMs / 1000).toFixed(2)),
      cell(s1(r.makespanMs)),
      cell(s1(r.idealMakespanMs)),
      cell(r.utilisation.toFixed(3), r.utilisation > 1),
      cell(`${r.acceptMs.p50} / ${r.acceptMs.p99}`),
      cell(`${s1(r.endToEndMs.p50)} / ${s1(r.endToEndMs.p99)}`),
      cell(r.detail.leakedPermits === null ? '–' : String(r.detail.leakedPermits), (r.detail.leakedPermits ?? 0) > 0),
      cell(shortDurability(r.detail.durability), /synchronous=OFF/.test(r.detail.durability)),
      cell(r.detail.cost ? r.detail.cost.cpuMsPerPayment.toFixed(1) : '–'),
      cell(r.detail.cost ? String(r.detail.cost.peakRssMb) : '–'),
      `<td class="small">${r.detail.restartMs !== undefined ? `<b>restart ${s1(r.detail.restartMs)} s</b><br>` : ''}${esc(r.detail.variant)}${r.detail.events.length ? `<br>${r.detail.events.map((e) => `${s1(e.atMs)} s: ${esc(e.what)}`).join('<br>')}` : ''}${r.lost ? `<br>${esc(r.detail.settled)}` : ''}</td>`,
    ].join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const codes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${n} × ${code}`)
    .join(', ');

/** surge and polling-clients: the intake's answers and the status reads. */
function intakeTable(results: BenchResult[]): string {
  const shown = results.filter((r) => r.scenario === 'surge' || r.scenario === 'polling-clients');
  if (shown.length === 0) return '';
  const rows = shown.map((r) => {
    const reads = r.detail.statusReads;
    const notOk = reads ? Object.entries(reads.answers).some(([code, n]) => code !== '200' && n > 0) : false;
    return `<tr>${[
      cell(r.scenario),
      cell(r.engine),
      cell(codes(r.detail.intake.answers), r.accepted < r.requests),
      cell(`${r.acceptMs.p50} / ${r.acceptMs.p99} / ${r.detail.intake.acceptMaxMs}`),
      cell(s1(r.detail.intake.lastAcceptedAtMs)),
      cell(reads ? codes(reads.answers) : '–', notOk),
      cell(reads ? `${reads.latencyMs.p50} / ${reads.latencyMs.p99} / ${reads.latencyMs.max}` : '–'),
    ].join('')}</tr>`;
  });
  const head = [
    'scenario',
    'engine',
    'POST /payments answers',
    'accept p50 / p99 / max ms',
    'last 2xx at s',
    'status answers',
    'status p50 / p99 / max ms',
  ];
  return `<h2>Intake and status reads</h2><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** pg-outage: each PG's figures per engine, and pg-main's utilisation with pg-alt down beside up. */
function lanesTable(results: BenchResult[]): string {
  const shown = results.filter((r) => r.detail.lanes);
  if (shown.length === 0) return '';
  const rows = shown.map((r) => `<tr>${LANES.map(([, text, bad]) => cell(text(r), bad?.(r))).join('')}</tr>`);
  const line = outageLine(results);
  return `<h2>Two PGs, one down (pg-outage)</h2>
<p class="small">Merchant A's payments go to pg-main, merchant B's to pg-alt. Each PG's score is its own: most calls at once / in a sliding second / 429s / charged twice.</p>
<table><thead><tr>${LANES.map(([title]) => `<th>${esc(title)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
<ul class="small">${routingLines(shown)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>${line ? `<p><b>${esc(line)}</b></p>` : ''}`;
}

function durabilityNote(report: BenchReport): string {
  const classes = [...new Set(report.results.map((r) => `${r.engine}: ${r.detail.durability}`))];
  const marked = report.run.belowPaymentClass
    ? `<p class="bad"><b>Marked:</b> ${esc(report.run.belowPaymentClass)}.</p>`
    : '';
  return `<h2>Durability classes</h2>${marked}<ul class="small">${classes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`;
}

function claimsTable(results: BenchResult[]): string {
  const rows = buildClaims(results).map(
    (c) =>
      `<tr><th>${esc(c.row)}</th><td>${esc(c.seed)}</td><td class="verdict ${c.verdict.startsWith('does not') ? 'bad' : c.verdict.startsWith('not') ? 'muted' : 'good'}">${esc(c.verdict)}</td><td><ul>${c.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></td></tr>`,
  );
  return `<table class="claims"><thead><tr><th>row</th><th>the study document's claim</th><th>verdict</th><th>measured evidence</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function scenarioSection(name: string, results: BenchResult[], series: ResultSeries[]): string {
  const horizon = Math.max(
    1,
    ...series.map((s) => s.completionsMs.at(-1) ?? 0),
    ...series.map((s) => s.idealMakespanMs),
  );
  const first = series[0]!;
  const completions = lineChart({
    title: `${name}: payments final over time`,
    xLabel: 'seconds after the first POST',
    yLabel: 'payments final',
    xMax: horizon / 1000,
    lines: [
      { name: 'ideal (docs/design.md §7)', color: PALETTE.ideal!, dashed: true, points: idealCurve(first, horizon) },
      ...series.map((s) => ({ name: s.engine, color: PALETTE[s.engine]!, points: cumulative(s.completionsMs) })),
    ],
  });
  const latency = lineChart({
    title: `${name}: end-to-end latency distribution`,
    xLabel: 'seconds from POST to final status',
    yLabel: '% of payments',
    yMax: 100,
    lines: series.map((s) => ({ name: s.engine, color: PALETTE[s.engine]!, points: cdf(s.endToEndMs) })),
  });
  const inFlight = series
    .map((s) =>
      lineChart({
        title: `${s.engine}: PG calls in flight`,
        xLabel: 'seconds after the first POST',
        yLabel: 'open calls at the PG',
        width: 420,
        height: 220,
        xMax: horizon / 1000,
        marks: [{ y: s.ideal.concurrency, label: `limit ${s.ideal.concurrency}` }],
        lines: [
          {
            name: s.engine,
            color: PALETTE[s.engine]!,
            step: true,
            points: s.inFlight.map(([t, n]) => [Math.max(0, t) / 1000, n]),
          },
        ],
      }),
    )
    .join('');
  const summary = results[0]
    ? `<p class="small">${esc(results.map((r) => `${r.engine}: ${r.detail.settled}`).join(' · '))}</p>`
    : '';
  return `<section><h2>${esc(name)}</h2>${summary}<div class="row">${completions}${latency}</div><div class="row">${inFlight}</div></section>`;
}

export function renderHtml(report: BenchReport, series: ResultSeries[]): string {
  const scenarios = [...new Set(report.results.map((r) => r.scenario))];
  const sections = scenarios
    .map((name) =>
      scenarioSection(
        name,
        report.results.filter((r) => r.scenario === name),
        series.filter((s) => s.scenario === name),
      ),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payments benchmark: Temporal vs Redis queues vs BullMQ</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px;margin:12px 0}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
thead th{background:#f3f3f3}p.bad{background:#fde2e1;padding:6px}td.bad{background:#fde2e1;font-weight:bold}.small{font-size:11px;color:#555}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px}
.row{display:flex;flex-wrap:wrap;gap:12px}.claims td ul{margin:0;padding-left:16px}
.verdict.good{background:#e3f4e6}.verdict.bad{background:#fde2e1;font-weight:bold}.verdict.muted{color:#777}
</style></head><body>
<h1>Rate-limited payments: Temporal against a Redis queue + semaphore and BullMQ</h1>
<p>Run started ${esc(report.startedAt)} on ${esc(report.run.host)}, took ${s1(report.run.durationMs)} s: <code>${esc(report.run.command)}</code>.
Fake PG: concurrency ${report.pg.concurrency}, ${report.pg.ratePerSecond} calls per sliding second, latency ${esc(report.pg.latencyMs)} ms (mean L); every run has its own fresh PG and Redis.
Redis runs with ${esc(report.run.redisPersistence)}. All PG figures are the fake PG's own score (counted on arrival), never the engine's.
Ideal makespan = max((ceil(N/R) − 1) s + L, ceil(N/C) × L); utilisation = ideal / actual (1.0 is the physical limit; above 1 means a limit was broken).</p>
${report.run.skipped.length ? `<p class="small">Not run: ${esc(report.run.skipped.join('; '))}</p>` : ''}
<h2>Results</h2>${resultsTable(report.results)}
${ceilingLine(report.results) ? `<p><b>${esc(ceilingLine(report.results)!)}</b></p>` : ''}
${ceilingCostLines(report.results)
  .map((l) => `<p>${esc(l)}</p>`)
  .join('\n')}
${durabilityNote(report)}
${intakeTable(report.results)}
${lanesTable(report.results)}
<h2>The study document's §6.2 table, measured</h2>${claimsTable(report.results)}
${sections}
</body></html>
`;
}
