/**
 * SIGKILL a managed process and everything under it. `spawnTs` runs `node tsx cli entry`, and tsx
 * runs the entry in a child node process: SIGKILL on the wrapper alone (it cannot relay it) would
 * leave the real worker running, and a chaos run would kill nothing.
 */
import type { ManagedProcess } from '../../src/infra/child-process';
import { childrenByParent, treeOf } from './proc-tree';

export async function killTree(target: ManagedProcess): Promise<void> {
  const pid = target.child.pid;
  if (pid !== undefined) {
    for (const p of treeOf([pid], childrenByParent()).slice(1)) {
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
