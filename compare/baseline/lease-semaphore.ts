/**
 * The fixed semaphore (list-reliable, stream, semaphore-only): each permit is a lease in a sorted
 * set, holder token -> expiry read from Redis TIME inside Lua. Only its holder releases it (by
 * token); the holder renews its leases while alive, so a dead holder's permits come back once
 * their lease runs out.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../src/infra/logger';
import type { BaselineRedis } from './redis';
import type { Permit, PermitPool } from './permits';

export class LeaseSemaphore implements PermitPool {
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private serial = 0;

  constructor(
    private readonly redis: BaselineRedis,
    private readonly key: string,
    readonly limit: number,
    private readonly leaseMs: number,
    private readonly holderId: string,
    private readonly log?: Logger,
  ) {
    // Renew three times per lease, so one slow round trip never lets a live lease lapse.
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  async tryAcquire(): Promise<Permit | null> {
    const token = `${this.holderId}:${++this.serial}:${randomBytes(4).toString('hex')}`;
    if ((await this.redis.leaseAcquire(this.key, String(this.limit), String(this.leaseMs), token)) !== 1) return null;
    this.held.add(token);
    return {
      release: async () => {
        if (!this.held.delete(token)) return;
        await this.redis.zrem(this.key, token);
      },
    };
  }

  inUse(): Promise<number> {
    return this.redis.leaseCount(this.key);
  }

  private async renew(): Promise<void> {
    const tokens = [...this.held];
    if (tokens.length === 0) return;
    try {
      const flags = await this.redis.leaseRenew(this.key, String(this.leaseMs), ...tokens);
      const lost = tokens.filter((_, i) => flags[i] !== 1);
      // A lost lease may already be someone else's permit: the PG can see one call too many.
      if (lost.length > 0) this.log?.warn({ lost: lost.length }, 'permit leases expired before renewal');
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, 'permit lease renewal failed');
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
