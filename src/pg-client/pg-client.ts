/**
 * The PG's client side, shared by every engine: one charge call, its answer sorted into the cases
 * an engine must treat differently (approved, declined, rate limited, transient).
 */
import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { PaymentRequest } from '../contract/payment';
import { pgOwnTimeMs } from './network-spread';

export type ChargeOutcome =
  | { kind: 'approved'; transactionId: string; replayed: boolean }
  | { kind: 'declined'; code: string }
  /** The PG refused the request itself (400, 422): the same request would get the same answer. */
  | { kind: 'rejected'; code: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; reason: string };

export interface ChargeCall {
  /** Stable across retries and crashes, so a repeated call is a replay, not a second charge. */
  idempotencyKey: string;
  request: Pick<PaymentRequest, 'orderId' | 'amount' | 'currency'>;
  /** Hears the moment the request has been written to the socket (performance.now()). */
  onSent?: (at: number) => void;
  /**
   * Hears the network's share of the round trip (ms): from the send to the answer's head, less
   * the time the PG says it held the call (`Server-Timing` dur). Not called when the PG does not say.
   */
  onAnswered?: (networkMs: number) => void;
}

export interface PgClient {
  charge(call: ChargeCall): Promise<ChargeOutcome>;
  /** Opens the pool's connections ahead of the first charge (a cold connection adds jitter). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export interface PgClientOptions {
  baseUrl: string;
  /** Open connections kept to the PG; at least the calls that may be in flight at once. */
  connections: number;
  timeoutMs?: number;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds, 1 s when absent. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 1000;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/**
 * The PG's own refusals of a request (docs/design.md §5): 400 for a malformed one, 422 for a key already
 * used with another body. Retrying sends the same request and gets the same answer, so they are
 * final. Any other unexpected status stays transient: it may be the PG's trouble, not ours.
 */
const REJECTED_STATUSES = new Set([400, 422]);

/** The `code` of a PG error body, or `fallback` when it has none a person could read. */
const codeOf = (body: Record<string, unknown>, fallback: string): string =>
  typeof body.code === 'string' || typeof body.code === 'number' ? String(body.code) : fallback;

/** One HTTP exchange with the PG: the status, the headers and the JSON body (empty when not JSON). */
interface PgAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export function createPgClient(options: PgClientOptions): PgClient {
  const base = new URL(options.baseUrl);
  // Keep-alive sockets, at most `connections` of them. node:http writes a request on a free
  // socket on the next tick; undici first waits a setImmediate turn on an idle one (to see a
  // close the server may have sent), which under load put 2 ms on average, 30 at worst, between
  // a permit and its send, and so on every window chained to it.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.connections,
    maxFreeSockets: options.connections,
    scheduling: 'fifo',
  });
  const timeoutMs = options.timeoutMs ?? 10_000;

  const exchange = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    hooks: Pick<ChargeCall, 'onSent' | 'onAnswered'> = {},
  ) =>
    new Promise<PgAnswer>((resolve, reject) => {
      let sentAt: number | undefined;
      const req = httpRequest(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const pgMs = pgOwnTimeMs(res.headers['server-timing']);
          if (hooks.onAnswered && sentAt !== undefined && pgMs !== undefined)
            hooks.onAnswered(performance.now() - sentAt - pgMs);
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            } catch {
              // Not JSON: the status decides.
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      // 'finish': the whole request has been handed to the OS, so this time is never before the send.
      req.on('finish', () => {
        sentAt = performance.now();
        hooks.onSent?.(sentAt);
      });
      req.end(body);
    });

  return {
    async charge({ idempotencyKey, request, onSent, onAnswered }) {
      let answer: PgAnswer;
      try {
        const body = JSON.stringify({ orderId: request.orderId, amount: request.amount, currency: request.currency });
        answer = await exchange(
          'POST',
          '/v1/payments',
          { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body,
          { onSent, onAnswered },
        );
      } catch (err) {
        return { kind: 'transient', reason: `pg_unreachable: ${(err as Error).message}` };
      }
      const { status, headers, body } = answer;
      if (status === 200 && typeof body.transactionId === 'string') {
        return {
          kind: 'approved',
          transactionId: body.transactionId,
          replayed: headers['idempotent-replayed'] === 'true',
        };
      }
      if (status === 402) return { kind: 'declined', code: codeOf(body, 'card_declined') };
      if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(headers['retry-after']) };
      if (REJECTED_STATUSES.has(status)) return { kind: 'rejected', code: codeOf(body, `pg_status_${status}`) };
      return { kind: 'transient', reason: `pg_status_${status}` };
    },
    async warmUp() {
      await Promise.allSettled(Array.from({ length: options.connections }, () => exchange('GET', '/healthz', {})));
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
