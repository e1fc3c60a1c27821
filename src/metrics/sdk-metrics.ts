/**
 * Turns on the Temporal SDK's own Prometheus exporter (the worker's Rust core), on its own port.
 * Must run before the first NativeConnection or Worker is made: the runtime is installed once.
 * Durations stay in milliseconds, as Temporal's stock SDK dashboards expect.
 */
import { Runtime } from '@temporalio/worker';

export function installSdkMetrics(host: string, port: number): string {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `${host}:${port}` } } } });
  return `http://${host}:${port}/metrics`;
}
