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
 * fills only its own window, never the other PGs'. Within the window it starts them at the PG's
 * pace (start-pace.ts): a burst's first moment at once, the rest at the PG's rate, so the payments
 * the PG can take only in the next second do not take the cores from those it can take now.
 *
 * It is fair between merchants: each merchant has its own stream per PG, and the room of a PG is
 * shared among its merchants' streams by weight, in turns (infra/stride-shares.ts), so a flash sale of
 * one merchant does not put another's payment behind all of it.
 *
 * It has no rounds to wait out: up to `concurrency` starts are open at once, and each lane that
 * frees gets the next place, given to the PGs in turns and within a PG to its merchants in turns.
 * A round of a PG's whole room (up to its window of 100) laid out before another PG's payment was
 * accepted held that payment for seconds on Temporal; now it waits for one start at most.
 */
import type Redis from 'ioredis';
import type { QueuedPaymentRequest } from '../contract/payment';
import type { Logger } from '../infra/logger';
import { type Backlog, StrideShares } from '../infra/stride-shares';
import type { PaymentStore } from './payment-store';
import { type Pace, StartPace } from './start-pace';

export interface StarterOptions {
  store: PaymentStore;
  /** Starts the payment's workflow; resolves also when it exists already. */
  startWorkflow(payment: QueuedPaymentRequest): Promise<void>;
  log: Logger;
  /** Workflow starts in flight to the server at once. */
  concurrency: number;
  /** Payments of a PG started and not yet ended that Temporal may hold. */
  window(pg: string): number;
  /** How fast a PG's payments are started (start-pace.ts); none: as fast as its window frees. */
  pace?(pg: string): Pace | undefined;
  group?: string;
  consumer?: string;
  /** Another starter's pending entry idle this long is taken over. */
  claimIdleMs?: number;
}

type StreamEntries = Array<[id: string, fields: string[]]>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many places each stream got. */
function countPlaces(order: string[]): Map<string, number> {
  const places = new Map<string, number>();
  for (const key of order) places.set(key, (places.get(key) ?? 0) + 1);
  return places;
}

export class IntakeStarter {
  private stopped = false;
  private running?: Promise<void>;
  private readonly reader: Redis;
  private readonly group: string;
  private readonly consumer: string;
  /** Streams whose group exists, and those whose own pending entries have all been read again. */
  private readonly grouped = new Set<string>();
  private readonly caughtUp = new Set<string>();
  /** The last of its own pending entries read from each stream not yet caught up. */
  private readonly pendingRead = new Map<string, string>();
  /** Each PG's turns among its merchants. */
  private readonly shares = new Map<string, StrideShares>();
  /** The PGs' turns at the starter's lanes. */
  private readonly pgTurns = new StrideShares();
  /** The starts open now, one per busy lane, and how many of them came from each intake stream. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly starting = new Map<string, number>();
  /** The first start that failed since the loop last recovered. */
  private failure: Error | undefined;
  private readonly pace: StartPace;
  /** Each intake stream's PG, for the pace of what is started from it. */
  private readonly pgOfStream = new Map<string, string>();

  constructor(private readonly options: StarterOptions) {
    // XREADGROUP BLOCK blocks its connection: it gets one of its own.
    this.reader = options.store.connection.duplicate();
    this.reader.on('error', () => undefined);
    this.group = options.group ?? 'starters';
    this.consumer = options.consumer ?? 'starter-1';
    this.pace = new StartPace((pg) => options.pace?.(pg));
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
        // Every lane busy: the next place is given when one frees, so a payment accepted now
        // waits for one start, not for a whole round laid out before it arrived.
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0) {
          await Promise.race(this.inFlight);
          continue;
        }
        const { keys, order, paceWaitMs } = await this.allotRoom(free);
        if (keys.length === 0) {
          // Every PG's window full (a payment ending frees it, seen at the next read), or a PG
          // waiting for its pace.
          await this.pause(Math.max(1, Math.min(50, paceWaitMs)));
          continue;
        }
        for (const key of keys) await this.ensureGroup(key);
        if (order.length > 0 && Date.now() - lastClaim > (this.options.claimIdleMs ?? 30_000) / 2) {
          lastClaim = Date.now();
          // Abandoned entries take the places given, on the lanes like any other start.
          const claimed: StreamEntries = [];
          for (const [key, count] of countPlaces(order)) claimed.push(...(await this.claimAbandoned(key, count)));
          if (claimed.length > 0) {
            this.launch(claimed);
            continue;
          }
        }
        const entries = await this.take(order);
        if (entries.length > 0) this.launch(entries);
        // Nothing waiting in the streams of the PGs with room: wait there for the next payment.
        else if (this.inFlight.size === 0) await this.waitForEntries(keys);
        else await this.pause(50);
        this.throwFailure();
      } catch (err) {
        if (this.stopped) break;
        // Redis or Temporal is down: the entries stay pending and are read again from the start,
        // once the starts still open have settled (they are pending too, and must not start twice).
        await Promise.allSettled(this.inFlight);
        this.failure = undefined;
        log.warn({ err: (err as Error).message }, 'starter: retrying in 1 s');
        this.caughtUp.clear();
        this.pendingRead.clear();
        await sleep(1000);
      }
    }
    await Promise.allSettled(this.inFlight);
  }

  /** Waits `ms`, or less when a start ends: its lane is free again. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([...this.inFlight, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Starts each entry on a lane of its own, without waiting: the loop gives the next lane free its place. */
  private launch(entries: StreamEntries): void {
    for (const entry of entries) {
      const key = this.streamOf.get(entry)!;
      this.starting.set(key, (this.starting.get(key) ?? 0) + 1);
      const pg = this.pgOfStream.get(key);
      if (pg) this.pace.take(pg);
      const start: Promise<void> = this.startOne(entry)
        .catch((err: unknown) => {
          this.failure ??= err as Error;
        })
        .finally(() => {
          this.inFlight.delete(start);
          this.starting.set(key, this.starting.get(key)! - 1);
        });
      this.inFlight.add(start);
    }
  }

  /** A start that failed fails the loop, as it did when the loop waited for it. */
  private throwFailure(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Every intake whose PG may take more workflows now, and `free` places among them: given to the
   * PGs in turns (one place each while they all wait), so no PG's burst fills the starter's lanes
   * while another PG's payment waits, and within a PG shared among its merchants by weight.
   */
  private async allotRoom(free: number): Promise<{ keys: string[]; order: string[]; paceWaitMs: number }> {
    const { store } = this.options;
    // The starts open now, taken before the counts are read: a start that ends meanwhile is then
    // counted twice (room given later), never in neither (a start over the window).
    const starting = new Map(this.starting);
    const [intakes, perPg] = await Promise.all([store.intakes(), store.countsPerPg()]);
    const keys: string[] = [];
    const pgs = new Map<string, { backlogs: Backlog[]; room: number }>();
    let paceWaitMs = Infinity;
    for (const intake of intakes) this.pgOfStream.set(intake.key, intake.pg);
    for (const pg of new Set(intakes.map((i) => i.pg))) {
      const ofPg = intakes.filter((i) => i.pg === pg);
      const held = perPg.get(pg) ?? { started: 0, ended: 0 };
      // Starts still open are not counted as started yet; they hold their room all the same.
      const open = ofPg.reduce((sum, i) => sum + (starting.get(i.key) ?? 0), 0);
      const windowRoom = this.options.window(pg) - (held.started - held.ended) - open;
      const room = Math.min(windowRoom, this.pace.room(pg));
      if (room <= 0) {
        if (windowRoom > 0) paceWaitMs = Math.min(paceWaitMs, this.pace.waitMs(pg));
        continue;
      }
      const lengths = await Promise.all(ofPg.map((i) => store.connection.xlen(i.key)));
      keys.push(...ofPg.map((i) => i.key));
      // An entry being started is still in its stream until its start ends: it waits no more.
      const backlogs = ofPg.map((i, n) => ({
        key: i.key,
        weight: i.weight,
        waiting: Math.max(0, lengths[n]! - (starting.get(i.key) ?? 0)),
      }));
      pgs.set(pg, { backlogs, room });
    }
    const pgTurns = this.pgTurns.allot(
      free,
      [...pgs].map(([pg, p]) => ({
        key: pg,
        weight: 1,
        waiting: Math.min(
          p.room,
          p.backlogs.reduce((sum, b) => sum + b.waiting, 0),
        ),
      })),
    );
    const ofPg = new Map<string, string[]>();
    for (const [pg, p] of pgs) {
      const shares = this.shares.get(pg) ?? new StrideShares();
      this.shares.set(pg, shares);
      ofPg.set(pg, shares.allot(pgTurns.filter((turn) => turn === pg).length, p.backlogs));
    }
    // The PGs' places in their turns, each filled with the next of its merchants' places.
    return { keys, order: pgTurns.map((pg) => ofPg.get(pg)!.shift()!), paceWaitMs };
  }

  /** Reads each stream's places, and lays the entries out in the order the places were given. */
  private async take(order: string[]): Promise<StreamEntries> {
    const read = new Map<string, StreamEntries>();
    for (const [key, count] of countPlaces(order)) read.set(key, await this.read(key, count));
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
    if (this.caughtUp.has(key)) return this.readGroup(this.options.store.connection, [key], '>', count);
    // Pending entries after the last one read: those before it are being started already.
    const entries = await this.readGroup(this.options.store.connection, [key], this.pendingRead.get(key) ?? '0', count);
    const last = entries.at(-1);
    if (last) this.pendingRead.set(key, last[0]);
    if (entries.length < count) {
      this.caughtUp.add(key);
      this.pendingRead.delete(key);
      if (entries.length === 0) return this.read(key, count);
    }
    return entries;
  }

  /**
   * Nothing to start: wait for a new entry in any of these streams, and start it. The wait is
   * short because a merchant's first payment opens a stream not among these: the loop sees it
   * only when the wait ends (at 500 ms, a fresh run's first start came half a second late).
   */
  private async waitForEntries(keys: string[]): Promise<void> {
    const entries = await this.readGroup(this.reader, keys, '>', 1, 100);
    this.launch(entries);
  }

  private async readGroup(
    connection: Redis,
    keys: string[],
    /** '>' for new entries, or the id after which our pending ones are read again. */
    from: string,
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

  private async startOne(entry: [string, string[]]): Promise<void> {
    const { store } = this.options;
    const [id, fields] = entry;
    const json = fields[fields.indexOf('payment') + 1];
    let started: string | undefined;
    if (json) {
      const payment = JSON.parse(json) as QueuedPaymentRequest;
      const stored = await store.get(payment.requestId);
      // Cancelled while it waited in the intake: there is nothing to start.
      if (stored?.view.status !== 'CANCELLED') {
        await this.options.startWorkflow(payment);
        started = payment.requestId;
      }
    }
    // Counted started and taken off the intake together: one round trip, and never one without the other.
    await store.finishIntake({ stream: this.streamOf.get(entry)!, group: this.group, id }, started);
  }
}
