import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChargeOutcome, type PgClient, createPgClient } from '../../src/pg-client/pg-client';

/**
 * How the PG client reads each answer of the PG contract (docs/design.md §5). The engines' retry rules
 * hang on this: approved and declined are final, 400 and 422 are the PG refusing the request itself
 * (final too: the same request gets the same answer), 429 waits for Retry-After, 5xx is retried.
 * A plain HTTP server stands in for the PG and answers by the idempotency key.
 */
const answers: Record<string, { status: number; headers?: Record<string, string>; body?: unknown }> = {
  ok: { status: 200, body: { transactionId: 'TXN-1', status: 'APPROVED' } },
  replay: {
    status: 200,
    headers: { 'Idempotent-Replayed': 'true' },
    body: { transactionId: 'TXN-2', status: 'APPROVED' },
  },
  declined: { status: 402, body: { code: 'card_declined' } },
  invalid: { status: 400, body: { code: 'invalid_request' } },
  reused: { status: 422, body: { code: 'idempotency_key_reused' } },
  limited: { status: 429, headers: { 'Retry-After': '2' }, body: { code: 'rate_limited' } },
  failing: { status: 500, body: { code: 'internal_error' } },
  unavailable: { status: 503, body: { code: 'temporarily_unavailable' } },
};

describe('PG client answers', () => {
  let server: Server;
  let pg: PgClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = answers[String(req.headers['idempotency-key'])] ?? { status: 404 };
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pg = createPgClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: 2 });
  });
  afterAll(async () => {
    await pg?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const charge = (key: string): Promise<ChargeOutcome> =>
    pg.charge({ idempotencyKey: key, request: { orderId: `order-${key}`, amount: 1000, currency: 'KRW' } });

  test.each<[string, ChargeOutcome]>([
    ['ok', { kind: 'approved', transactionId: 'TXN-1', replayed: false }],
    ['replay', { kind: 'approved', transactionId: 'TXN-2', replayed: true }],
    ['declined', { kind: 'declined', code: 'card_declined' }],
    ['invalid', { kind: 'rejected', code: 'invalid_request' }],
    ['reused', { kind: 'rejected', code: 'idempotency_key_reused' }],
    ['limited', { kind: 'rate_limited', retryAfterMs: 2000 }],
    ['failing', { kind: 'transient', reason: 'pg_status_500' }],
    ['unavailable', { kind: 'transient', reason: 'pg_status_503' }],
    // Not in the contract: retried rather than failed, since it may be the PG's trouble.
    ['unknown', { kind: 'transient', reason: 'pg_status_404' }],
  ])('when the PG answers the key %s then the outcome is %j', async (key, expected) => {
    expect(await charge(key)).toEqual(expected);
  });

  test('when nothing listens then the outcome is transient, not an error', async () => {
    const nowhere = createPgClient({ baseUrl: 'http://127.0.0.1:1', connections: 1 });
    try {
      const outcome = await nowhere.charge({
        idempotencyKey: 'x',
        request: { orderId: 'x', amount: 1, currency: 'KRW' },
      });
      expect(outcome.kind).toBe('transient');
    } finally {
      await nowhere.close();
    }
  });
});
