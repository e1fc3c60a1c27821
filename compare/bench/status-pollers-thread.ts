/**
 * The polling clients of one run on a thread of their own. In a wave, several runs' clients (500
 * each in `polling-clients`) and the load of every run shared the bench's one event loop, so a
 * read's latency counted the load client's own queue as well as the engine's. On its own thread a
 * run's clients keep their own loop, as a shop's browsers would, and the figure is the engine's.
 * The entry below runs in the thread; `StatusPollersThread` is its handle in the bench.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { TS_THREAD_EXEC_ARGV } from '../../src/infra/paths';
import type { ResultDetail } from './types';
import { StatusPollers } from './status-pollers';

type Reads = NonNullable<ResultDetail['statusReads']>;
interface Settings {
  apiUrl: string;
  apiKey: string;
  intervalMs: number;
  clients: number;
}
type Command =
  { kind: 'open'; id: number } | { kind: 'add'; requestId: string } | { kind: 'finish'; id: number; graceMs: number };
type Reply = { id: number; reads?: Reads; error?: string };

export class StatusPollersThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(reads?: Reads): void; reject(err: Error): void }>();
  private nextId = 0;
  private finished?: Promise<Reads>;

  constructor(apiUrl: string, apiKey: string, intervalMs: number, clients: number) {
    const settings: Settings = { apiUrl, apiKey, intervalMs, clients };
    this.worker = new Worker(__filename, { workerData: settings, execArgv: TS_THREAD_EXEC_ARGV });
    this.worker.on('message', ({ id, reads, error }: Reply) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error) waiter?.reject(new Error(error));
      else waiter?.resolve(reads);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => this.failAll(new Error('the status pollers thread exited')));
  }

  open(): Promise<void> {
    return this.ask({ kind: 'open', id: 0 }).then(() => undefined);
  }

  add(requestId: string): void {
    this.worker.postMessage({ kind: 'add', requestId } satisfies Command);
  }

  /** As StatusPollers.finish; the thread ends with the first call. */
  finish(graceMs: number): Promise<Reads> {
    this.finished ??= this.ask({ kind: 'finish', id: 0, graceMs })
      .then((reads) => reads!)
      .finally(() => void this.worker.terminate());
    return this.finished;
  }

  private ask(command: Command & { id: number }): Promise<Reads | undefined> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...command, id });
    });
  }

  private failAll(err: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { apiUrl, apiKey, intervalMs, clients } = workerData as Settings;
  const pollers = new StatusPollers(apiUrl, apiKey, intervalMs, clients);
  port.on('message', (command: Command) => {
    if (command.kind === 'add') return pollers.add(command.requestId);
    const work = command.kind === 'open' ? pollers.open().then(() => undefined) : pollers.finish(command.graceMs);
    work.then(
      (reads) => port.postMessage({ id: command.id, reads } satisfies Reply),
      (err: Error) => port.postMessage({ id: command.id, error: err.message } satisfies Reply),
    );
  });
}
