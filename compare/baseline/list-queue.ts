/**
 * list mode, the study document as written (§3.2): the API LPUSHes, a consumer RPOPs. Once popped, a message
 * lives only in the consumer's memory: if the consumer dies before storing the result, the
 * payment is lost. Kept on purpose; `list-reliable` is the fix.
 */
import type { BaselineKeys } from './keys';
import type { BaselineRedis } from './redis';
import type { TakenMessage, WorkQueue } from './work-queue';

export class ListQueue implements WorkQueue {
  constructor(
    private readonly redis: BaselineRedis,
    private readonly keys: BaselineKeys,
  ) {}

  async start(): Promise<void> {}

  async take(): Promise<TakenMessage | null> {
    const raw = await this.redis.rpop(this.keys.queue);
    return raw === null ? null : { raw };
  }

  async complete(_taken: TakenMessage, statusKey: string, fields: string[]): Promise<void> {
    if (fields.length > 0) await this.redis.hset(statusKey, ...fields);
  }

  async reject(): Promise<void> {
    // Already popped: nothing to remove, nowhere to keep it (the study document only logs it).
  }

  async stop(): Promise<void> {}
}
