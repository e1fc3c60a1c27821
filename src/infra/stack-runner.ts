/**
 * What every `npm start`-like stack needs: parts stopped in reverse order on Ctrl-C/SIGTERM, a
 * part that dies stopping the rest, and output lines prefixed with the part's name or kept in a
 * log file per part.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ManagedProcess } from './child-process';

export const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
export const prefixed =
  (name: string, width = 11) =>
  (line: string): void =>
    void process.stdout.write(`${name.padEnd(width)}| ${line}\n`);

/** pino's numeric level of a JSON log line; undefined for any other line. */
export function pinoLevelOf(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    const level = typeof parsed === 'object' && parsed !== null ? (parsed as { level?: unknown }).level : undefined;
    return typeof level === 'number' ? level : undefined;
  } catch {
    return undefined;
  }
}

/** pino's level for warnings: from here on a part's line is worth a person's attention. */
const PINO_WARN = 40;

/**
 * A part's output under a quiet stack: every line to `<dir>/<name>.log` (truncated at each start);
 * its warnings and errors to the terminal too, prefixed with its name; with `verbose`, every line.
 */
export function logTo(dir: string, name: string, verbose: boolean): (line: string) => void {
  mkdirSync(dir, { recursive: true });
  const file = createWriteStream(path.join(dir, `${name}.log`), { flags: 'w' });
  const echo = prefixed(name);
  return (line) => {
    file.write(`${line}\n`);
    if (verbose || (pinoLevelOf(line) ?? 0) >= PINO_WARN) echo(line);
  };
}

export class StackRunner {
  private readonly parts: Array<{ stop(): Promise<void> }> = [];
  private stopping = false;

  /** `logDir`: where the parts' log files are, named when a part dies. */
  constructor(private readonly logDir?: string) {
    process.once('SIGINT', () => void this.stopAll(0));
    process.once('SIGTERM', () => void this.stopAll(0));
  }

  /** A part stopped with the stack. */
  add<T extends { stop(): Promise<void> }>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** A process whose exit (other than ours) stops the whole stack. */
  watch(proc: ManagedProcess): ManagedProcess {
    this.add(proc);
    void proc.exited.then((code) => {
      if (!this.stopping) {
        const where = this.logDir ? ` (its log: ${path.join(this.logDir, `${proc.name}.log`)})` : '';
        console.error(bold(`${proc.name} exited (${code}); stopping the stack${where}`));
        void this.stopAll(1);
      }
    });
    return proc;
  }

  async stopAll(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    console.log(bold('\nstopping…'));
    for (const part of this.parts.reverse()) await part.stop().catch(() => undefined);
    process.exit(code);
  }
}
