/**
 * Helpers of the observability tests, shared by both engines: read a Prometheus text answer,
 * validate real answers against the served OpenAPI document, sample /metrics during a burst.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
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
export async function sampleWhile(apiUrl: string, done: () => boolean, { intervalMs = 250, timeoutMs = 120_000 } = {}): Promise<EngineGaugeSample[]> {
  const samples: EngineGaugeSample[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    samples.push(gaugesOf(await scrape(apiUrl)));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return samples;
}

/** Polls /metrics until the engine is idle again and every outcome is counted; returns the last scrape. */
export function waitForIdle(apiUrl: string, expected: { success: number; permits: number }, timeoutMs = 60_000): Promise<Samples> {
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
  const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  return (method, path, status, body) => {
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    const response = paths[path]?.[method]?.responses[String(status)];
    if (!response) return [`no ${status} answer documented for ${method.toUpperCase()} ${path}`];
    if (!response.content?.['application/json']) return [`${method.toUpperCase()} ${path} ${status} has no JSON schema`];
    const validate = ajv.compile({ $ref: `openapi.json#/${pointer('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema')}` });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
