/**
 * Observability of the Temporal engine against real processes: the dev server (with its Web UI),
 * the fake PG, one worker (with the SDK's own Prometheus exporter on) and the API.
 */
import type { ManagedProcess } from '../../src/infra/child-process';
import { freePort } from '../../src/infra/ports';
import { type RunningDevServer, startDevServer } from '../../src/infra/temporal-dev-server';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { checkApiAnswersAgainstOpenApi, checkPaymentLogLine } from './contract-checks';
import { checkBurstMetrics, ensurePromtool, parsePrometheusText, promtoolCheck } from './support';

const PERMITS = 10;

describe('observability of the Temporal engine', () => {
  let temporal: RunningDevServer;
  let stack: TemporalStack;
  let worker: ManagedProcess;
  let sdkMetricsUrl: string;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    temporal = await startDevServer({ port: await freePort(), uiPort: await freePort() });
    // A slow PG keeps the burst in flight long enough to sample it (the backlog figure is cached 5 s by the server).
    stack = await startTemporalStack({
      temporal,
      workers: 0,
      pgEnv: { PG_LATENCY_MS: '2000', PG_MAX_CONCURRENCY: String(PERMITS) },
    });
    const sdkPort = await freePort();
    sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
    worker = await stack.startWorker({ SDK_METRICS_PORT: String(sdkPort) });
    // The worker's own endpoint is on a free port; its start line says where.
    const polling = JSON.parse(await worker.waitForLine(/worker polling/)) as { metrics: string };
    workerMetricsUrl = polling.metrics;
  });
  afterAll(async () => {
    await stack?.stop();
    await temporal?.stop();
  });

  test('when 50 payments are in flight then the semaphore reads 1..10 and the queue is not empty; afterwards 50 SUCCESS and idle gauges', async () => {
    await stack.pg.client.reset();
    await checkBurstMetrics(stack.api, stack.apiUrl, {
      count: 50,
      permits: PERMITS,
      orderPrefix: `obs-t-${Date.now()}`,
    });
    const pg = await stack.pg.client.stats();
    expect(pg.maxInFlight).toBeLessThanOrEqual(PERMITS);
    expect(pg.charges).toBe(50);
  });

  test("when the SDK exporter is on then the worker serves Temporal's own slot and latency series on its port", async () => {
    const res = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    const names = new Set([...parsePrometheusText(await res.text()).keys()].map((k) => k.replace(/\{.*$/, '')));
    for (const name of [
      'temporal_worker_task_slots_used',
      'temporal_worker_task_slots_available',
      'temporal_activity_schedule_to_start_latency_bucket',
      'temporal_activity_execution_latency_bucket',
      'temporal_workflow_endtoend_latency_bucket',
      'temporal_workflow_completed_total',
    ]) {
      expect([name, names.has(name)]).toEqual([name, true]);
    }
  });

  test('when promtool checks every /metrics endpoint (API, worker, SDK exporter) after payments then each passes', async () => {
    const promtool = ensurePromtool();
    const posted = await stack.api.post({ orderId: `obs-promtool-${Date.now()}`, amount: 1000 });
    expect(posted.status).toBe(202);
    for (const url of [`${stack.apiUrl}/metrics`, workerMetricsUrl, sdkMetricsUrl]) {
      expect([url, await promtoolCheck(promtool, url)]).toEqual([url, { status: 0, output: '' }]);
    }
  });

  test('when the API answers then every answer validates against its /openapi.json', async () => {
    await checkApiAnswersAgainstOpenApi(stack.apiUrl, `obs-oa-t-${Date.now()}`, stack.merchants.apiKey);
  });

  test('when a payment is accepted then its log line has the requestId and never the idempotency key', async () => {
    await checkPaymentLogLine(stack.apiProcess, stack.apiUrl, [stack.apiProcess, worker], stack.merchants.apiKey);
  });

  test("when a status is read then links.webUi opens that payment's workflow in the Web UI", async () => {
    const posted = await stack.api.post({ orderId: `obs-ui-${Date.now()}`, amount: 1200 });
    const status = await stack.api.status(posted.requestId!);
    const link = new URL(status.body.links!.webUi!);
    expect(link.pathname).toBe(`/namespaces/default/workflows/${posted.requestId}`);
    // The API's default UI address is :8233; this test's UI runs elsewhere, so ask the same path there.
    const ui = new URL(link.pathname, temporal.uiUrl);
    const page = await fetch(ui, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    // The UI's page loads the workflow through its API; the same id answers there.
    const api = await fetch(new URL(`/api/v1/namespaces/default/workflows/${posted.requestId}`, temporal.uiUrl), {
      signal: AbortSignal.timeout(10_000),
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain(posted.requestId);
  });
});
