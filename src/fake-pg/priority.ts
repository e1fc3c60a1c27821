/**
 * Raises the referee's scheduling priority so its arrival stamps read arrival, not "when it next
 * got a CPU". Real-time FIFO (via util-linux `chrt`, main thread) preempts the
 * engines at once; nice only weighs the PG up, and a waking PG can still wait out another process's
 * time slice. Each step is skipped where it is not allowed; the answer says what took effect.
 */
import { execFileSync } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';

export interface PriorityWish {
  realtimePriority: number;
  nice: number;
}

export function raisePriority({ realtimePriority, nice }: PriorityWish): string {
  if (realtimePriority > 0) {
    try {
      // The main thread only: it is the one that stamps arrivals, and it sleeps between calls.
      // V8's helper threads stay ordinary, so nothing real-time can spin and starve the engines.
      execFileSync('chrt', ['--fifo', '--pid', String(realtimePriority), String(process.pid)], { stdio: 'ignore', timeout: 5000 });
      return `real-time FIFO ${realtimePriority}`;
    } catch {
      // Not permitted here, or no chrt: nice is the next best.
    }
  }
  try {
    setPriority(nice);
    return `nice ${nice}`;
  } catch {
    return `nice ${getPriority()} (could not raise it; on a busy machine arrival stamps may lag)`;
  }
}
