/**
 * Checks run the same way against each engine's API: real answers validate against its served
 * OpenAPI document, and a payment's log line carries its requestId but never its idempotency key.
 */
import { randomUUID } from 'node:crypto';
import type { ManagedProcess } from '../../src/infra/child-process';
import { PaymentsClient, bearer } from '../../src/load/payments-client';
import { openApiValidator } from './support';

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: the validator says so */
  }
  return { status: res.status, headers: res.headers, body };
}

const postJson = (apiUrl: string, apiKey: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(apiKey), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

export async function checkApiAnswersAgainstOpenApi(
  apiUrl: string,
  orderPrefix: string,
  apiKey: string,
): Promise<void> {
  const served = await call(`${apiUrl}/openapi.json`);
  expect(served.status).toBe(200);
  const doc = served.body as Record<string, unknown>;
  expect(String(doc.openapi)).toMatch(/^3\./);
  const validate = openApiValidator(doc);
  const answers: Array<{ what: string; method: 'get' | 'post'; path: string; status: number; body: unknown }> = [];
  const keep = (what: string, method: 'get' | 'post', path: string, answer: { status: number; body: unknown }) => {
    answers.push({ what, method, path, status: answer.status, body: answer.body });
    return answer;
  };

  const key = `oa-${randomUUID()}`;
  const body = { orderId: `${orderPrefix}-1`, amount: 1500, currency: 'KRW' };
  const accepted = keep(
    'accepted',
    'post',
    '/payments',
    await postJson(apiUrl, apiKey, body, { 'Idempotency-Key': key }),
  );
  expect([200, 202]).toContain(accepted.status);
  const requestId = (accepted.body as { requestId: string }).requestId;
  keep('replayed', 'post', '/payments', await postJson(apiUrl, apiKey, body, { 'Idempotency-Key': key }));
  expect(
    keep(
      'key reused',
      'post',
      '/payments',
      await postJson(apiUrl, apiKey, { ...body, amount: 1600 }, { 'Idempotency-Key': key }),
    ).status,
  ).toBe(409);
  expect(
    keep('invalid', 'post', '/payments', await postJson(apiUrl, apiKey, { orderId: 'bad id!', amount: -1 })).status,
  ).toBe(400);
  expect(keep('malformed', 'post', '/payments', await postJson(apiUrl, apiKey, '{"orderId":')).status).toBe(400);
  const notJson = await call(`${apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...bearer(apiKey) },
    body: 'hello',
  });
  expect(keep('not JSON', 'post', '/payments', notJson).status).toBe(415);
  expect(
    keep(
      'unknown id',
      'get',
      '/payments/{requestId}/status',
      await call(`${apiUrl}/payments/pay_unknown0000/status`, { headers: bearer(apiKey) }),
    ).status,
  ).toBe(404);
  expect(
    keep(
      'status',
      'get',
      '/payments/{requestId}/status',
      await call(`${apiUrl}/payments/${requestId}/status`, { headers: bearer(apiKey) }),
    ).status,
  ).toBe(200);
  const client = new PaymentsClient(apiUrl, { apiKey });
  try {
    const final = await client.waitForFinal([requestId], { timeoutMs: 60_000 });
    expect(final.get(requestId)?.status).toBe('SUCCESS');
  } finally {
    await client.close();
  }
  const done = keep(
    'final status',
    'get',
    '/payments/{requestId}/status',
    await call(`${apiUrl}/payments/${requestId}/status`, { headers: bearer(apiKey) }),
  );
  expect(done.body).toEqual(expect.objectContaining({ status: 'SUCCESS', completedAt: expect.any(String) as unknown }));
  const unauthorized = await call(`${apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(keep('unauthorized', 'post', '/payments', unauthorized).status).toBe(401);
  expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
  expect(keep('health', 'get', '/healthz', await call(`${apiUrl}/healthz`)).status).toBe(200);

  const failures = answers
    .map((a) => ({ what: a.what, status: a.status, errors: validate(a.method, a.path, a.status, a.body) }))
    .filter((f) => f.errors.length > 0);
  expect(failures).toEqual([]);
}

/** Collects every output line of the processes from now on. */
function captureOutput(processes: ManagedProcess[]): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const listener = (chunk: Buffer) => chunks.push(chunk.toString('utf8'));
  const streams = processes.flatMap((p) => [p.child.stdout!, p.child.stderr!]);
  for (const s of streams) s.on('data', listener);
  return { text: () => chunks.join(''), stop: () => streams.forEach((s) => s.off('data', listener)) };
}

export async function checkPaymentLogLine(
  api: ManagedProcess,
  apiUrl: string,
  watched: ManagedProcess[],
  apiKey: string,
): Promise<void> {
  const output = captureOutput(watched);
  try {
    const secretKey = `log-secret-${randomUUID()}`;
    const posted = await postJson(
      apiUrl,
      apiKey,
      { orderId: `obs-log-${Date.now()}`, amount: 990 },
      { 'Idempotency-Key': secretKey },
    );
    expect([200, 202]).toContain(posted.status);
    const requestId = (posted.body as { requestId: string }).requestId;

    const line = await api.waitForLine(new RegExp(`"requestId":"${requestId}"`), 15_000);
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toEqual(
      expect.objectContaining({
        requestId,
        level: 30,
        msg: expect.stringMatching(/^payment (accepted|replayed|completed)/) as unknown,
      }),
    );
    expect(typeof entry.time).toBe('number');

    // The rest of the payment's life (worker or consumer lines too) never shows the key either.
    const client = new PaymentsClient(apiUrl, { apiKey });
    try {
      await client.waitForFinal([requestId], { timeoutMs: 60_000 });
    } finally {
      await client.close();
    }
    const text = output.text();
    expect(text).toContain(requestId);
    expect(text).not.toContain(secretKey);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(secretKey.slice('log-secret-'.length));
  } finally {
    output.stop();
  }
}
