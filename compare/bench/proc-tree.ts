/**
 * Process trees from /proc (Linux): who is whose child, and what a tree costs. The bench counts
 * every process an engine runs (tsx runs each entry in a child node process, the dev server is
 * one Go process, Redis one more), so a tree is walked from each root the engine names.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name, which is in parentheses and may hold spaces. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // The process ended while we looked.
  }
}

export function childrenByParent(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (ppid) map.set(ppid, [...(map.get(ppid) ?? []), Number(entry)]);
  }
  return map;
}

/** The roots and every process under them. */
export function treeOf(roots: number[], children = childrenByParent()): number[] {
  const all: number[] = [];
  const walk = (p: number) => (all.push(p), (children.get(p) ?? []).forEach(walk));
  roots.forEach(walk);
  return all;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time (user + system) a process has used so far, in ms; undefined once it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of stat; here indices 11 and 12 (state is index 0).
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks() : undefined;
}

/**
 * A short name for a process, to split a tree's CPU by role: the program, and for a runtime (node)
 * the script it runs, so the API and the workers of a stack tell apart (`node api/main`).
 */
export function nameOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
    const script = [...argv.slice(1)].reverse().find((a) => /\.(ts|js|mjs|cjs)$/.test(a) && !a.startsWith('-'));
    const program = base(argv[0] ?? '?').split(' ')[0]!;
    // The entry's folder too: `src/api/main.ts` is `node api/main`.
    const entry = script
      ?.split('/')
      .slice(-2)
      .join('/')
      .replace(/\.(ts|js|mjs|cjs)$/, '');
    return entry ? `${program} ${entry}` : program;
  } catch {
    return '?';
  }
}

/** Resident set size of a process in bytes (VmRSS); 0 once it is gone. */
export function rssBytesOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface SampledCost {
  cpuMs: number;
  /** CPU ms by process name (nameOf): where the tree's CPU went. */
  byProcess: Record<string, number>;
  peakRssMb: number;
  processes: number;
}

/**
 * Samples the trees under `roots()` once a second until stopped: CPU used since the sampler
 * started (each process's last reading less what it had used at the start, or 0 if it started
 * later; a process that dies loses at most its last second) and the largest total resident set.
 * It holds one number per process seen, so a run's memory stays bounded.
 */
export class TreeSampler {
  private readonly atStart = new Map<number, number>();
  private readonly latest = new Map<number, number>();
  private readonly names = new Map<number, string>();
  private peakRss = 0;
  private readonly timer: NodeJS.Timeout;
  private result?: SampledCost;

  constructor(private readonly roots: () => number[]) {
    for (const pid of treeOf(roots())) this.atStart.set(pid, cpuMsOf(pid) ?? 0);
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  private sample(): void {
    let rss = 0;
    for (const pid of treeOf(this.roots())) {
      const cpu = cpuMsOf(pid);
      if (cpu === undefined) continue;
      this.latest.set(pid, cpu);
      if (!this.names.has(pid)) this.names.set(pid, nameOf(pid));
      rss += rssBytesOf(pid);
    }
    this.peakRss = Math.max(this.peakRss, rss);
  }

  /** Takes a last sample and stops; later calls give the same figures. */
  stop(): SampledCost {
    if (this.result) return this.result;
    this.sample();
    clearInterval(this.timer);
    let cpuMs = 0;
    const byProcess: Record<string, number> = {};
    for (const [pid, cpu] of this.latest) {
      const used = Math.max(0, cpu - (this.atStart.get(pid) ?? 0));
      cpuMs += used;
      const name = this.names.get(pid) ?? '?';
      byProcess[name] = (byProcess[name] ?? 0) + used;
    }
    this.result = {
      cpuMs: Math.round(cpuMs),
      byProcess,
      peakRssMb: Math.round(this.peakRss / 1024 / 1024),
      processes: this.latest.size,
    };
    return this.result;
  }
}
