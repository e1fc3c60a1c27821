/**
 * list-reliable: the List design fixed. BLMOVE takes a message into this consumer's own
 * processing list in one atomic step, so it is never only in memory. The result is stored and the
 * message dropped from the processing list in one Lua step. Each consumer keeps a heartbeat key
 * alive; every consumer also reaps: a consumer whose heartbeat expired gets its processing list
 * moved back to the pending list, where another consumer takes it (and the PG's idempotency key,
 * the request id, turns a repeated charge into a replay).
 */
import type { Logger } from '../../src/infra/logger';
import type { BaselineKeys } from './keys';
import type { BaselineRedis } from './redis';
import type { TakenMessage, WorkQueue } from './work-queue';

export interface ReliableListOptions {
  consumerId: string;
  pollMs: number;
  heartbeatMs: number;
  heartbeatTtlMs: number;
}

export class ReliableListQueue implements WorkQueue {
  private timer?: NodeJS.Timeout;
  private readonly processing: string;

  constructor(
    private readonly redis: BaselineRedis,
    /** A second connection for BLMOVE, which blocks it for up to a poll interval. */
    private readonly blocking: BaselineRedis,
    private readonly keys: BaselineKeys,
    private readonly options: ReliableListOptions,
    private readonly log: Logger,
  ) {
    this.processing = keys.processing(options.consumerId);
  }

  async start(): Promise<void> {
    const { consumerId } = this.options;
    // A consumer restarting under its own id first hands back what its previous life held.
    const moved = await this.redis.reapConsumer(
      this.keys.heartbeat(consumerId),
      this.processing,
      this.keys.queue,
      this.keys.consumers,
      consumerId,
      'force',
    );
    if (moved > 0) this.log.info({ moved }, 're-queued messages left by this consumer id');
    await this.beat();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
  }

  async take(): Promise<TakenMessage | null> {
    const raw = await this.blocking.blmove(
      this.keys.queue,
      this.processing,
      'RIGHT',
      'LEFT',
      this.options.pollMs / 1000,
    );
    return raw === null ? null : { raw };
  }

  async complete(taken: TakenMessage, statusKey: string, fields: string[]): Promise<void> {
    const removed = await this.redis.completeReliable(statusKey, this.processing, taken.raw, ...fields);
    if (removed === 0)
      this.log.warn('message was reaped while being processed; another consumer may replay its charge');
  }

  async reject(taken: TakenMessage, _statusKey: string | undefined, reason: string): Promise<void> {
    this.log.warn({ reason }, 'dropping an unreadable message');
    await this.redis.lrem(this.processing, 1, taken.raw);
  }

  /** Hands back what this consumer still holds and leaves, so nothing waits for the reaper. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const { consumerId } = this.options;
    const moved = await this.redis.reapConsumer(
      this.keys.heartbeat(consumerId),
      this.processing,
      this.keys.queue,
      this.keys.consumers,
      consumerId,
      'force',
    );
    if (moved > 0) this.log.info({ moved }, 're-queued messages not processed before stopping');
    await this.redis.del(this.keys.heartbeat(consumerId));
    await this.redis.srem(this.keys.consumers, consumerId);
  }

  /** Heartbeat first, then registration, so the reaper never sees this consumer without one. */
  private async beat(): Promise<void> {
    const { consumerId, heartbeatTtlMs } = this.options;
    await this.redis.set(this.keys.heartbeat(consumerId), String(Date.now()), 'PX', heartbeatTtlMs);
    await this.redis.sadd(this.keys.consumers, consumerId);
  }

  private async tick(): Promise<void> {
    try {
      await this.beat();
      for (const other of await this.redis.smembers(this.keys.consumers)) {
        if (other === this.options.consumerId) continue;
        const moved = await this.redis.reapConsumer(
          this.keys.heartbeat(other),
          this.keys.processing(other),
          this.keys.queue,
          this.keys.consumers,
          other,
          '',
        );
        if (moved > 0) this.log.warn({ consumer: other, moved }, 're-queued the messages of a dead consumer');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'heartbeat or reaper round failed');
    }
  }
}
