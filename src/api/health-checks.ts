/**
 * What the Temporal engine's API checks on `/healthz`, one named check per dependency: the
 * payment store (the Redis intake's accept path), the intake's starter thread and Temporal, or
 * Temporal alone with the direct intake; and the Redis of the workers' shared PG admission step
 * when they use it. Behind the Redis intake the API accepts and answers status while Temporal or
 * the starter is down: they are then reported, not required.
 */
import { Connection } from '@temporalio/client';
import type { ApiConfig } from '../temporal/config';
import type { TemporalPaymentEngine } from '../temporal/engine';
import { type HealthCheck, redisHealthCheck } from './health';

export interface ApiHealthChecks {
  checks: HealthCheck[];
  close(): Promise<void>;
}

/** Temporal answers a cheap call (GetSystemInfo) within the API's deadline. */
function temporalHealthCheck(config: ApiConfig, required: boolean): HealthCheck & { close(): Promise<void> } {
  const connection = Connection.lazy({ address: config.temporal.address, connectTimeout: config.temporalTimeoutMs });
  return {
    name: 'temporal',
    required,
    check: async () => {
      await connection.withDeadline(Date.now() + config.temporalTimeoutMs, () =>
        connection.workflowService.getSystemInfo({}),
      );
      return true;
    },
    close: () => connection.close(),
  };
}

export function healthChecksOf(config: ApiConfig, engine: TemporalPaymentEngine): ApiHealthChecks {
  const owned: Array<HealthCheck & { close(): Promise<void> }> = [];
  const checks: HealthCheck[] = [];
  if (config.intake === 'redis') {
    // The engine's own check is its accept path, the payment store; Temporal is checked beside it.
    checks.push({ name: 'payment-store', check: () => engine.healthy() });
    // Down between a crash of the starter's thread and its restart: payments are still accepted
    // and wait in the intake, so it degrades the answer rather than failing it.
    checks.push({ name: 'intake-starter', required: false, check: () => Promise.resolve(engine.starterRunning()) });
    owned.push(temporalHealthCheck(config, false));
  } else {
    checks.push({ name: 'temporal', check: () => engine.healthy() });
  }
  if (config.admissionRedisUrl) owned.push(redisHealthCheck('pg-admission-redis', config.admissionRedisUrl));
  checks.push(...owned);
  return {
    checks,
    close: async () => {
      await Promise.allSettled(owned.map((check) => check.close()));
    },
  };
}
