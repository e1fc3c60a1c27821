/**
 * The benchmark: every selected scenario for every engine it applies to, each run against its own
 * fresh fake PG and Redis. Runs go in waves (WAVES), and a wave's runs in sub-waves (subWaves):
 * each scenario's `temporal` run beside its `redis-stream` run, then the other engines together.
 * The runs of a sub-wave start their engines, wait for each other, take turns for a burst's intake
 * and then drain side by side. `burst`, `polling-clients` and `ceiling` run one engine at a time
 * (ALONE); `--sequential` runs everything one at a time.
 * `busy-machine`'s wave runs beside one process of ours that keeps a core busy throughout.
 * Writes report.json (docs/design.md §7), series.json (the charts' data) and report.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { BenchArgs } from './args';
import { REDIS_DURABILITY, isBelowPaymentClass, sqliteDurability } from '../../src/config/durability';
import { startCpuBurner } from '../../src/load/cpu-burner';
import { ENGINES } from './engines';
import { renderHtml } from './report-html';
import { Lineup, type Place } from './lineup';
import { type RunSettings, runOne } from './run-one';
import { PG_DEFAULT, SURGE_DEFAULT, type Scenario, buildScenarios } from './scenarios';
import type { BenchReport, BenchResult, ResultSeries } from './types';

/**
 * Scenario groups (or single scenarios) whose runs share the machine, in order. Each engine drains
 * at the PG's 10 calls a second, which leaves most of the CPU idle, so waves cost little accuracy
 * and save two thirds of the time; the burst comes first and alone, as it is the figure the goals
 * are about.
 */
export const WAVES: ReadonlyArray<readonly string[]> = [
  ['burst'],
  ['sustained'],
  ['flaky-pg', 'scale-3', 'partitions'],
  ['chaos-kill-worker', 'chaos-restart-server'],
  ['jitter'],
  ['busy-machine'],
  ['polling-clients'],
  ['surge'],
  ['noisy-neighbour'],
  // One wave each: with two PGs a Temporal stack drains up to 20 payments a second at about 85 ms
  // of CPU each; two such stacks side by side starved on two cores (pg-main's utilisation 0.55,
  // against 0.91-0.93 one run at a time).
  ['pg-outage'],
  ['pg-outage-none'],
  ['ceiling'],
];
/** The wave a scenario runs in: the one naming it, else the one naming its group. */
function waveOf(scenario: Scenario): number {
  const byName = WAVES.findIndex((wave) => wave.includes(scenario.name));
  return byName >= 0 ? byName : WAVES.findIndex((wave) => wave.includes(scenario.group));
}

/**
 * Groups measured one run at a time even in a wave. `burst`: the figure the project's goals are
 * about; in a wave, the engine that posted first began to drain while the others posted (the
 * Temporal engine's first ten PG calls came 1.6-2.2 s into the run beside the Redis Stream, 1.1 s
 * alone). `ceiling`: its figure is the engine's CPU cost.
 * `polling-clients`: each run's 500 clients read 500 times a second on threads of their own; seven
 * runs side by side made 3,500 reads a second on two cores, and every engine's figure was the
 * machine's (Temporal 0.506, the Redis Stream 0.908).
 */
const ALONE = new Set(['burst', 'ceiling', 'polling-clients']);

/**
 * How the runs of a shared wave take turns: each scenario's `temporal` run beside the same
 * scenario's `redis-stream` run, the pair the issues compare, then every other run side by side.
 * A Temporal stack takes 0.5-1 core at the PG's pace, a Redis engine a tenth of that, and
 * `semaphore-only`, `redis-list` and bullmq send 20-120 refused calls a second: in one crowded
 * wave of 2 December Temporal measured the machine (flaky-pg 0.353, busy-machine 0.804, surge
 * 2 × 429), where the same code beside the Redis Stream alone measured 0.738 and 0.895.
 */
export function subWaves<R extends { name: string; scenario: { name: string } }>(runs: R[]): R[][] {
  const pairs = runs
    .filter((r) => r.name === 'temporal')
    .map((t) => [t, ...runs.filter((r) => r.name === 'redis-stream' && r.scenario.name === t.scenario.name)]);
  const paired = new Set(pairs.flat());
  const rest = runs.filter((r) => !paired.has(r));
  return rest.length > 0 ? [...pairs, rest] : pairs;
}

export interface BenchOutput {
  report: BenchReport;
  series: ResultSeries[];
  files: { json: string; html: string; series: string };
}

export interface BenchHooks {
  /** Progress lines: which scenario, which engine, how many payments done. */
  progress?: (scenario: string, engine: string, text: string) => void;
  /** Each result as soon as it is known. */
  result?: (result: BenchResult) => void;
  log?: (line: string) => void;
}

export async function runBench(
  args: BenchArgs,
  hooks: BenchHooks = {},
  command = 'npm run bench',
): Promise<BenchOutput> {
  const started = Date.now();
  const scenarios = buildScenarios(args.requests, { surge: args.surge }).filter((s) =>
    args.scenarios.includes(s.group),
  );
  const settings: RunSettings = { sqliteSynchronous: args.sqliteSynchronous ?? 'NORMAL' };
  const results: BenchResult[] = [];
  const series: ResultSeries[] = [];
  const skipped: string[] = [];
  const runsOf = (scenario: Scenario) =>
    scenario.engines.filter((name) => args.engines.includes(name)).map((name) => ({ scenario, name }));
  const runEngine = async (
    { scenario, name }: { scenario: Scenario; name: (typeof args.engines)[number] },
    at?: Place,
  ) => {
    try {
      return await runOne(ENGINES[name], scenario, (text) => hooks.progress?.(scenario.name, name, text), at, settings);
    } catch (err) {
      const text = `${scenario.name}/${name} could not run: ${(err as Error).message.split('\n')[0]}`;
      skipped.push(text);
      hooks.log?.(text);
      return undefined;
    }
  };
  const keep = (one: Awaited<ReturnType<typeof runEngine>>) => {
    if (!one) return;
    results.push(one.result);
    series.push(one.series);
    hooks.result?.(one.result);
  };

  for (const index of WAVES.keys()) {
    const inWave = scenarios.filter((s) => waveOf(s) === index);
    if (inWave.length === 0) continue;
    for (const scenario of inWave) hooks.log?.(`\n== ${scenario.name}: ${scenario.summary}`);
    const runs = inWave.flatMap(runsOf);
    if (runs.length === 0) continue;
    const burner = inWave.some((s) => s.busyCore) ? await startCpuBurner() : undefined;
    if (burner) hooks.log?.(`   one core kept busy by the CPU burner (pid ${burner.pid})`);
    try {
      if (args.sequential || inWave.every((s) => ALONE.has(s.group))) {
        for (const run of runs) keep(await runEngine(run));
        continue;
      }
      for (const subWave of subWaves(runs)) {
        hooks.log?.(`   ${subWave.length} runs side by side; bursts take turns to post`);
        const lineup = new Lineup(subWave.length);
        const outcomes = await Promise.all(subWave.map((run, place) => runEngine(run, { lineup, place })));
        outcomes.forEach(keep);
      }
    } finally {
      await burner?.stop();
    }
  }
  const usesTemporal = results.some((r) => r.engine.startsWith('temporal'));

  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    pg: {
      concurrency: PG_DEFAULT.concurrency,
      ratePerSecond: PG_DEFAULT.ratePerSecond,
      latencyMs: PG_DEFAULT.latencyMs,
    },
    results,
    run: {
      command,
      requests: args.requests,
      engines: args.engines,
      scenarios: args.scenarios,
      durationMs: Date.now() - started,
      host: `${hostname()}`,
      redisPersistence: REDIS_DURABILITY,
      sqliteSynchronous: sqliteDurability(settings.sqliteSynchronous),
      ...(usesTemporal && isBelowPaymentClass(settings.sqliteSynchronous)
        ? {
            belowPaymentClass: `TEMPORAL_SQLITE_SYNCHRONOUS=${settings.sqliteSynchronous}: the Temporal engines ran below the other engines' durability class`,
          }
        : {}),
      surge: args.surge ?? SURGE_DEFAULT,
      skipped,
      schedule: args.sequential
        ? 'one run at a time'
        : `waves: ${WAVES.map((w) => w.join(' + ')).join(' | ')}; ${[...ALONE].join(', ')} one run at a time; elsewhere each scenario's temporal run beside its redis-stream run, then the other engines side by side`,
    },
  };
  mkdirSync(args.out, { recursive: true });
  const files = {
    json: path.join(args.out, 'report.json'),
    html: path.join(args.out, 'report.html'),
    series: path.join(args.out, 'series.json'),
  };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.series, `${JSON.stringify(series)}\n`);
  writeFileSync(files.html, renderHtml(report, series));
  return { report, series, files };
}
