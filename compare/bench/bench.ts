/**
 * The benchmark: every selected scenario for every engine it applies to, one after the other (so
 * no run steals the CPU from another) unless `--parallel`, each against its own fresh fake PG and Redis. Writes
 * report.json (DESIGN §7), series.json (the charts' data) and report.html to the output directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { BenchArgs } from './args';
import { REDIS_PERSISTENCE } from './bench-redis';
import { ENGINES } from './engines';
import { renderHtml } from './report-html';
import { runOne } from './run-one';
import { PG_DEFAULT, buildScenarios } from './scenarios';
import type { BenchReport, BenchResult, ResultSeries } from './types';

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

export async function runBench(args: BenchArgs, hooks: BenchHooks = {}, command = 'npm run bench'): Promise<BenchOutput> {
  const started = Date.now();
  const scenarios = buildScenarios(args.requests).filter((s) => args.scenarios.includes(s.group));
  const results: BenchResult[] = [];
  const series: ResultSeries[] = [];
  const skipped: string[] = [];
  for (const name of args.engines) {
    const reason = ENGINES[name].unavailable();
    if (reason) skipped.push(`${name}: ${reason}`);
  }
  for (const s of skipped) hooks.log?.(`skipped ${s}`);

  for (const scenario of scenarios) {
    hooks.log?.(`\n== ${scenario.name}: ${scenario.summary}`);
    const names = scenario.engines.filter((name) => args.engines.includes(name) && !ENGINES[name].unavailable());
    const runEngine = async (name: (typeof names)[number]) => {
      try {
        return await runOne(ENGINES[name], scenario, (text) => hooks.progress?.(scenario.name, name, text));
      } catch (err) {
        const text = `${scenario.name}/${name} could not run: ${(err as Error).message.split('\n')[0]}`;
        skipped.push(text);
        hooks.log?.(text);
        return undefined;
      }
    };
    // The ceiling measures each engine's own CPU cost: it never shares the machine.
    const together = args.parallel && scenario.group !== 'ceiling';
    const outcomes = together ? await Promise.all(names.map(runEngine)) : [];
    for (const [i, name] of names.entries()) {
      const one = together ? outcomes[i] : await runEngine(name);
      if (!one) continue;
      results.push(one.result);
      series.push(one.series);
      hooks.result?.(one.result);
    }
  }

  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    pg: { concurrency: PG_DEFAULT.concurrency, ratePerSecond: PG_DEFAULT.ratePerSecond, latencyMs: PG_DEFAULT.latencyMs },
    results,
    run: {
      command,
      requests: args.requests,
      engines: args.engines,
      scenarios: args.scenarios,
      durationMs: Date.now() - started,
      host: `${hostname()}`,
      redisPersistence: REDIS_PERSISTENCE,
      skipped,
    },
  };
  mkdirSync(args.out, { recursive: true });
  const files = { json: path.join(args.out, 'report.json'), html: path.join(args.out, 'report.html'), series: path.join(args.out, 'series.json') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.series, `${JSON.stringify(series)}\n`);
  writeFileSync(files.html, renderHtml(report, series));
  return { report, series, files };
}
