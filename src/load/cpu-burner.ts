/** Starts src/load/cpu-burner-main.ts, a process that keeps one core busy, and stops it again. */
import { spawnTs } from '../infra/child-process';

export interface CpuBurner {
  pid: number;
  stop(): Promise<void>;
}

/** Resolves once the burner runs; stop() sends SIGTERM and waits for it to exit. */
export async function startCpuBurner(): Promise<CpuBurner> {
  const process = spawnTs('cpu-burner', 'src/load/cpu-burner-main.ts');
  try {
    await process.waitForLine(/cpu burner running/, 30_000);
  } catch (err) {
    await process.stop(1000);
    throw err;
  }
  return { pid: process.child.pid!, stop: () => process.stop(2000) };
}
