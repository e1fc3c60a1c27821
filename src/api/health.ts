/**
 * `GET /healthz`: one named check per dependency the process needs (Temporal; the shared PG
 * admission step's Redis when the workers use it). Healthy only while every required check
 * answers; a dependency the process can accept payments without (Temporal behind the Redis intake)
 * is reported down while the answer stays 200, `degraded`, so a load balancer keeps sending surges.
 */
import { Redis } from 'ioredis';

export interface HealthCheck {
  /** Named in the answer, so an operator sees which dependency is down. */
  name: string;
  /** True while the dependency answers; false or a rejection means it does not. */
  check(): Promise<boolean>;
  /** False: the process still does its job while this one is down (default true). */
  required?: boolean;
}

export interface HealthReport {
  /** Every required check answered. */
  ok: boolean;
  /** Some check that is not required did not answer. */
  degraded: boolean;
  checks: Record<string, 'up' | 'down'>;
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function checkHealth(checks: HealthCheck[], timeoutMs = 3000): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const up = await Promise.race([dependency.check().catch(() => false), late]).finally(() => clearTimeout(timer));
      return [dependency.name, up ? 'up' : 'down', dependency.required !== false] as const;
    }),
  );
  return {
    ok: results.every(([, state, required]) => state === 'up' || !required),
    degraded: results.some(([, state, required]) => state === 'down' && !required),
    checks: Object.fromEntries(results.map(([name, state]) => [name, state])),
  };
}

/** A Redis the process depends on, checked with PING on one connection kept for the purpose. */
export function redisHealthCheck(name: string, url: string): HealthCheck & { close(): Promise<void> } {
  // No offline queue: a PING while Redis is down fails at once instead of waiting for a reconnect.
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // reported by the check, not as an unhandled error
  return {
    name,
    check: async () => {
      if (redis.status === 'wait') await redis.connect();
      return (await redis.ping()) === 'PONG';
    },
    close: async () => {
      redis.disconnect();
      await Promise.resolve();
    },
  };
}
