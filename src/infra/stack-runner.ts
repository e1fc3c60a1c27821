/**
 * What every `npm start`-like stack needs: parts stopped in reverse order on Ctrl-C/SIGTERM, a
 * part that dies stopping the rest, and output lines prefixed with the part's name.
 */
import type { ManagedProcess } from './child-process';

export const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
export const prefixed =
  (name: string, width = 11) =>
  (line: string): void =>
    void process.stdout.write(`${name.padEnd(width)}| ${line}\n`);

export class StackRunner {
  private readonly parts: Array<{ stop(): Promise<void> }> = [];
  private stopping = false;

  constructor() {
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
        console.error(bold(`${proc.name} exited (${code}); stopping the stack`));
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
