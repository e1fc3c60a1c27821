import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { requestIdForKey } from '../../src/contract/payment';
import { TEST_MERCHANT } from '../../src/launch/merchants';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { bearer } from '../../src/load/payments-client';
import { looksLikeStackTrace } from '../support/answers';

/** Sends raw HTTP on a fresh socket; resolves with the status line, how long it took, and whether the server closed. */
function raw(port: number, text: string, timeoutMs = 20_000): Promise<{ head: string; ms: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ head: received.split('\r\n')[0] ?? '', ms: Date.now() - started, closed: false });
    }, timeoutMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ head: received.split('\r\n')[0] ?? '', ms: Date.now() - started, closed: true });
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

/** What an outside security probe of the API found, each mended (docs/merchants.md). */
describe('the API under the security probe', () => {
  let stack: TemporalStack;
  let port: number;
  let auth: Record<string, string>;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '20-50' }, apiEnv: { HTTP_MAX_CONNECTIONS: '1500' } });
    port = Number(new URL(stack.apiUrl).port);
    auth = bearer(stack.merchants.apiKey);
  });
  afterAll(() => stack?.stop());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('when 2,000 sockets sit idle past a cap of 1,500 then a new client still gets its POST answered', async () => {
    const idle = await Promise.all(
      Array.from(
        { length: 2000 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
            socket.on('error', () => resolve(socket));
          }),
      ),
    );
    try {
      // Idle past the grace a client gets to send its first request (3 s).
      await new Promise((r) => setTimeout(r, 3500));
      const res = await post({ orderId: `after-idle-${randomUUID().slice(0, 8)}`, amount: 1000 });
      expect(res.status).toBe(202);
      // The server made room by closing idle sockets, not by refusing the newcomer.
      expect(idle.filter((s) => s.destroyed || s.readyState === 'closed').length).toBeGreaterThan(0);
    } finally {
      idle.forEach((s) => s.destroy());
    }
  });

  /** The first lines of a raw POST /payments as this merchant, before the lines a test adds. */
  const postHead = () => [
    'POST /payments HTTP/1.1',
    'Host: 127.0.0.1',
    `Authorization: ${auth.authorization}`,
    'Content-Type: application/json',
  ];

  test('when a body declares more than 16 KiB then 413 comes at once, read from the header, and the connection closes', async () => {
    const answer = await raw(
      port,
      [...postHead(), 'Content-Length: 10485760', '', '{"orderId":"big","amount":1,'].join('\r\n'),
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.closed).toBe(true);
    expect(answer.ms).toBeLessThan(5000);
  });

  test('when Idempotency-Key is sent twice then it answers 400, not a payment under "A, B"', async () => {
    const body = JSON.stringify({ orderId: `twice-${randomUUID().slice(0, 8)}`, amount: 100 });
    const answer = await raw(
      port,
      [
        ...postHead(),
        'Idempotency-Key: A',
        'Idempotency-Key: B',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 400/);
  });

  test.each([
    ['a NUL', 'cust\u0000omer'],
    ['CR/LF', 'cust\r\nomer'],
    ['a bidi override', 'cust\u202Eomer'],
    ['a lone surrogate', 'cust\uD800omer'],
    ['a tab', 'cust\tomer'],
  ])('when customerId holds %s then it answers 400 invalid_request naming customerId', async (_n, customerId) => {
    const res = await post({ orderId: `cust-${randomUUID().slice(0, 8)}`, amount: 100, customerId });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: string }> };
    expect(body.error).toBe('invalid_request');
    expect(body.issues.map((i) => i.path)).toEqual(['customerId']);
  });

  test('when a path has a malformed percent-encoding then it answers 400 naming the path, not malformed_json', async () => {
    const res = await fetch(`${stack.apiUrl}/payments/%E0%A4%A/status`, { headers: auth });
    const text = await res.text();
    expect(res.status).toBe(400);
    const body = JSON.parse(text) as { error: string; message: string };
    expect(body.error).toBe('invalid_request');
    expect(body.message).toContain('/payments/%E0%A4%A/status');
    expect(looksLikeStackTrace(text)).toBe(false);
  });

  test('when a payment that succeeded is posted again then the replay answers SUCCESS, not PENDING', async () => {
    const body = { orderId: `replay-${randomUUID().slice(0, 8)}`, amount: 1200 };
    const first = await post(body);
    expect(first.status).toBe(202);
    const { requestId } = (await first.json()) as { requestId: string };
    await stack.api.waitForFinal([requestId], { timeoutMs: 60_000 });
    const again = await post(body);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ requestId, status: 'SUCCESS' });
  });

  test('when one order comes under three keys then one payment is charged and the others answer 409 order_already_paid', async () => {
    const orderId = `order-keys-${randomUUID().slice(0, 8)}`;
    const answers = [];
    for (const key of ['k1', 'k2', 'k3'])
      answers.push(await post({ orderId, amount: 5000 }, { 'Idempotency-Key': `${orderId}-${key}` }));
    expect(answers.map((a) => a.status)).toEqual([202, 409, 409]);
    const first = (await answers[0]!.json()) as { requestId: string };
    expect(await answers[1]!.json()).toMatchObject({
      error: 'order_already_paid',
      payment: { requestId: first.requestId },
    });
    await stack.api.waitForFinal([first.requestId], { timeoutMs: 60_000 });
    // Paid: still refused, whatever the request says.
    const late = await post(
      { orderId, amount: 5000 },
      { 'Idempotency-Key': `${orderId}-k4`, 'Payment-Attempt': 'new' },
    );
    expect(late.status).toBe(409);
    // The PG's own count: one call for the first key, none for the others.
    const calls = (await stack.pg.client.timeline()).callsByKey;
    expect(calls[first.requestId]).toHaveLength(1);
    for (const key of ['k2', 'k3', 'k4'])
      expect(calls[requestIdForKey(TEST_MERCHANT, `${orderId}-${key}`)]).toBeUndefined();
    expect((await stack.pg.client.stats()).duplicateCharges).toBe(0);
  });

  test('when an order failed then another attempt needs Payment-Attempt: new', async () => {
    const orderId = `decline-${randomUUID().slice(0, 8)}`;
    const failed = await post({ orderId, amount: 700 }, { 'Idempotency-Key': `${orderId}-a` });
    const { requestId } = (await failed.json()) as { requestId: string };
    expect((await stack.api.waitForFinal([requestId], { timeoutMs: 60_000 })).get(requestId)?.status).toBe('FAILED');

    const unasked = await post({ orderId, amount: 700 }, { 'Idempotency-Key': `${orderId}-b` });
    expect(unasked.status).toBe(409);
    expect(await unasked.json()).toMatchObject({ error: 'order_already_paid', payment: { status: 'FAILED' } });
    const asked = await post({ orderId, amount: 700 }, { 'Idempotency-Key': `${orderId}-b`, 'Payment-Attempt': 'new' });
    expect(asked.status).toBe(202);
  });

  test('when 2,000 clients probe /healthz at once then every answer is 200', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 2000 }, () =>
        fetch(`${stack.apiUrl}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
