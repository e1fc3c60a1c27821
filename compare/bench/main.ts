/** `npm run bench -- [--requests N] [--surge N] [--out DIR] [--engines a,b] [--scenarios x,y] [--sequential]` */
import path from 'node:path';
import { USAGE, parseBenchArgs } from './args';
import { runBench } from './bench';
import { formatTable } from './table';
import type { EngineCost } from './types';

/** `temporal 20.1, node worker-main 15.2, ...`: where a run's CPU per payment went. */
const byProcessLine = (cost: EngineCost) =>
  Object.entries(cost.cpuMsPerPaymentByProcess ?? {})
    .map(([name, ms]) => `${name} ${ms}`)
    .join(', ');

async function main(): Promise<void> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const args = parseBenchArgs(process.argv.slice(2));
  // Side-by-side runs interleave their progress: plain lines then, not one rewritten line.
  const tty = process.stdout.isTTY && !!args.sequential;
  let lastLine = '';
  let lastPrinted = 0;
  const progress = (scenario: string, engine: string, text: string) => {
    const line = `  [${scenario}] ${engine}: ${text}`;
    if (line === lastLine) return;
    lastLine = line;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Date.now() - lastPrinted > 5000 || /starting|final$/.test(text)) {
      lastPrinted = Date.now();
      process.stdout.write(`${line}\n`);
    }
  };
  const out = await runBench(
    args,
    {
      progress,
      log: (line) => process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`),
      result: (r) =>
        process.stdout.write(
          `${tty ? '\r\x1b[2K' : ''}  [${r.scenario}] ${r.engine}: ${r.succeeded} ok, ${r.failed} failed, ${r.lost} lost, ${r.duplicateCharges} dup, PG max ${r.pg.maxInFlight} in flight / ${r.pg.maxPerSecond} per s / ${r.pg.rejected429} x 429, makespan ${(r.makespanMs / 1000).toFixed(1)} s (ideal ${(r.idealMakespanMs / 1000).toFixed(1)} s, utilisation ${r.utilisation})${r.detail.cost ? `, ${r.detail.cost.cpuMsPerPayment} CPU ms/payment (${byProcessLine(r.detail.cost)}), peak RSS ${r.detail.cost.peakRssMb} MB` : ''}${r.detail.restartMs !== undefined ? `, restart ${(r.detail.restartMs / 1000).toFixed(1)} s` : ''}\n`,
        ),
    },
    `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  );
  process.stdout.write(`\n${formatTable(out.report.results)}\n\n`);
  if (out.report.run.belowPaymentClass) process.stdout.write(`marked: ${out.report.run.belowPaymentClass}\n`);
  if (out.report.run.skipped.length)
    process.stdout.write(`skipped:\n${out.report.run.skipped.map((s) => `  - ${s}`).join('\n')}\n`);
  process.stdout.write(
    `took ${(out.report.run.durationMs / 1000).toFixed(0)} s\nreport: ${path.resolve(out.files.html)}\n        ${path.resolve(out.files.json)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
