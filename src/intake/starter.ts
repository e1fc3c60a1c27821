/**
 * The starter drains the intake streams into Temporal: each entry becomes its payment's workflow,
 * the workflow id being the request id, so a restarted starter that starts an entry again finds
 * the workflow there and starts nothing twice. An entry is acknowledged only once its workflow
 * exists; until then it stays pending in the consumer group and is retried, also by another
 * starter after `claimIdleMs`.
 *
 * It paces itself per PG: Temporal holds at most `window(pg)` payments of a PG not yet ended. A
 * surge then waits in Redis, not in the server, where thousands of open workflows and their queued
 * activity tasks would compete with the PG calls for the same two cores; and a PG that is down
 * fills only its own window, never the other PGs'.
 *
 * It is fair between merchants: each merchant has its own stream per PG, and the room of a PG is
 * shared among its merchants' streams by weight, in turns (infra/stride-shares.ts), so a flash sale of
 * one merchant does not put another's payment behind all of it.
 */
import type Redis from 'ioredis';
import type { QueuedPaymentRequest } from '../contract/payment';
import type { Logger } from '../infra/logger';
import { StrideShares } from '../infra/stride-shares';
import type { PaymentStore } from './payment-store';

export interface StarterOptions {
  store: PaymentStore;
  /** Starts the payment's workflow; resolves also when it exists already. */
  startWorkflow(payment: QueuedPaymentRequest): Promise<void>;
  log: Logger;
  /** Workflow starts in flight to the server at once. */
  concurrency: number;
  /** Payments of a PG started and not yet ended that Temporal may hold. */
  window(pg: string): number;
  group?: string;
  consumer?: string;
  /** Another starter's pending entry idle this long is taken over. */
  claimIdleMs?: number;
}

type StreamEntries = Array<[id: string, fields: string[]]>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most a PG's room lets the starter take in one round. */
const MAX_ROUND = 256;

export class IntakeStarter {
  private stopped = false;
  private running?: Promise<void>;
  private readonly reader: Redis;
  private readonly group: string;
  private readonly consumer: string;
  /** Streams whose group exists, and those whose own pending entries have all been read again. */
  private readonly grouped = new Set<string>();
  private readonly caughtUp = new Set<string>();
  /** Each PG's turns among its merchants. */
  private readonly shares = new Map<string, StrideShares>();

  constructor(private readonly options: StarterOptions) {
    // XREADGROUP BLOCK blocks its connection: it gets one of its own.
    this.reader = options.store.connection.duplicate();
    this.reader.on('error', () => undefined);
    this.group = options.group ?? 'starters';
    this.consumer = options.consumer ?? 'starter-1';
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reader.disconnect();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { log } = this.options;
    let lastClaim = 0;
    while (!this.stopped) {
      try {
        const { keys, order } = await this.allotRoom();
        if (keys.length === 0) {
          await sleep(50);
          continue;
        }
        for (const key of keys) await this.ensureGroup(key);
        if (order.length > 0 && Date.now() - lastClaim > (this.options.claimIdleMs ?? 30_000) / 2) {
          lastClaim = Date.now();
          for (const key of new Set(order)) await this.startAll(await this.claimAbandoned(key, order.length));
        }
        const entries = await this.take(order);
        if (entries.length > 0) await this.startAll(entries);
        // Nothing waiting in the streams of the PGs with room: wait there for the next payment.
        else await this.waitForEntries(keys);
      } catch (err) {
        if (this.stopped) break;
        // Redis or Temporal is down: the entries stay pending and are read again from the start.
        log.warn({ err: (err as Error).message }, 'starter: retrying in 1 s');
        this.caughtUp.clear();
        await sleep(1000);
      }
    }
  }

  /** Every intake whose PG may take more workflows now, with its places in the order given. */
  private async allotRoom(): Promise<{ keys: string[]; order: string[] }> {
    const { store } = this.options;
    const [intakes, perPg] = await Promise.all([store.intakes(), store.countsPerPg()]);
    const keys: string[] = [];
    const order: string[] = [];
    for (const pg of new Set(intakes.map((i) => i.pg))) {
      const held = perPg.get(pg) ?? { started: 0, ended: 0 };
      const room = Math.min(this.options.window(pg) - (held.started - held.ended), MAX_ROUND);
      if (room <= 0) continue;
      const ofPg = intakes.filter((i) => i.pg === pg);
      const lengths = await Promise.all(ofPg.map((i) => store.connection.xlen(i.key)));
      const shares = this.shares.get(pg) ?? new StrideShares();
      this.shares.set(pg, shares);
      keys.push(...ofPg.map((i) => i.key));
      order.push(
        ...shares.allot(
          room,
          ofPg.map((i, n) => ({ key: i.key, weight: i.weight, waiting: lengths[n]! })),
        ),
      );
    }
    return { keys, order };
  }

  /** Reads each stream's places, and lays the entries out in the order the places were given. */
  private async take(order: string[]): Promise<StreamEntries> {
    const wanted = new Map<string, number>();
    for (const key of order) wanted.set(key, (wanted.get(key) ?? 0) + 1);
    const read = new Map<string, StreamEntries>();
    for (const [key, count] of wanted) read.set(key, await this.read(key, count));
    return order.flatMap((key) => {
      const entry = read.get(key)!.shift();
      return entry ? [entry] : [];
    });
  }

  private async ensureGroup(key: string): Promise<void> {
    if (this.grouped.has(key)) return;
    try {
      // From the stream's beginning: entries accepted before the group existed are started too.
      await this.options.store.connection.xgroup('CREATE', key, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.grouped.add(key);
  }

  /** Our own pending entries first (a previous run read them and did not finish), then new ones. */
  private async read(key: string, count: number): Promise<StreamEntries> {
    if (count <= 0) return [];
    const from = this.caughtUp.has(key) ? '>' : '0';
    const entries = await this.readGroup(this.options.store.connection, [key], from, count);
    if (from === '0' && entries.length < count) {
      this.caughtUp.add(key);
      if (entries.length === 0) return this.read(key, count);
    }
    return entries;
  }

  /** Nothing to start: wait up to 500 ms for a new entry in any of these streams, and start it. */
  private async waitForEntries(keys: string[]): Promise<void> {
    const entries = await this.readGroup(this.reader, keys, '>', 1, 500);
    await this.startAll(entries);
  }

  private async readGroup(
    connection: Redis,
    keys: string[],
    from: '0' | '>',
    count: number,
    blockMs?: number,
  ): Promise<StreamEntries> {
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    const answer = (await connection.xreadgroup(
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      count,
      ...(block as ['BLOCK', number]),
      'STREAMS',
      ...keys,
      ...keys.map(() => from),
    )) as Array<[string, StreamEntries]> | null;
    return (answer ?? []).flatMap(([key, entries]) => entries.map((e) => this.tag(key, e)));
  }

  /** Entries another starter read and left unfinished (it died): taken over after claimIdleMs. */
  private async claimAbandoned(key: string, count: number): Promise<StreamEntries> {
    if (count <= 0) return [];
    const [, entries] = (await this.options.store.connection.xautoclaim(
      key,
      this.group,
      this.consumer,
      this.options.claimIdleMs ?? 30_000,
      '0-0',
      'COUNT',
      count,
    )) as [string, StreamEntries];
    return entries.filter((e) => e && e[1]).map((e) => this.tag(key, e));
  }

  /** Remembers which stream an entry came from, for its acknowledgement. */
  private readonly streamOf = new WeakMap<object, string>();
  private tag(key: string, entry: [string, string[]]): [string, string[]] {
    this.streamOf.set(entry, key);
    return entry;
  }

  private async startAll(entries: StreamEntries): Promise<void> {
    const queue = [...entries];
    const lanes = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) await this.startOne(entry);
    });
    await Promise.all(lanes);
  }

  private async startOne(entry: [string, string[]]): Promise<void> {
    const { store } = this.options;
    const [id, fields] = entry;
    const json = fields[fields.indexOf('payment') + 1];
    if (json) {
      const payment = JSON.parse(json) as QueuedPaymentRequest;
      const stored = await store.get(payment.requestId);
      // Cancelled while it waited in the intake: there is nothing to start.
      if (stored?.view.status !== 'CANCELLED') {
        await this.options.startWorkflow(payment);
        await store.markStarted(payment.requestId);
      }
    }
    const key = this.streamOf.get(entry)!;
    await store.connection.multi().xack(key, this.group, id).xdel(key, id).exec();
  }
}
