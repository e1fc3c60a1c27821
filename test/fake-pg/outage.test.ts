import { request } from 'undici';
import { type FakePgHandle, startFakePg } from '../../src/launch/fake-pg';
import { type PgClient, createPgClient } from '../../src/pg-client/pg-client';

/** The outage switch: one PG down for a while, every call in that time counted and answered 503. */
describe('the fake PG with its outage switch', () => {
  let handle: FakePgHandle;
  let pg: PgClient;
  let sequence = 0;

  beforeAll(async () => {
    handle = await startFakePg({ PG_LATENCY_MS: '0', PG_RATE_LIMIT: '3' });
    pg = createPgClient({ baseUrl: handle.url, connections: 4 });
  });
  afterAll(async () => {
    await pg?.close();
    await handle?.process.stop();
  });
  // The reset also empties the PG's rate window: no test's calls count against the next one.
  beforeEach(async () => {
    await outage({ seconds: 0 });
    await handle.client.reset();
  });

  const outage = async (body?: unknown, query = '') => {
    const res = await request(`${handle.url}/v1/admin/outage${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      type: String(res.headers['content-type']),
      body: (await res.body.json()) as Record<string, unknown>,
    };
  };
  const charge = async () => {
    const key = `outage-${++sequence}`;
    const res = await request(`${handle.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ orderId: key, amount: 1, currency: 'KRW' }),
    });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
  };

  test('when the PG is down for 1 s then every charge meanwhile is counted and answered 503 pg_outage, and afterwards 200', async () => {
    const switched = await outage({ seconds: 1 });
    expect(switched.status).toBe(200);
    const until = Date.parse(String(switched.body.outageUntil));
    expect(until - Date.now()).toBeGreaterThan(500);

    for (let i = 0; i < 2; i++) expect(await charge()).toMatchObject({ status: 503, body: { code: 'pg_outage' } });
    const during = await handle.client.stats();
    expect(during).toMatchObject({ requests: 2, outage503: 2, charges: 0, inFlight: 0 });
    expect(during.outageUntil).toBe(new Date(until).toISOString());
    // The engines' client reads it as the PG's trouble, to be retried.
    expect(
      await pg.charge({ idempotencyKey: 'outage-client', request: { orderId: 'o', amount: 1, currency: 'KRW' } }),
    ).toEqual({
      kind: 'transient',
      reason: 'pg_status_503',
    });

    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 1100));
    expect((await charge()).status).toBe(200);
    expect(await handle.client.stats()).toMatchObject({ requests: 4, outage503: 3, charges: 1, outageUntil: null });
  });

  test('when calls keep coming during the outage then they still count toward the rate limit', async () => {
    await outage(undefined, '?seconds=5');
    const answers = [await charge(), await charge(), await charge(), await charge()];
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 429]);
    // The refusal says which limit, and when it resets, in IETF RateLimit fields beside Retry-After.
    expect(answers[3]!.headers).toMatchObject({
      'retry-after': '1',
      ratelimit: '"rate";r=0;t=1',
      'ratelimit-policy': '"rate";q=3;w=1, "concurrency";q=10;qu="concurrent-requests"',
    });
    expect(await handle.client.stats()).toMatchObject({ requests: 4, outage503: 3, rejected429: 1, maxPerSecond: 4 });
  });

  test('when the outage is set to 0 seconds then it ends at once', async () => {
    await outage({ seconds: 20 });
    expect((await charge()).status).toBe(503);
    expect((await outage({ seconds: 0 })).body).toEqual({ outageUntil: null });
    expect((await charge()).status).toBe(200);
    expect((await handle.client.stats()).outageUntil).toBeNull();
  });

  test.each<[string, unknown, string]>([
    ['a negative length', { seconds: -1 }, ''],
    ['a length that is not a number', { seconds: 'soon' }, ''],
    ['a length of over an hour', { seconds: 3601 }, ''],
    ['no length', {}, ''],
    ['a query that is not a number', undefined, '?seconds=abc'],
    ['malformed JSON', '{"seconds":', ''],
  ])('when the switch is given %s then the answer is 400 in JSON and nothing changes', async (_name, body, query) => {
    const answer = await outage(body, query);
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ code: expect.stringMatching(/^(invalid_request|malformed_json)$/) as unknown });
    expect((await handle.client.stats()).outageUntil).toBeNull();
  });
});
