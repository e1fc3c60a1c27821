/**
 * list mode: the study document's Redisson `RSemaphore` — a plain counter of free permits in
 * `semaphore:pg:api`. `trySetPermits` sets it only if absent; `release` adds one back.
 * Nothing records who holds a permit, so a holder that dies leaks it for good: the study document's flaw,
 * kept on purpose so the benchmark can show it.
 */
import type { BaselineRedis } from './redis';
import type { Permit, PermitPool } from './permits';

export class CountingSemaphore implements PermitPool {
  constructor(
    private readonly redis: BaselineRedis,
    private readonly key: string,
    readonly limit: number,
  ) {}

  /** RSemaphore.trySetPermits: only the first process to start sets the count. */
  async trySetPermits(): Promise<boolean> {
    return (await this.redis.set(this.key, String(this.limit), 'NX')) === 'OK';
  }

  async tryAcquire(): Promise<Permit | null> {
    if ((await this.redis.semaphoreTryAcquire(this.key, '1')) !== 1) return null;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.redis.incrby(this.key, 1);
      },
    };
  }

  async inUse(): Promise<number> {
    const free = Number((await this.redis.get(this.key)) ?? this.limit);
    return this.limit - free;
  }

  close(): void {}
}
