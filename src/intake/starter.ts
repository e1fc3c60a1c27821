/**
 * The starter drains the intake stream into Temporal: each entry becomes its payment's workflow,
 * the workflow id being the request id, so a restarted starter that starts an entry again finds
 * the workflow there and starts nothing twice. An entry is acknowledged only once its workflow
 * exists; until then it stays pending in the consumer group and is retried, also by another
 * starter after `claimIdleMs`.
 *
 * It paces itself: Temporal holds at most `window` payments not yet ended. A surge then waits in
 * the stream, not in the server, where thousands of open workflows and their queued activity
 * tasks would compete with the PG calls for the same two cores.
 */
import type Redis from 'ioredis';
import type { QueuedPaymentRequest } from '../contract/payment';
import type { Logger } from '../infra/logger';
import type { PaymentStore } from './payment-store';

export interface StarterOptions {
  store: PaymentStore;
  /** Starts the payment's workflow; resolves also when it exists already. */
  startWorkflow(payment: QueuedPaymentRequest): Promise<void>;
  log: Logger;
  /** Workflow starts in flight to the server at once. */
  concurrency: number;
  /** Payments started and not yet ended that Temporal may hold. */
  window: number;
  group?: string;
  consumer?: string;
  /** Another starter's pending entry idle this long is taken over. */
  claimIdleMs?: number;
}

type StreamEntries = Array<[id: string, fields: string[]]>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class IntakeStarter {
  private stopped = false;
  private running?: Promise<void>;
  private readonly reader: Redis;
  private readonly group: string;
  private readonly consumer: string;
  private startedHere = 0;

  constructor(private readonly options: StarterOptions) {
    // XREADGROUP blocks its connection: it gets one of its own.
    this.reader = options.store.connection.duplicate();
    this.reader.on('error', () => undefined);
    this.group = options.group ?? 'starters';
    this.consumer = options.consumer ?? 'starter-1';
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Workflows this starter has started since it began. */
  get started(): number {
    return this.startedHere;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reader.disconnect();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { log } = this.options;
    // Our own pending entries first: those a previous run of this starter read but did not finish.
    let backlog = true;
    let lastClaim = 0;
    while (!this.stopped) {
      try {
        await this.ensureGroup();
        const room = await this.room();
        if (room <= 0) {
          await sleep(50);
          continue;
        }
        if (Date.now() - lastClaim > (this.options.claimIdleMs ?? 30_000) / 2) {
          lastClaim = Date.now();
          await this.startAll(await this.claimAbandoned(room));
        }
        const entries = await this.read(backlog ? '0' : '>', room);
        if (backlog && entries.length === 0) backlog = false;
        await this.startAll(entries);
      } catch (err) {
        if (this.stopped) break;
        // Redis or Temporal is down: the entries stay pending and are read again from the start.
        log.warn({ err: (err as Error).message }, 'starter: retrying in 1 s');
        backlog = true;
        await sleep(1000);
      }
    }
  }

  /** How many more workflows Temporal may take now. */
  private async room(): Promise<number> {
    const { started, ended } = await this.options.store.counts();
    return Math.min(this.options.window - (started - ended), 256);
  }

  private groupReady = false;
  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      // From the stream's beginning: entries accepted before the group existed are started too.
      await this.options.store.connection.xgroup('CREATE', this.options.store.keys.intake, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.groupReady = true;
  }

  private async read(from: '0' | '>', count: number): Promise<StreamEntries> {
    const block = from === '>' ? ['BLOCK', 500] : [];
    const answer = (await this.reader.xreadgroup(
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      count,
      ...(block as ['BLOCK', number]),
      'STREAMS',
      this.options.store.keys.intake,
      from,
    )) as Array<[string, StreamEntries]> | null;
    return answer?.[0]?.[1] ?? [];
  }

  /** Entries another starter read and left unfinished (it died): taken over after claimIdleMs. */
  private async claimAbandoned(count: number): Promise<StreamEntries> {
    const [, entries] = (await this.options.store.connection.xautoclaim(
      this.options.store.keys.intake,
      this.group,
      this.consumer,
      this.options.claimIdleMs ?? 30_000,
      '0-0',
      'COUNT',
      count,
    )) as [string, StreamEntries];
    return entries.filter((e) => e && e[1]);
  }

  private async startAll(entries: StreamEntries): Promise<void> {
    const queue = [...entries];
    const lanes = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) await this.startOne(entry);
    });
    await Promise.all(lanes);
  }

  private async startOne([id, fields]: [string, string[]]): Promise<void> {
    const { store } = this.options;
    const json = fields[fields.indexOf('payment') + 1];
    if (json) {
      const payment = JSON.parse(json) as QueuedPaymentRequest;
      const stored = await store.get(payment.requestId);
      // Cancelled while it waited in the intake: there is nothing to start.
      if (stored?.view.status !== 'CANCELLED') {
        await this.options.startWorkflow(payment);
        await store.markStarted(payment.requestId);
        this.startedHere++;
      }
    }
    await store.connection.multi().xack(store.keys.intake, this.group, id).xdel(store.keys.intake, id).exec();
  }
}
