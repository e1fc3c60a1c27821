/**
 * The PG's client side, shared by every engine: one charge call, its answer sorted into the cases
 * an engine must treat differently (approved, declined, rate limited, transient).
 */
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { PaymentRequest } from '../contract/payment';

export type ChargeOutcome =
  | { kind: 'approved'; transactionId: string; replayed: boolean }
  | { kind: 'declined'; code: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; reason: string };

export interface ChargeCall {
  /** Stable across retries and crashes, so a repeated call is a replay, not a second charge. */
  idempotencyKey: string;
  request: Pick<PaymentRequest, 'orderId' | 'amount' | 'currency'>;
  /** Hears the moment the request has been written to the socket (performance.now()). */
  onSent?: (at: number) => void;
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
 * Calls waiting to hear that their request is in the socket, by idempotency key. undici publishes
 * `bodySent` right after it wrote the request; a timestamp taken there is never earlier than the
 * write, even when this process is preempted around it, so no start is recorded too early.
 */
const sentListeners = new Map<string, Array<(at: number) => void>>();
diagnostics.subscribe('undici:request:bodySent', (message) => {
  if (sentListeners.size === 0) return;
  const at = performance.now();
  const headers = (message as { request?: { headers?: unknown } }).request?.headers;
  if (!Array.isArray(headers)) return;
  const i = headers.findIndex((h, n) => n % 2 === 0 && String(h).toLowerCase() === 'idempotency-key');
  const key = i >= 0 ? String(headers[i + 1]) : undefined;
  const waiting = key === undefined ? undefined : sentListeners.get(key);
  // Two attempts of one payment can overlap (a retry while a slow attempt is still open): first in, first sent.
  const listener = waiting?.shift();
  if (waiting?.length === 0) sentListeners.delete(key!);
  listener?.(at);
});
const listenForSend = (key: string, listener: (at: number) => void) => {
  const waiting = sentListeners.get(key) ?? [];
  waiting.push(listener);
  sentListeners.set(key, waiting);
  return () => {
    const i = waiting.indexOf(listener);
    if (i >= 0) waiting.splice(i, 1);
    if (waiting.length === 0 && sentListeners.get(key) === waiting) sentListeners.delete(key);
  };
};

export function createPgClient(options: PgClientOptions): PgClient {
  const pool = new Pool(options.baseUrl, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 600_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: options.timeoutMs ?? 10_000,
    bodyTimeout: options.timeoutMs ?? 10_000,
  });

  return {
    async charge({ idempotencyKey, request, onSent }) {
      let response;
      const stopListening = onSent ? listenForSend(idempotencyKey, onSent) : undefined;
      try {
        response = await pool.request({
          path: '/v1/payments',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify({ orderId: request.orderId, amount: request.amount, currency: request.currency }),
        });
      } catch (err) {
        return { kind: 'transient', reason: `pg_unreachable: ${(err as Error).message}` };
      } finally {
        stopListening?.();
      }
      const body = (await response.body.json().catch(() => ({}))) as Record<string, unknown>;
      const status = response.statusCode;
      if (status === 200 && typeof body.transactionId === 'string') {
        return { kind: 'approved', transactionId: body.transactionId, replayed: response.headers['idempotent-replayed'] === 'true' };
      }
      if (status === 402) return { kind: 'declined', code: String(body.code ?? 'card_declined') };
      if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(response.headers['retry-after']) };
      return { kind: 'transient', reason: `pg_status_${status}` };
    },
    async warmUp() {
      await Promise.allSettled(
        Array.from({ length: options.connections }, () =>
          pool.request({ path: '/healthz', method: 'GET' }).then((r) => r.body.dump()),
        ),
      );
    },
    close: () => pool.close(),
  };
}
