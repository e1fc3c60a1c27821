/**
 * stream mode (the study document §3.3, completed): the API XADDs to `stream:payment`; consumers of the group
 * `payment-processors` XREADGROUP … COUNT 1 BLOCK <poll>. An entry stays in the group's pending
 * list until its result is stored: result, XACK and XDEL are one Lua step. A live consumer keeps
 * its entries fresh (XCLAIM … JUSTID to itself resets their idle time); entries idle longer than
 * the claim time belong to a dead consumer and are taken over with XAUTOCLAIM. An entry delivered
 * more than `maxDeliveries` times goes to the dead-letter stream and its payment ends FAILED.
 */
import type { Logger } from '../../src/infra/logger';
import type { BaselineKeys } from './keys';
import type { BaselineRedis } from './redis';
import type { TakenMessage, WorkQueue } from './work-queue';

export interface StreamQueueOptions {
  consumerId: string;
  pollMs: number;
  heartbeatMs: number;
  claimIdleMs: number;
  maxDeliveries: number;
}

type Entry = [id: string, fields: string[]];

const fieldOf = (fields: string[], name: string): string | undefined => {
  const i = fields.indexOf(name);
  return i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
};

/**
 * The study document's own stream producer (§3.3) writes flat fields (requestId, orderId, amount, timestamp)
 * instead of one JSON payload: read those as the same QueuedPaymentRequest.
 */
function studyEntryAsMessage(fields: string[]): string {
  const amount = Number(fieldOf(fields, 'amount'));
  return JSON.stringify({
    requestId: fieldOf(fields, 'requestId'),
    request: { orderId: fieldOf(fields, 'orderId'), amount, currency: fieldOf(fields, 'currency') },
    enqueuedAt: fieldOf(fields, 'timestamp'),
  });
}

export class StreamQueue implements WorkQueue {
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<string>();
  private claimCursor = '0-0';
  private nextClaimAt = 0;

  constructor(
    private readonly redis: BaselineRedis,
    private readonly blocking: BaselineRedis,
    private readonly keys: BaselineKeys,
    private readonly options: StreamQueueOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    try {
      // From the stream's start, so entries added before the group existed are not skipped.
      await this.redis.xgroup('CREATE', this.keys.stream, this.keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.timer = setInterval(() => void this.keepFresh(), this.options.heartbeatMs);
  }

  async take(): Promise<TakenMessage | null> {
    if (Date.now() >= this.nextClaimAt) {
      const claimed = await this.claimOne();
      if (claimed) return claimed;
    }
    const { stream, group } = this.keys;
    const reply = (await this.blocking.xreadgroup(
      'GROUP',
      group,
      this.options.consumerId,
      'COUNT',
      1,
      'BLOCK',
      this.options.pollMs,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, Entry[]]> | null;
    const entry = reply?.[0]?.[1]?.[0];
    return entry ? this.taken(entry) : null;
  }

  async complete(taken: TakenMessage, statusKey: string, fields: string[]): Promise<void> {
    try {
      const acked = await this.redis.completeStream(
        statusKey,
        this.keys.stream,
        this.keys.group,
        taken.entryId!,
        ...fields,
      );
      if (acked === 0) this.log.warn('entry was already acknowledged by another consumer');
    } finally {
      this.inFlight.delete(taken.entryId!);
    }
  }

  async reject(taken: TakenMessage, statusKey: string | undefined, reason: string): Promise<void> {
    this.log.warn({ reason }, 'moving an unreadable entry to the dead-letter stream');
    await this.deadLetter(taken, statusKey ?? this.keys.status('-'), 1);
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }

  private taken([entryId, fields]: Entry): TakenMessage {
    this.inFlight.add(entryId);
    return { entryId, raw: fieldOf(fields, 'payload') ?? studyEntryAsMessage(fields) };
  }

  /** One entry idle past the claim time, if any; over-delivered ones go to the dead letters. */
  private async claimOne(): Promise<TakenMessage | null> {
    const { stream, group } = this.keys;
    const [next, entries] = (await this.redis.xautoclaim(
      stream,
      group,
      this.options.consumerId,
      this.options.claimIdleMs,
      this.claimCursor,
      'COUNT',
      1,
    )) as [string, Entry[]];
    this.claimCursor = next;
    // A full pass found nothing more: look again after a heartbeat period.
    if (next === '0-0') this.nextClaimAt = Date.now() + this.options.heartbeatMs;
    const entry = entries.find((e) => Array.isArray(e) && e[1]);
    if (!entry) return null;
    const pending = (await this.redis.xpending(stream, group, entry[0], entry[0], 1)) as Array<
      [string, string, number, number]
    >;
    const deliveries = pending[0]?.[3] ?? 1;
    const taken = this.taken(entry);
    this.log.warn({ deliveries }, 'claimed an entry of a dead consumer');
    if (deliveries > this.options.maxDeliveries) {
      const requestId = fieldOf(entry[1], 'requestId');
      await this.deadLetter(taken, this.keys.status(requestId ?? '-'), deliveries);
      this.log.error({ requestId, deliveries }, 'entry delivered too many times: moved to the dead-letter stream');
      return null;
    }
    return taken;
  }

  private async deadLetter(taken: TakenMessage, statusKey: string, deliveries: number): Promise<void> {
    try {
      await this.redis.deadLetter(
        this.keys.stream,
        this.keys.deadLetter,
        statusKey,
        this.keys.group,
        taken.entryId!,
        taken.raw,
        String(deliveries),
        new Date().toISOString(),
      );
    } finally {
      this.inFlight.delete(taken.entryId!);
    }
  }

  /** Resets the idle time of this consumer's entries in flight: they are not abandoned. */
  private async keepFresh(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      await this.redis.xclaim(
        this.keys.stream,
        this.keys.group,
        this.options.consumerId,
        0,
        ...this.inFlight,
        'JUSTID',
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'stream heartbeat failed');
    }
  }
}
