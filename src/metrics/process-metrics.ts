/**
 * prom-client's default process metrics, without the three that break Prometheus's naming rules:
 * `nodejs_active_{handles,requests,resources}_total` are gauges with a counter's `_total` suffix,
 * which `promtool check metrics` refuses. Their values stay available without the suffix
 * (`nodejs_active_handles`, `nodejs_active_requests`, `nodejs_active_resources`).
 */
import { type Registry, collectDefaultMetrics } from 'prom-client';

const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function collectProcessMetrics(register: Registry): void {
  collectDefaultMetrics({ register });
  for (const name of MISNAMED) register.removeSingleMetric(name);
}
