import express from 'express';
import { request } from 'undici';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { listen } from '../../src/infra/http-server';
import { jsonErrors, notFound } from '../../src/fake-pg/errors';

/**
 * The security finding: bad JSON got Express's HTML page with a stack trace and the server's file
 * paths. Every error answer of the fake PG is now JSON `{code, message}`, and says nothing of the
 * server's insides.
 */
const expectPlainJsonError = (answer: { status: number; type: string; text: string }, status: number, code: string) => {
  expect(answer.status).toBe(status);
  expect(answer.type).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(body).toMatchObject({ code, message: expect.any(String) as unknown });
  expect(answer.text).not.toMatch(/<html|<pre|\bat \S|\.ts\b|\.js\b|node_modules|\/work\//i);
};

const call = async (url: string, method: 'GET' | 'POST', body?: string, headers: Record<string, string> = {}) => {
  const res = await request(url, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
};

describe('the fake PG answers every error in JSON', () => {
  let pg: FakePgHandle;
  beforeAll(async () => {
    pg = await startFakePg({ PG_LATENCY_MS: '0' });
  });
  afterAll(async () => {
    await pg?.process.stop();
  });

  test('when a charge has malformed JSON then the answer is 400 malformed_json in JSON, with no stack or file path', async () => {
    const answer = await call(`${pg.url}/v1/payments`, 'POST', '{bad', { 'idempotency-key': 'bad-json' });
    expectPlainJsonError(answer, 400, 'malformed_json');
    // Counted on arrival like any call, and closed again.
    const stats = await pg.client.stats();
    expect(stats.requests).toBe(1);
    expect(stats.inFlight).toBe(0);
  });

  test('when a charge is larger than the PG takes then the answer is 413 in JSON', async () => {
    const body = JSON.stringify({ orderId: 'big', amount: 1, currency: 'KRW', pad: 'x'.repeat(20_000) });
    expectPlainJsonError(
      await call(`${pg.url}/v1/payments`, 'POST', body, { 'idempotency-key': 'big' }),
      413,
      'payload_too_large',
    );
  });

  test('when a route does not exist then the answer is 404 in JSON', async () => {
    expectPlainJsonError(await call(`${pg.url}/v1/nothing-here`, 'GET'), 404, 'not_found');
    expectPlainJsonError(await call(`${pg.url}/`, 'POST', '{}'), 404, 'not_found');
  });

  test('when a charge is valid JSON but not a charge then the answer is 400 invalid_request in JSON', async () => {
    expectPlainJsonError(
      await call(`${pg.url}/v1/payments`, 'POST', '{"orderId":1}', { 'idempotency-key': 'k' }),
      400,
      'invalid_request',
    );
  });
});

test('when a handler throws then the answer is a generic 500 in JSON and the error is told to the log only', async () => {
  const heard: unknown[] = [];
  const app = express();
  app.get('/boom', () => {
    throw new Error(`secret detail in ${__filename}`);
  });
  app.use(notFound);
  app.use(jsonErrors((err) => heard.push(err)));
  const server = await listen(app, '127.0.0.1', 0);
  try {
    const answer = await call(`${server.url}/boom`, 'GET');
    expectPlainJsonError(answer, 500, 'internal_error');
    expect(answer.text).not.toContain('secret');
    expect(heard).toHaveLength(1);
  } finally {
    await server.close();
  }
});
