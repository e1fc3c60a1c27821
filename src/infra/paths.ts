/** Where the project's own tools and data live, whatever the working directory. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');
export const DATA_DIR = path.join(PROJECT_ROOT, '.data');
/** tsx's loader (`node --import tsx`): runs TypeScript in the same process. */
export const TSX_LOADER = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
/** A worker thread's execArgv for a TypeScript entry: tsx's CommonJS hook (its ESM loader does not reach threads). */
export const TS_THREAD_EXEC_ARGV = ['--require', require.resolve('tsx/cjs')];

/** The project's own build of a tool if there is one, else the name, to be found on PATH. */
export function toolPath(name: string): string {
  const local = path.join(TOOLS_BIN, name);
  return existsSync(local) ? local : name;
}
