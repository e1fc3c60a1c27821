/**
 * Runs the stack's parts as child processes: output prefixed with the part's name, stopped with
 * SIGTERM and, if they linger, SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, TSX_LOADER } from './paths';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Resolves at the first output line that matches, rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(graceMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Where output lines go; by default they are kept only for waitForLine. */
  onLine?: (line: string) => void;
  cwd?: string;
  /** Flags for node itself (spawnTs only), before the TypeScript loader. */
  nodeArgs?: string[];
}

export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', () => resolve(null));
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (lines.length > 2000) lines.shift();
      lines.push(line);
      options.onLine?.(line);
      for (const l of listeners) l(line);
    });
  }

  return {
    name,
    child,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(listener);
          fn();
        };
        const listener = (line: string) => pattern.test(line) && done(() => resolve(line));
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `${name}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`,
                ),
              ),
            ),
          timeoutMs,
        );
        listeners.add(listener);
        void exited.then((code) =>
          done(() =>
            reject(
              new Error(`${name} exited (${code}) before ${pattern}; last lines:\n${lines.slice(-15).join('\n')}`),
            ),
          ),
        );
      });
    },
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs one of the project's TypeScript entry points (src/…/main.ts) under tsx, as ONE process:
 * node with tsx's loader, not the tsx CLI (which starts the real process as its child, so a
 * SIGKILL to the CLI would leave the real one running, orphaned).
 */
export function spawnTs(name: string, entry: string, options: SpawnOptions = {}): ManagedProcess {
  return spawnManaged(
    name,
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', pathToFileURL(TSX_LOADER).href, entry],
    options,
  );
}
