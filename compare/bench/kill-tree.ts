/**
 * SIGKILL a managed process and everything under it. `spawnTs` runs `node tsx cli entry`, and tsx
 * runs the entry in a child node process: SIGKILL on the wrapper alone (it cannot relay it) would
 * leave the real worker running, and a chaos run would kill nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ManagedProcess } from '../../src/infra/child-process';

function childrenByParent(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(ppid, [...(map.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

export async function killTree(target: ManagedProcess): Promise<void> {
  const pid = target.child.pid;
  if (pid !== undefined) {
    const children = childrenByParent();
    const all: number[] = [];
    const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
    walk(pid);
    for (const p of all) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  target.kill('SIGKILL');
  await target.exited;
}
