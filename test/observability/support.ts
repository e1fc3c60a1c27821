/**
 * Helpers of the observability tests, shared by both engines: read a Prometheus text answer,
 * validate real answers against the served OpenAPI document, sample /metrics during a burst.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type PaymentsClient, paymentBodies } from '../../src/load/payments-client';
import { pollUntil } from '../support/answers';

/** One sample per series, keyed as printed: `name` or `name{label="value",...}`. */
export type Samples = Map<string, number>;

export function parsePrometheusText(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** promtool's path; Debian's prometheus package is installed when it is missing (scripts/ensure-promtool.sh). */
export function ensurePromtool(): string {
  const script = path.join(__dirname, '../../scripts/ensure-promtool.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim().split('\n').pop() ?? 'promtool';
}

/** `promtool check metrics` on what `url` serves: its exit code and its complaints (none when clean). */
export async function promtoolCheck(promtool: string, url: string): Promise<{ status: number | null; output: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  const checked = spawnSync(promtool, ['check', 'metrics'], {
    input: await res.text(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: checked.status, output: `${checked.stdout}${checked.stderr}`.trim() };
}

export async function scrape(apiUrl: string): Promise<Samples> {
  const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusText(await res.text());
}

export interface EngineGaugeSample {
  queueSize: number;
  used: number;
  available: number;
}

export const gaugesOf = (s: Samples): EngineGaugeSample => ({
  queueSize: s.get('payment_queue_size') ?? Number.NaN,
  used: s.get('payment_semaphore_used') ?? Number.NaN,
  available: s.get('payment_semaphore_available') ?? Number.NaN,
});

/** Scrapes every `intervalMs` until `done()` says stop (bounded by `timeoutMs`). */
export async function sampleWhile(
  apiUrl: string,
  done: () => boolean,
  { intervalMs = 250, timeoutMs = 120_000 } = {},
): Promise<EngineGaugeSample[]> {
  const samples: EngineGaugeSample[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    samples.push(gaugesOf(await scrape(apiUrl)));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return samples;
}

/** Polls /metrics until the engine is idle again and every outcome is counted; returns the last scrape. */
export function waitForIdle(
  apiUrl: string,
  expected: { success: number; permits: number },
  timeoutMs = 60_000,
): Promise<Samples> {
  return pollUntil(
    `payment_outcomes_total{status="SUCCESS"} = ${expected.success} and idle gauges`,
    async () => {
      const s = await scrape(apiUrl);
      const g = gaugesOf(s);
      const idle = g.queueSize === 0 && g.used === 0 && g.available === expected.permits;
      return idle && s.get('payment_outcomes_total{status="SUCCESS"}') === expected.success ? s : undefined;
    },
    timeoutMs,
    500,
  );
}

export type AnswerValidator = (method: 'get' | 'post', path: string, status: number, body: unknown) => string[];

/** Validates answers against the document's response schema for (path, method, status). */
export function openApiValidator(doc: Record<string, unknown>): AnswerValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'openapi.json' });
  const pointer = (...parts: string[]) =>
    parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  return (method, path, status, body) => {
    const paths = doc.paths as Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
    >;
    const response = paths[path]?.[method]?.responses[String(status)];
    if (!response) return [`no ${status} answer documented for ${method.toUpperCase()} ${path}`];
    if (!response.content?.['application/json'])
      return [`${method.toUpperCase()} ${path} ${status} has no JSON schema`];
    const validate = ajv.compile({
      $ref: `openapi.json#/${pointer('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema')}`,
    });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

/**
 * Posts a burst of `count`, samples /metrics while it is in flight and checks what both engines
 * must show: the semaphore between 1 and the permits, a non-empty queue, then every outcome
 * counted and the gauges idle again.
 */
export async function checkBurstMetrics(
  client: PaymentsClient,
  apiUrl: string,
  o: { count: number; permits: number; orderPrefix: string },
): Promise<void> {
  // An API answers 503 until its engine's connection is up (docs/design.md §4); start once it is healthy.
  await pollUntil(
    '/healthz 200',
    async () => ((await fetch(`${apiUrl}/healthz`)).status === 200 ? true : undefined),
    30_000,
  );
  let finished = false;
  const burst = (async () => {
    const posted = await client.burst(paymentBodies(o.count, o.orderPrefix));
    expect(posted.map((p) => p.status)).toEqual(Array(o.count).fill(202));
    const final = await client.waitForFinal(
      posted.map((p) => p.requestId!),
      { timeoutMs: 120_000 },
    );
    return [...final.values()].map((v) => v.status);
  })().finally(() => (finished = true));
  const samples = await sampleWhile(apiUrl, () => finished);
  expect(await burst).toEqual(Array(o.count).fill('SUCCESS'));

  expect(samples.length).toBeGreaterThan(0);
  expect(Math.max(...samples.map((s) => s.used))).toBeGreaterThanOrEqual(1);
  expect(samples.every((s) => s.used >= 0 && s.used <= o.permits)).toBe(true);
  expect(samples.every((s) => s.used + s.available === o.permits)).toBe(true);
  expect(Math.max(...samples.map((s) => s.queueSize))).toBeGreaterThan(0);

  const idle = await waitForIdle(apiUrl, { success: o.count, permits: o.permits });
  expect(idle.get('payment_outcomes_total{status="FAILED"}')).toBe(0);
  expect(idle.get('payment_queue_wait_seconds_count')).toBe(o.count);
  expect(idle.get('payment_processing_seconds_count')).toBe(o.count);
  // Processing includes the queue wait and at least one PG call.
  expect(idle.get('payment_processing_seconds_sum')!).toBeGreaterThan(idle.get('payment_queue_wait_seconds_sum')!);
  expect(idle.has('process_cpu_seconds_total')).toBe(true);
}
